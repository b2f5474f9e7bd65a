import { DynamicModule, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import type { ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, LevelWithSilent } from 'pino';
import type { Options } from 'pino-http';
import { httpConfig } from '../config/http.config';
import { routeTemplateOf } from '../metrics/route-template';
import { answeredErrorOf } from './answered-error';
import { REDACT_PATHS, REDACTED, redactUrl } from './redaction';

/** Probes and scrapes every few seconds would drown the access log. */
const QUIET_PATHS = new Set(['/health', '/health/ready', '/metrics']);

function prettyTransport(production: boolean): Options['transport'] {
  if (production || !process.stdout.isTTY) return undefined;
  try {
    require.resolve('pino-pretty');
    return { target: 'pino-pretty', options: { singleLine: true } };
  } catch {
    return undefined;
  }
}

/** The access line with what is known only at the end: which route answered, and with which OAuth error. */
function withOutcome(line: object, request: Request, response: ServerResponse): object {
  const route = routeTemplateOf(request);
  const error = answeredErrorOf(response);
  return error === undefined ? { ...line, route } : { ...line, route, error };
}

function pinoHttpOptions(settings: ConfigType<typeof httpConfig>): Options {
  return {
    level: settings.logLevel as LevelWithSilent,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    autoLogging: { ignore: (request) => QUIET_PATHS.has((request.url ?? '').split('?')[0]) },
    // A fault is logged once, as an error with its cause, by the exception filter. pino-http would
    // add a second error line per 5xx, carrying a stack of its own making: its access line stays info.
    customLogLevel: () => 'info',
    customErrorMessage: () => 'request completed',
    customSuccessObject: (request, response, value: object) => withOutcome(value, request as Request, response),
    customErrorObject: (request, response, _error, value: object) => {
      const { err: _madeUp, ...line } = value as Record<string, unknown>;
      return withOutcome(line, request as Request, response);
    },
    // One small access line: no headers at all, so cookies and Authorization never get near it.
    serializers: {
      req: (request: { id: string; method: string; url: string; raw: Request }) => ({
        id: request.id,
        method: request.method,
        url: redactUrl(request.raw.originalUrl ?? request.url),
        ip: request.raw.ip,
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  };
}

/** What may wait for a stalled stdout reader; lines beyond it are dropped, so memory stays bounded. */
const STDOUT_BACKLOG_LIMIT_BYTES = 16 * 1024 * 1024;

let stdoutLines: DestinationStream | undefined;

/**
 * stdout through Node's own stream, not pino's writer. That one flushes synchronously at exit
 * and retries forever once the reader is gone (EPIPE: a log collector restarted, `| head`), so
 * the process never exited after SIGTERM; made synchronous instead, it froze the whole service
 * while a reader stalled. Node writes what the pipe takes and queues the rest without blocking;
 * past the limit lines are dropped, and a broken pipe only ends the logging.
 */
function stdoutDestination(): DestinationStream {
  if (stdoutLines === undefined) {
    process.stdout.on('error', () => undefined);
    stdoutLines = {
      write: (line: string) => {
        if (process.stdout.writableLength < STDOUT_BACKLOG_LIMIT_BYTES) process.stdout.write(line);
      },
    };
  }
  return stdoutLines;
}

/** Where the lines go: `destination` (tests), pretty on a developer's terminal, else stdout. */
function pinoHttpFor(settings: ConfigType<typeof httpConfig>, destination: DestinationStream | undefined): Options | [Options, DestinationStream] {
  const options = pinoHttpOptions(settings);
  if (destination !== undefined) return [options, destination];
  const transport = prettyTransport(settings.production);
  return transport === undefined ? [options, stdoutDestination()] : { ...options, transport };
}

/** Structured JSON logs (pino) with one access line per request, secrets redacted. */
@Module({})
export class LoggingModule {
  static forRoot(destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [httpConfig.KEY],
          useFactory: (settings: ConfigType<typeof httpConfig>) => ({
            pinoHttp: pinoHttpFor(settings, destination),
            // With the access log off the per-request logger would be pure cost: not mounted at all.
            forRoutes: settings.accessLog ? undefined : [],
          }),
        }),
      ],
    };
  }
}
