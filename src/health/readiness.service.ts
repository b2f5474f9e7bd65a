import { Injectable } from '@nestjs/common';

/**
 * Whether this instance wants new traffic. Deliberately independent of Spotify: one Spotify
 * blip must not pull every instance out of the load balancer at once.
 */
@Injectable()
export class ReadinessService {
  private shuttingDown = false;

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** From now on `/health/ready` answers 503 and answers close their connections. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }
}
