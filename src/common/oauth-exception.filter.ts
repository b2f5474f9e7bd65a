import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import {
  FeatureDisabledError,
  InvalidRequestError,
  NotFoundError,
  NotReadyError,
  OAuthError,
  RefusedRequestError,
  RequestTooLargeError,
  ServerError,
} from './oauth.error';
import { BODY_LIMIT } from './body-limit';
import { noteAnsweredError } from '../logging/answered-error';
import { NO_STORE_HEADERS } from './no-store';

/**
 * The shape of errors thrown by Express' body parsers (`http-errors`): a `type` for the causes
 * they name, and for every client fault a 4xx `status` with `expose` set (a body that does not
 * decompress, say, comes as zlib's own error with only those two added).
 */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
}

function isBodyParserError(exception: unknown): exception is BodyParserError {
  if (typeof exception !== 'object' || exception === null) return false;
  const candidate = exception as BodyParserError;
  return typeof candidate.type === 'string' || candidate.expose === true;
}

const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'Request body is not valid JSON',
  'encoding.unsupported': 'Unsupported Content-Encoding',
  'charset.unsupported': 'Unsupported charset: send UTF-8',
  'parameters.too.many': 'Too many form fields',
  'request.aborted': 'Request body was aborted',
  'request.size.invalid': 'Request body length does not match Content-Length',
};

function isClientStatus(status: unknown): boolean {
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * Turns anything thrown into an `OAuthError`: ours pass as they are, Nest's and the body
 * parsers' are mapped, the unexpected become a bland `server_error` (logged, never shown).
 */
export function toOAuthError(exception: unknown): OAuthError {
  if (exception instanceof OAuthError) return exception;
  // Express' router, on a path like /x%zz. Its message quotes the raw path, which is the
  // client's to choose: no detail, so nothing of it reaches the log.
  if (exception instanceof Error && exception.message.startsWith('Failed to decode param')) {
    return new InvalidRequestError('The URL is not validly percent-encoded');
  }
  if (isBodyParserError(exception)) {
    if (exception.type === 'entity.too.large') return new RequestTooLargeError(BODY_LIMIT);
    const message = typeof exception.type === 'string' ? BODY_PARSER_MESSAGES[exception.type] : undefined;
    if (message) return new InvalidRequestError(message);
    if (isClientStatus(exception.status)) return new InvalidRequestError('Request body could not be read');
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === HttpStatus.NOT_FOUND) return new NotFoundError();
    if (status === HttpStatus.PAYLOAD_TOO_LARGE) return new RequestTooLargeError(BODY_LIMIT);
    // Terminus answers a failed readiness check with 503.
    if (status === HttpStatus.SERVICE_UNAVAILABLE) return new NotReadyError();
    if (status >= 400 && status < 500) {
      return new RefusedRequestError(status, exception.message);
    }
  }
  // A bug: the log gets its stack (file and line), so it can be found from one line.
  return new ServerError(exception instanceof Error ? (exception.stack ?? `${exception.name}: ${exception.message}`) : String(exception));
}

/**
 * Server faults are errors; a refusal is worth a warning only when it has a detail to tell. A
 * draining instance's 503 to its readiness probes is neither: the shutdown logs itself once. A
 * route its configuration turned off (501) is a warning: nothing broke, and anyone probing the
 * route would otherwise raise an error line per request.
 */
export function logOAuthError(logger: Logger, error: OAuthError): void {
  if (error instanceof NotReadyError) return;
  const fields = { error: error.error, status: error.status, detail: error.detail };
  if (error instanceof FeatureDisabledError) logger.warn(fields, error.description);
  else if (error.status >= 500) logger.error(fields, error.description);
  else if (error.detail) logger.warn(fields, error.description);
}

/** The one place that renders errors: `{error, error_description}`, never HTML, never a stack. */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuthError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = toOAuthError(exception);
    logOAuthError(this.logger, error);
    noteAnsweredError(response, error.error);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response
      .status(error.status)
      .set({ ...NO_STORE_HEADERS, ...error.headers })
      .json(error.toBody());
  }
}
