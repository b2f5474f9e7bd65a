/** Spotify's token answer, as this service hands it on. Unknown fields are kept when they are plain values. */
export interface SpotifyTokens {
  access_token: string;
  token_type: string;
  /** Seconds; always a JSON number towards clients. */
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  [field: string]: string | number | boolean | undefined;
}
