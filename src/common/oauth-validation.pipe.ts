import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidRequestError } from './oauth.error';

function firstProblem(errors: ValidationError[]): string {
  for (const error of errors) {
    const message = Object.values(error.constraints ?? {})[0];
    if (message) return message;
    const nested = error.children?.length ? firstProblem(error.children) : undefined;
    if (nested) return nested;
  }
  return 'Request body must be a form or a JSON object';
}

/**
 * Validates request DTOs. Unknown fields are stripped, never rejected: the iOS SDK and
 * other clients send extras such as `client_id` and `grant_type`.
 */
export const oauthValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: false,
  transform: true,
  stopAtFirstError: true,
  exceptionFactory: (errors) => new InvalidRequestError(firstProblem(errors)),
});
