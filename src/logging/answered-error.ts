import type { ServerResponse } from 'node:http';

/** Where an error answer leaves its OAuth code for the access line, which is written after it. */
const ANSWERED_ERROR = Symbol('answeredError');

type NotedResponse = ServerResponse & { [ANSWERED_ERROR]?: string };

/**
 * Notes the OAuth `error` code a response carries. By status alone the access line cannot tell
 * this service's `slow_down` from Spotify's `temporarily_unavailable` (both 429), or a user's
 * `invalid_grant` from a misconfigured `invalid_client` (both 400).
 */
export function noteAnsweredError(response: ServerResponse, code: string): void {
  (response as NotedResponse)[ANSWERED_ERROR] = code;
}

export function answeredErrorOf(response: ServerResponse): string | undefined {
  return (response as NotedResponse)[ANSWERED_ERROR];
}
