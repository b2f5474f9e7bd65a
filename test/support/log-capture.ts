import { Writable } from 'node:stream';

/** A pino destination that keeps every line written, parsed, for assertions on logs. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
    done();
  }

  get entries(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Access lines: pino-http's "request completed"/"request errored" entries. */
  get accessEntries(): Array<Record<string, any>> {
    return this.entries.filter((entry) => typeof entry.responseTime === 'number');
  }

  text(): string {
    return this.lines.join('\n');
  }
}
