import { AddressInfo, createServer, Socket } from 'node:net';

/** The commands in `buffer` that have fully arrived (RESP arrays of bulk strings), and the rest. */
function parseCommands(buffer: string): { commands: string[][]; rest: string } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    const header = /^\*(\d+)\r\n/.exec(buffer.slice(at));
    if (!header) break;
    let cursor = at + header[0].length;
    const words: string[] = [];
    for (let index = 0; index < Number(header[1]); index += 1) {
      const length = /^\$(\d+)\r\n/.exec(buffer.slice(cursor));
      const end = length ? cursor + length[0].length + Number(length[1]) : Infinity;
      if (!length || end + 2 > buffer.length) return { commands, rest: buffer.slice(at) };
      words.push(buffer.slice(cursor + length[0].length, end));
      cursor = end + 2;
    }
    commands.push(words);
    at = cursor;
  }
  return { commands, rest: buffer.slice(at) };
}

/** What the fake does with the rate-limit check (EVAL) and everything after it. */
export type FakeRedisMode = 'hang' | 'count';

export interface FakeRedis {
  url: string;
  /** The client's ready check has been answered. */
  ready: Promise<void>;
  evals(): number;
  close(): Promise<void>;
}

/**
 * A Redis that answers the client's hand-shake (CLIENT SETINFO, then the INFO ready check), then:
 * `hang`, nothing after it (a Redis across a network partition that drops packets, where no
 * reset ever tells the client to give up); `count`, every rate-limit check with a first hit (a
 * Redis that works). On `port` when given, so a client already pointed there can find it.
 */
export async function startFakeRedis(mode: FakeRedisMode, port = 0): Promise<FakeRedis> {
  let evals = 0;
  let answeredInfo: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (answeredInfo = resolve));
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let pending = '';
    let hung = false;
    socket.on('data', (chunk: Buffer) => {
      const { commands, rest } = parseCommands(pending + chunk.toString('latin1'));
      pending = rest;
      for (const [name] of commands.map((words) => words.map((word) => word.toLowerCase()))) {
        if (name === 'eval') evals += 1;
        if (hung) continue;
        if (name === 'client') {
          socket.write('+OK\r\n');
        } else if (name === 'info') {
          const info = '# Server\r\nloading:0\r\n';
          socket.write(`$${info.length}\r\n${info}\r\n`, () => answeredInfo());
        } else if (mode === 'count' && name === 'eval') {
          // The throttler script's answer: total hits, ms to expiry, blocked, ms to unblock.
          socket.write('*4\r\n:1\r\n:60000\r\n:0\r\n:-1\r\n');
        } else {
          hung = true;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ready,
    evals: () => evals,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
