import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainException, ErrorCode, HTTP_STATUS_BY_CODE, type ErrorBody } from './domain.exception';

/** Largest accepted request body; bigger ones get 413 TOO_LARGE. */
export const BODY_LIMIT = '1mb';
/** Saving a draft version (POST /instances/:id/draft/versions) carries every article in three languages. */
export const DRAFT_BODY_LIMIT = '16mb';
const BODY_LIMIT_LABEL = '1 MB';

/** "1 MB", "16 MB": the limit body-parser reports (bytes), in the unit a person reads. */
function limitLabel(bytes: unknown): string {
  return typeof bytes === 'number' && bytes > 0 ? `${Math.round(bytes / (1024 * 1024))} MB` : BODY_LIMIT_LABEL;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.INVALID_PAYLOAD,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  410: ErrorCode.NOT_FOUND,
  413: ErrorCode.TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  422: ErrorCode.UNPROCESSABLE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.UNAVAILABLE,
};

function codeForStatus(status: number): ErrorCode {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_PAYLOAD);
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
]);
// SQLSTATE: class 08 connection exception, admin/crash shutdown, cannot connect now, too many connections
// Connection exceptions (class 08) except 08P01, a protocol violation: that is a bug in a query, not an outage.
const UNAVAILABLE_SQLSTATES = /^(08000|08001|08003|08004|08006|08007|57P01|57P02|57P03|53300)$/;
const PG_CONNECTION_MESSAGES =
  /Connection terminated|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|Client was closed and is not queryable|Cannot use a pool after calling end/i;

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    chain.push(current);
    if (current instanceof AggregateError) {
      const errors: unknown[] = current.errors;
      chain.push(...errors);
    }
    const next =
      (current as { driverError?: unknown; cause?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
    current = next === current ? undefined : next;
  }
  return chain;
}

function isRedisError(err: unknown): boolean {
  return causes(err).some((e) => {
    if (!(e instanceof Error)) return false;
    return (
      e.name === 'MaxRetriesPerRequestError' ||
      e.message === 'Connection is closed.' ||
      /[\\/]ioredis[\\/]/.test(e.stack ?? '')
    );
  });
}

// SQLSTATE 22021 character_not_in_repertoire, 22P05 untranslatable_character: text PostgreSQL
// cannot store (a NUL, U+0000, in a text or jsonb value). The input is at fault, not the server.
const UNSTORABLE_TEXT_SQLSTATES = new Set(['22021', '22P05']);

/** True when PostgreSQL refused a value of the request because it cannot store its characters. */
export function isUnstorableTextError(err: unknown): boolean {
  return causes(err).some(
    (e) => !!e && typeof e === 'object' && UNSTORABLE_TEXT_SQLSTATES.has(String((e as { code?: unknown }).code)),
  );
}

/** True for errors meaning "cannot reach the database" rather than "the query is wrong". */
export function isConnectionError(err: unknown): boolean {
  return causes(err).some((e) => {
    if (!e || typeof e !== 'object') return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true;
    return e instanceof Error && PG_CONNECTION_MESSAGES.test(e.message);
  });
}

/** Errors of the body parser (http-errors objects with a `type`) as DomainExceptions. */
export function bodyParserError(err: unknown): DomainException | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const { type, status, message } = err as { type?: unknown; status?: unknown; message?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number') return undefined;
  switch (type) {
    case 'entity.parse.failed':
      return new DomainException(ErrorCode.INVALID_PAYLOAD, `The request body is not valid JSON: ${String(message)}`);
    case 'entity.too.deep':
    case 'entity.duplicate.key':
      return new DomainException(ErrorCode.INVALID_PAYLOAD, String(message));
    case 'entity.too.large':
      return new DomainException(
        ErrorCode.TOO_LARGE,
        `The request body is larger than the ${limitLabel((err as { limit?: unknown }).limit)} limit`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new DomainException(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `The request body cannot be read: ${String(message)}; send UTF-8 JSON`,
      );
    case 'request.aborted':
      return new DomainException(ErrorCode.INVALID_PAYLOAD, 'The request was aborted before its body was received');
    default:
      return status >= 400 && status < 500
        ? new DomainException(codeForStatus(status), `The request body cannot be read: ${String(message)}`)
        : undefined;
  }
}

function httpExceptionMessage(exception: HttpException, request: Request | undefined): string {
  const response = exception.getResponse();
  let message: string | undefined;
  if (typeof response === 'string') {
    message = response;
  } else if (response && typeof response === 'object') {
    const m = (response as { message?: unknown }).message;
    if (typeof m === 'string') message = m;
    else if (Array.isArray(m)) message = m.map(String).join('; ');
  }
  message ||= exception.message;
  // Nest's router says "Cannot GET /x"; say it as a sentence.
  const routeMiss = /^Cannot ([A-Z]+) (.*)$/.exec(message);
  if (exception.getStatus() === 404 && routeMiss) {
    return `No route matches ${routeMiss[1]} ${routeMiss[2]}`;
  }
  if (exception.getStatus() === 404 && request && message === 'Not Found') {
    return `No route matches ${request.method} ${request.originalUrl ?? request.url}`;
  }
  return message;
}

/**
 * The one place that turns exceptions into HTTP responses. Every error body
 * has the shape `{ statusCode, error, message, details? }` (see ErrorBody).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request | undefined>();
    const body = this.toBody(exception, request);

    if (response.headersSent) {
      this.logger.error(
        `Error after the response was sent for ${request?.method} ${request?.originalUrl}`,
        (exception as Error)?.stack,
      );
      return;
    }
    response.status(body.statusCode).json(body);
  }

  toBody(exception: unknown, request?: Request): ErrorBody {
    const where = request ? `${request.method} ${request.originalUrl ?? request.url}` : 'request';

    if (exception instanceof DomainException) {
      if (exception.status >= 500) this.logger.warn(`${where}: ${exception.code} ${exception.message}`);
      return exception.toBody();
    }

    const fromBodyParser = bodyParserError(exception);
    if (fromBodyParser) return fromBodyParser.toBody();

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = codeForStatus(status);
      if (code === ErrorCode.INTERNAL) {
        this.logger.error(`${where}: ${exception.message}`, exception.stack);
        return { statusCode: status, error: code, message: 'An unexpected error occurred' };
      }
      return { statusCode: status, error: code, message: httpExceptionMessage(exception, request) };
    }

    if (isUnstorableTextError(exception)) {
      return {
        statusCode: HTTP_STATUS_BY_CODE[ErrorCode.INVALID_PAYLOAD],
        error: ErrorCode.INVALID_PAYLOAD,
        message:
          'The request contains characters that cannot be stored (such as the NUL character U+0000); remove them and try again',
      };
    }

    if (isConnectionError(exception)) {
      const redis = isRedisError(exception);
      this.logger.warn(
        `${where}: ${redis ? 'Redis' : 'database'} unavailable: ${(exception as Error)?.message ?? String(exception)}`,
      );
      return {
        statusCode: HTTP_STATUS_BY_CODE[ErrorCode.UNAVAILABLE],
        error: ErrorCode.UNAVAILABLE,
        message: redis
          ? 'The queue store is unavailable; try again shortly'
          : 'The database is unavailable; try again shortly',
      };
    }

    this.logger.error(
      `${where}: unhandled ${(exception as Error)?.name ?? 'error'}: ${(exception as Error)?.message ?? String(exception)}`,
      (exception as Error)?.stack,
    );
    return {
      statusCode: HTTP_STATUS_BY_CODE[ErrorCode.INTERNAL],
      error: ErrorCode.INTERNAL,
      message: 'An unexpected error occurred',
    };
  }
}
