import { Injectable } from '@nestjs/common';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { closeAfterLatestAnswer } from '../common/latest-answer';

/**
 * Whether this instance wants new traffic. Deliberately independent of Spotify: one Spotify
 * blip must not pull every instance out of the load balancer at once.
 */
@Injectable()
export class ReadinessService {
  private shuttingDown = false;
  private readonly connections = new Set<Socket>();

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Follows `server`'s connections, so that a shutdown reaches the answers already due on them. */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  /**
   * From now on `/health/ready` answers 503 and answers close their connections, those already
   * due included: a keep-alive answer sent after the listener closed would leave an idle socket
   * that holds the close open until the grace period runs out.
   */
  beginShutdown(): void {
    this.shuttingDown = true;
    for (const socket of this.connections) closeAfterLatestAnswer(socket);
  }
}
