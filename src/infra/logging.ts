import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import pretty from 'pino-pretty';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { Env, LogLevel } from '../config/env';

const PINO_LEVELS: Record<LogLevel, pino.Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Credentials never reach a log line, whatever logs them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.access_token',
];

/** A request id a client may choose: short, printable, no spaces. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Query parameters that carry secrets (Bull Board's one-time `access_token`, reset tokens). */
const SECRET_QUERY = /([?&](?:access_token|token)=)[^&#]*/gi;

/**
 * The process's one pino logger: JSON lines (LOG_FORMAT=json, production's default) or
 * pretty coloured text (development), at LOG_LEVEL, with credentials redacted.
 */
export function createRootLogger(env: Pick<Env, 'LOG_LEVEL' | 'LOG_FORMAT'>, destination?: DestinationStream): Pino {
  const options: pino.LoggerOptions = {
    level: PINO_LEVELS[env.LOG_LEVEL],
    base: { pid: process.pid, service: 'amendflow' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  if (env.LOG_FORMAT === 'pretty') {
    return pino(
      options,
      pretty({
        colorize: true,
        sync: true,
        singleLine: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
      }),
    );
  }
  return pino(options);
}

/** pino-http: one access log line per request, with a request id taken from X-Request-Id (or made) and sent back. */
export function httpLoggerOptions(logger: Pino): PinoHttpOptions {
  return {
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel(_req, res, err) {
      return err || res.statusCode >= 500 ? 'error' : 'info';
    },
    customSuccessMessage: (req, res, time) =>
      `${req.method} ${redactUrl(req.url)} ${res.statusCode} ${Math.round(time)} ms`,
    customErrorMessage: (req, res) => `${req.method} ${redactUrl(req.url)} ${res.statusCode} failed`,
    serializers: {
      req: (req: {
        id: unknown;
        method: string;
        url: string;
        headers: Record<string, unknown>;
        remoteAddress?: string;
      }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.remoteAddress,
        userAgent: req.headers['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

export function redactUrl(url: string | undefined): string {
  return (url ?? '').replace(SECRET_QUERY, '$1[redacted]');
}

/** Nest's LoggerService over the root pino logger, for the lines written before (and outside) the application. */
export class PinoBootLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, context?: string): void {
    this.pino.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.pino.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.pino.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.pino.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.pino.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string): void {
    this.pino.fatal({ context }, String(message));
  }
}
