/**
 * Every authorization scope Spotify documents. `/login` refuses anything else up front, so a
 * typo is a clear `invalid_scope` here instead of an error page at Spotify.
 */
const SPOTIFY_SCOPES: ReadonlySet<string> = new Set([
  'ugc-image-upload',
  'user-read-playback-state',
  'user-modify-playback-state',
  'user-read-currently-playing',
  'app-remote-control',
  'streaming',
  'playlist-read-private',
  'playlist-read-collaborative',
  'playlist-modify-private',
  'playlist-modify-public',
  'user-follow-modify',
  'user-follow-read',
  'user-read-playback-position',
  'user-top-read',
  'user-read-recently-played',
  'user-library-modify',
  'user-library-read',
  'user-read-email',
  'user-read-private',
  'user-soa-link',
  'user-soa-unlink',
  'soa-manage-entitlements',
  'soa-manage-partner',
  'soa-create-partner',
]);

/** Scopes as written by people: separated by spaces or commas (both are common), blanks dropped. */
export function splitScopes(scopes: string): string[] {
  return scopes.split(/[\s,]+/).filter((scope) => scope.length > 0);
}

/** The entries of `scopes` that Spotify does not know, in order. */
export function unknownScopes(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => !SPOTIFY_SCOPES.has(scope));
}
