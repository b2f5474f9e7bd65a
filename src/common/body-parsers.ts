import express, { RequestHandler } from 'express';
import { BODY_LIMIT } from './body-limit';
import { toOAuthError } from './oauth-exception.filter';

/**
 * Wraps a body parser so its failures leave as `OAuthError`s. Left alone, Nest turns a JSON
 * syntax error into a generic 400 whose message is the parser's, before any filter sees it.
 */
function withOAuthErrors(parser: RequestHandler): RequestHandler {
  return (request, response, next) => parser(request, response, (error?: unknown) => next(error ? toOAuthError(error) : undefined));
}

/** JSON and form bodies up to `BODY_LIMIT`; anything else is left for the content-type guard. */
export function bodyParsers(): RequestHandler[] {
  return [
    withOAuthErrors(express.json({ limit: BODY_LIMIT })),
    withOAuthErrors(express.urlencoded({ limit: BODY_LIMIT, extended: false })),
  ];
}
