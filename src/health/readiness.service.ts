import { Injectable } from '@nestjs/common';
import type { OutgoingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/** A server's socket, with Node's own field for the answer in flight on it. */
type ServerSocket = Socket & { _httpMessage?: OutgoingMessage | null };

/**
 * Whether this instance wants new traffic. Deliberately independent of Spotify: one Spotify
 * blip must not pull every instance out of the load balancer at once.
 */
@Injectable()
export class ReadinessService {
  private shuttingDown = false;
  private readonly connections = new Set<ServerSocket>();

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Follows `server`'s connections, so that a shutdown reaches the answers already in flight.
   * Per connection rather than per request: a listener on every response cost about a tenth of
   * the instructions of a /refresh (`npm run bench`, BENCH_INSTRUCTIONS).
   */
  watch(server: Server): void {
    server.on('connection', (socket: ServerSocket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  /**
   * From now on `/health/ready` answers 503 and answers close their connections, those in flight
   * included: a keep-alive answer sent after the listener closed would leave an idle socket that
   * holds the close open until the grace period runs out.
   */
  beginShutdown(): void {
    this.shuttingDown = true;
    for (const socket of this.connections) {
      const inFlight = socket._httpMessage;
      if (inFlight && !inFlight.headersSent) inFlight.setHeader('Connection', 'close');
    }
  }
}
