import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { NO_STORE_HEADERS } from '../common/no-store';
import { AuthorizationRefusedError, OAuthError, StateMismatchError } from '../common/oauth.error';
import { logOAuthError, OAuthExceptionFilter, toOAuthError } from '../common/oauth-exception.filter';
import { noteAnsweredError } from '../logging/answered-error';
import { BrowserLoginOutcome, LABELLED_LOGIN_ERRORS, labelFor, MetricsService } from '../metrics/metrics.service';
import { LandingPages } from './landing-pages';
import { verifiedLoginStateOf } from './request.decorators';
import { StateCookieService } from './state-cookie.service';

function outcomeOf(error: OAuthError): BrowserLoginOutcome {
  return error instanceof AuthorizationRefusedError ? 'refused' : labelFor(LABELLED_LOGIN_ERRORS, error.error);
}

/**
 * `/callback` is a page a person is looking at, so it never answers with JSON: every failure
 * sends the browser to the landing page with `error=<code>` and nothing else (no description
 * that might carry an upstream's words). The login's state cookie is cleared here, as on success.
 */
@Catch()
@Injectable()
export class CallbackExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('BrowserLogin');
  private readonly json = new OAuthExceptionFilter();

  constructor(
    private readonly landingPages: LandingPages,
    private readonly stateCookie: StateCookieService,
    private readonly metrics: MetricsService,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    // Without FINAL_URI there is no page to go to: the 501 is an operator's message, as JSON.
    if (!this.landingPages.configured) return this.json.catch(exception, host);

    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const error = toOAuthError(exception);
    if (exception instanceof StateMismatchError) this.metrics.countStateFailure(exception.reason);
    this.metrics.countBrowserLogin(outcomeOf(error));
    logOAuthError(this.logger, error);
    noteAnsweredError(response, error.error);

    this.stateCookie.clear(request, response);
    // Only an authentic state's return_to is trusted; anything else lands on the first FINAL_URI.
    const landing = this.landingPages.withResult(verifiedLoginStateOf(request)?.returnTo, { error: error.error });
    response.status(302).set(NO_STORE_HEADERS).location(landing).end();
  }
}
