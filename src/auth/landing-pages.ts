import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InvalidRequestError } from '../common/oauth.error';
import { browserConfig } from '../config/browser.config';
import { RETURN_TO_MAX_LENGTH } from './login-query.dto';

/**
 * Every name a result may use. In query mode a `return_to`'s own query keeps its other
 * parameters but never these: a crafted link could otherwise seed `access_token` or
 * `refresh_token` for a login that then fails, or an `error` next to real tokens.
 */
const RESULT_NAMES = ['access_token', 'token_type', 'expires_in', 'scope', 'refresh_token', 'error', 'login'] as const;

/**
 * What `/callback` tells the landing page: tokens on success, `error` alone on failure, `login`
 * in session mode. Only RESULT_NAMES, so a new one cannot slip past the query-mode cleaning.
 */
export type LandingResult = { [name in (typeof RESULT_NAMES)[number]]?: string };

/**
 * The pages `/callback` may send a browser to: the `FINAL_URI` entries, and `return_to` only
 * when it is one of them. Never a prefix or a pattern: anything looser is an open redirect
 * that hands tokens to whoever wrote the link.
 */
@Injectable()
export class LandingPages {
  private readonly allowed: URL[];

  constructor(@Inject(browserConfig.KEY) private readonly settings: ConfigType<typeof browserConfig>) {
    this.allowed = settings.finalUris.map((uri) => new URL(uri));
  }

  get configured(): boolean {
    return this.allowed.length > 0;
  }

  /**
   * Checks a `return_to` at `/login`: its origin and path must equal a FINAL_URI entry's (WHATWG
   * normalisation, so host case and default ports do not matter); its query is kept.
   * @returns the normalised URL to come back to.
   * @throws InvalidRequestError for anything else, before the browser goes anywhere.
   */
  checkReturnTo(returnTo: string): string {
    const url = URL.canParse(returnTo) ? new URL(returnTo) : undefined;
    if (url === undefined || url.username !== '' || url.password !== '') {
      throw new InvalidRequestError('return_to must be an absolute URL listed in FINAL_URI');
    }
    if (returnTo.includes('#')) {
      throw new InvalidRequestError('return_to must not have a #fragment: the tokens go there');
    }
    if (!this.lists(url)) throw new InvalidRequestError('return_to is not one of the pages listed in FINAL_URI');
    // What has to fit is what the state cookie holds: the normalised form, which percent-encodes
    // what the raw value spelled bare (é is six characters, then), as a JSON string, which
    // doubles each backslash a query may keep bare.
    if (JSON.stringify(url.href).length - 2 > RETURN_TO_MAX_LENGTH) {
      throw new InvalidRequestError(`return_to must be at most ${RETURN_TO_MAX_LENGTH} characters once URL-encoded (a backslash counts twice)`);
    }
    return url.href;
  }

  private lists(url: URL): boolean {
    return this.allowed.some((entry) => entry.origin === url.origin && entry.pathname === url.pathname);
  }

  /**
   * The landing page with `result` where TOKEN_DELIVERY puts it: the fragment, or the query string.
   * A `return_to` checked at `/login` is checked again: FINAL_URI may have lost that page since
   * (a deploy between `/login` and `/callback`), and then the first entry is the landing page.
   */
  withResult(returnTo: string | undefined, result: LandingResult): string {
    const chosen = returnTo === undefined ? undefined : new URL(returnTo);
    const url = chosen !== undefined && this.lists(chosen) ? chosen : new URL(this.allowed[0].href);
    const entries = Object.entries(result).filter((entry): entry is [string, string] => entry[1] !== undefined);
    if (this.settings.tokenDelivery === 'query') {
      for (const name of RESULT_NAMES) url.searchParams.delete(name);
      for (const [name, value] of entries) url.searchParams.set(name, value);
    } else {
      url.hash = new URLSearchParams(entries).toString();
    }
    return url.href;
  }
}
