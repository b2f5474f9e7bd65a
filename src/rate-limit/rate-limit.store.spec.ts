import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * In a process of its own: the question is whether the process can end once the store shuts
 * down, and Jest's own timers would blur any count of pending ones here.
 */
const SHUT_DOWN_WHILE_REDIS_IS_DOWN = `
  const { RateLimitStore } = require('./src/rate-limit/rate-limit.store');
  const { MetricsService } = require('./src/metrics/metrics.service');
  // Port 1 refuses at once: within 200 ms the client waits to reconnect, its socket gone.
  const store = new RateLimitStore({ perMinute: 60, redisUrl: 'redis://127.0.0.1:1' }, new MetricsService());
  setTimeout(() => {
    const shutDownAt = Date.now();
    process.on('exit', () => process.stdout.write('\\nexited after ms: ' + (Date.now() - shutDownAt)));
    store.onApplicationShutdown();
  }, 200);
`;

describe('RateLimitStore', () => {
  it('lets the process end promptly when it shuts down while Redis is unreachable', () => {
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', SHUT_DOWN_WHILE_REDIS_IS_DOWN], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
      timeout: 30_000,
    });
    // ioredis's default disconnectTimeout would hold it 2000 ms (ioredis#1247); the store sets 100.
    expect(Number(/exited after ms: (\d+)$/.exec(output)?.[1])).toBeLessThan(1000);
  });
});
