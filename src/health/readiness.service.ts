import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';

/**
 * Whether this instance wants new traffic. Deliberately independent of Spotify: one Spotify
 * blip must not pull every instance out of the load balancer at once.
 */
@Injectable()
export class ReadinessService {
  private shuttingDown = false;
  /** Answers not sent yet; when the shutdown begins they too must close their connections. */
  private readonly unsent = new Set<ServerResponse>();

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Makes `response` close its connection if it is sent during a shutdown: at once when one has
   * begun, else when it begins. A keep-alive answer sent after the listener closed would leave
   * an idle socket that holds the close open until the grace period runs out.
   */
  closeOnShutdown(response: ServerResponse): void {
    if (this.shuttingDown) {
      response.setHeader('Connection', 'close');
      return;
    }
    this.unsent.add(response);
    response.once('close', () => this.unsent.delete(response));
  }

  /** From now on `/health/ready` answers 503 and answers close their connections. */
  beginShutdown(): void {
    this.shuttingDown = true;
    for (const response of this.unsent) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    }
    this.unsent.clear();
  }
}
