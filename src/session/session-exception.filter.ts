import { ArgumentsHost, Catch, ExceptionFilter, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  CrossSiteRequestError,
  InvalidTokenError,
  SessionRefreshRefusedError,
  SessionRevokedError,
  TemporarilyUnavailableError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../common/oauth.error';
import { OAuthExceptionFilter } from '../common/oauth-exception.filter';
import { MetricsService, SessionFailureReason } from '../metrics/metrics.service';
import { SessionCookieService } from './session-cookie.service';

const UPSTREAM_FAILURES = [SessionRefreshRefusedError, TemporarilyUnavailableError, UpstreamError, UpstreamTimeoutError];

function failureReasonOf(exception: unknown): SessionFailureReason | undefined {
  if (exception instanceof InvalidTokenError) return exception.reason;
  if (exception instanceof SessionRevokedError) return 'revoked';
  if (exception instanceof CrossSiteRequestError) return exception.reason === 'header' ? 'csrf_header' : 'csrf_origin';
  if (UPSTREAM_FAILURES.some((type) => exception instanceof type)) return 'upstream';
  return undefined;
}

/** A cookie that can never work again (does not open, expired, revoked) is dropped; Spotify failing says nothing about the cookie, so it stays. */
function endsSession(exception: unknown): boolean {
  return exception instanceof SessionRevokedError || (exception instanceof InvalidTokenError && exception.reason !== 'missing');
}

/**
 * Session routes answer errors as JSON like every API route, and on top: count them by reason
 * and clear the session cookie when it is dead (does not open, or Spotify revoked its token),
 * so the page's next `/token` does not send it again.
 */
@Catch()
@Injectable()
export class SessionExceptionFilter implements ExceptionFilter {
  private readonly json = new OAuthExceptionFilter();

  constructor(
    private readonly cookies: SessionCookieService,
    private readonly metrics: MetricsService,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reason = failureReasonOf(exception);
    if (reason !== undefined) this.metrics.countSessionFailure(reason);
    if (endsSession(exception)) {
      const request = host.switchToHttp().getRequest<Request>();
      this.cookies.clear(host.switchToHttp().getResponse<Response>(), request.secure);
    }
    this.json.catch(exception, host);
  }
}
