import type { Request, Response } from 'express';
import { Agent, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { noteLatestAnswer } from '../common/latest-answer';
import { httpMetrics } from './http-metrics.middleware';
import { MetricsService } from './metrics.service';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('httpMetrics', () => {
  it('lets a kept-alive connection forget its answer once it has gone out: thousands of idle clients must not hold theirs', async () => {
    const track = httpMetrics(new MetricsService());
    let answered: WeakRef<Response> | undefined;
    const server = createServer((request, response) => {
      // As the application's middleware does for every request.
      noteLatestAnswer(request, response);
      answered = new WeakRef(response as Response);
      track(request as Request, response as Response, () => response.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent({ keepAlive: true });
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => get({ port, host: '127.0.0.1', agent }, (response) => response.resume().on('end', resolve)).on('error', reject));
      // The connection stays open and idle, in the agent's pool.
      expect(agent.freeSockets[`127.0.0.1:${port}:`]).toHaveLength(1);
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
      expect(answered?.deref()).toBeUndefined();
    } finally {
      agent.destroy();
      server.close();
    }
  });
});
