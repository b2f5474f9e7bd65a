import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { InvalidRequestError } from './oauth.error';

export const FORM_OR_JSON = ['application/x-www-form-urlencoded', 'application/json'];

/** Token routes take form-encoded or JSON bodies; anything else is a clear 400, not "missing field". */
@Injectable()
export class FormOrJsonGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.is(FORM_OR_JSON)) {
      throw new InvalidRequestError('Content-Type must be application/x-www-form-urlencoded or application/json');
    }
    return true;
  }
}
