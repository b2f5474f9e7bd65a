import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidRequestError } from './oauth.error';

function firstProblem(errors: ValidationError[]): string {
  for (const error of errors) {
    const message = Object.values(error.constraints ?? {})[0];
    if (message) return message;
    const nested = error.children?.length ? firstProblem(error.children) : undefined;
    if (nested) return nested;
  }
  return 'The request is not valid';
}

/**
 * Validates the query DTOs of /login and /callback (the token routes have their own pipe).
 * Unknown parameters are stripped, never rejected: Spotify and web apps add their own.
 */
export const oauthValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: false,
  transform: true,
  stopAtFirstError: true,
  exceptionFactory: (errors) => new InvalidRequestError(firstProblem(errors)),
});
