import { Injectable } from '@nestjs/common';

/** The time login states, sessions and their refreshes are judged by; a provider, so tests can move it. */
@Injectable()
export class Clock {
  /** Epoch milliseconds. */
  now(): number {
    return Date.now();
  }
}
