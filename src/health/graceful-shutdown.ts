import { INestApplication, LoggerService } from '@nestjs/common';
import type { Server } from 'node:http';
import { ReadinessService } from './readiness.service';

export interface ShutdownTiming {
  /** Not ready but still listening, so load balancers notice before connections are refused. */
  shutdownDelayMs: number;
  /** The whole budget from the signal; in-flight requests still running then are cut. */
  shutdownGraceMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drains the instance: readiness turns 503, answers start closing their connections, then the
 * server stops accepting, idle keep-alive sockets are closed, and in-flight requests (including
 * ones waiting on Spotify) finish within the grace period before Nest's shutdown hooks run.
 */
export async function drainAndClose(app: INestApplication, timing: ShutdownTiming, logger: LoggerService): Promise<void> {
  app.get(ReadinessService).beginShutdown();
  logger.log(`Shutting down: not ready now, closing the listener in ${timing.shutdownDelayMs} ms`, 'Shutdown');
  await sleep(timing.shutdownDelayMs);

  const server = app.getHttpServer() as Server;
  // Since Node 19, close() also closes the idle keep-alive sockets; every answer since the
  // shutdown began closes its own.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Idle sockets are gone once close() ran: what is still open at the deadline is serving a request.
  let cut = 0;
  const deadline = setTimeout(
    () =>
      server.getConnections((_error, open) => {
        cut = open;
        logger.warn(`Grace period over: cutting ${open} connection(s) still serving a request`, 'Shutdown');
        server.closeAllConnections();
      }),
    Math.max(0, timing.shutdownGraceMs - timing.shutdownDelayMs),
  );
  await closed;
  clearTimeout(deadline);
  await app.close();
  // "Cleanly" only when every request got its answer: on call reads this line after a deploy.
  logger.log(cut === 0 ? 'Shut down cleanly' : `Shut down after cutting ${cut} connection(s) mid-request`, 'Shutdown');
}
