/** What the browser asks Spotify's `/authorize` for: the Authorization Code flow with PKCE (S256). */
export interface AuthorizeRequest {
  scopes: readonly string[];
  redirectUri: string;
  state: string;
  codeChallenge: string;
  /** Make Spotify ask again even when the user approved this app before. */
  showDialog: boolean;
}
