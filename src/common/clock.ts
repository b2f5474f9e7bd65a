import { Injectable } from '@nestjs/common';

/** The time the state cookie's age is judged by; a provider, so tests can move it. */
@Injectable()
export class Clock {
  /** Epoch milliseconds. */
  now(): number {
    return Date.now();
  }
}
