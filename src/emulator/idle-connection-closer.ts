import type { Socket } from 'node:net';

/**
 * Closes a keep-alive connection exactly `timeoutMs` after its last answer.
 * Node's own `keepAliveTimeout` fires a second late (it adds a buffer for slow clients) while
 * advertising `Keep-Alive: timeout=N`; the service must be tested against the advertised limit.
 */
export class IdleConnectionCloser {
  private readonly timers = new Map<Socket, NodeJS.Timeout>();

  constructor(private readonly timeoutMs: number) {}

  /** A request arrived: the connection is in use. */
  busy(socket: Socket): void {
    clearTimeout(this.timers.get(socket));
    this.timers.delete(socket);
  }

  /** The answer went out: close the connection unless another request comes in time. */
  idle(socket: Socket): void {
    if (socket.destroyed) return;
    this.busy(socket);
    const timer = setTimeout(() => {
      this.timers.delete(socket);
      socket.destroy();
    }, this.timeoutMs);
    // No 'close' listener: one per answer would pile up on a long-lived socket, and a timer
    // left for a socket that closed early just finds it destroyed.
    this.timers.set(socket, timer);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
