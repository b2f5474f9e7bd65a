import request from 'supertest';
import { CookieJar } from './cookie-jar';

/** Where a redirect answer sends the browser. */
export function locationOf(response: request.Response): URL {
  const location = response.headers.location as string | undefined;
  if (location === undefined) throw new Error(`Expected a redirect, got ${response.status}: ${response.text}`);
  return new URL(location);
}

/** What `/callback` handed the landing page: the fragment's parameters, or the query's in query mode. */
export function landingResult(landing: URL, delivery: 'fragment' | 'query' = 'fragment'): Record<string, string> {
  return Object.fromEntries(delivery === 'fragment' ? new URLSearchParams(landing.hash.slice(1)) : landing.searchParams);
}

/** One GET at the emulator's `/authorize`, not following the redirect. */
async function emulatorGet(url: URL): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

function redirectOf(response: Response): URL {
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) throw new Error(`Expected a redirect from the emulator, got ${response.status}`);
  return new URL(location);
}

/**
 * The user at the emulator's consent page: loads it and presses Approve or Deny.
 * @returns where the emulator sends the browser: REDIRECT_URI with `code` or `error`, and `state`.
 */
export async function decideAtConsentPage(authorizeUrl: URL, decision: 'approve' | 'deny'): Promise<URL> {
  const page = await emulatorGet(authorizeUrl);
  const requestToken = /name="request_token" value="([^"]+)"/.exec(await page.text())?.[1];
  if (requestToken === undefined) throw new Error(`No consent page at ${authorizeUrl.href} (is autoApprove on?)`);
  const answer = await fetch(new URL('/authorize/decision', authorizeUrl), {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ request_token: requestToken, decision }),
  });
  return redirectOf(answer);
}

/** The emulator with `autoApprove` on: `/authorize` redirects straight back with a code. */
export async function approveAutomatically(authorizeUrl: URL): Promise<URL> {
  return redirectOf(await emulatorGet(authorizeUrl));
}

/**
 * A browser going through the login of one service: its own cookies, the redirects taken by hand,
 * so a spec can look at (and meddle with) every hop.
 */
export class BrowserLogin {
  readonly jar = new CookieJar();

  constructor(private readonly serviceUrl: string) {}

  /** `GET /login` with this browser's cookies, keeping the state cookie. */
  start(query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<request.Response> {
    return this.visit(request(this.serviceUrl).get('/login').query(query).set(headers));
  }

  /** Follows Spotify's redirect back to `/callback` (on `serviceUrl`, whatever REDIRECT_URI's host), with this browser's cookies. */
  callback(spotifyRedirect: URL | string, serviceUrl = this.serviceUrl, headers: Record<string, string> = {}): Promise<request.Response> {
    const search = typeof spotifyRedirect === 'string' ? spotifyRedirect : spotifyRedirect.search;
    return this.visit(request(serviceUrl).get(`/callback${search}`).set(headers));
  }

  private async visit(call: request.Test): Promise<request.Response> {
    const cookies = this.jar.header();
    const response = await (cookies === '' ? call : call.set('Cookie', cookies));
    this.jar.store(response.headers);
    return response;
  }

  /** `/login`, Approve at the emulator (autoApprove on), back at `/callback`. */
  async run(query: Record<string, string> = {}): Promise<request.Response> {
    const login = await this.start(query);
    return this.callback(await approveAutomatically(locationOf(login)));
  }
}
