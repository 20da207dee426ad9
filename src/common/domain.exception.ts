/**
 * Errors the application raises on purpose. Throw a DomainException from any
 * layer; the global HttpExceptionFilter turns it into
 * `{ statusCode, error: <code>, message, details? }` with the status below.
 *
 *   throw new DomainException(ErrorCode.NOT_FOUND, `Procedure ${id} does not exist`, { id });
 */
export enum ErrorCode {
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  INVALID_PAYLOAD = 'INVALID_PAYLOAD',
  FORBIDDEN = 'FORBIDDEN',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  UNPROCESSABLE = 'UNPROCESSABLE',
  UNAVAILABLE = 'UNAVAILABLE',
  TOO_LARGE = 'TOO_LARGE',
  /** The body's content type, charset or encoding is not one the service reads. */
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  /** Rate limit hit (e.g. @nestjs/throttler). */
  RATE_LIMITED = 'RATE_LIMITED',
  /** Unexpected failure; the body never carries internals. */
  INTERNAL = 'INTERNAL',
}

/**
 * Why a CONFLICT (409) happened, in `details.reason`, for a client that must react differently:
 * - STAGE_REFUSES_EVENT: the procedure's current stage (or a closed procedure) takes no such event
 *   now; reload it and see `details.acceptedEvents`.
 * - BUSINESS_RULE: the stage takes the event, but a rule of the procedure refuses it (the message
 *   says which); sending it again changes nothing.
 * - STALE_VERSION: the request was made against a version that is no longer current (a draft
 *   version, a round); reload and act on the current one.
 * - CONCURRENT_UPDATE: another request changed the same thing at the same moment; the same request
 *   may simply be retried.
 */
export enum ErrorReason {
  STAGE_REFUSES_EVENT = 'STAGE_REFUSES_EVENT',
  BUSINESS_RULE = 'BUSINESS_RULE',
  STALE_VERSION = 'STALE_VERSION',
  CONCURRENT_UPDATE = 'CONCURRENT_UPDATE',
}

export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = Object.freeze({
  [ErrorCode.INVALID_PAYLOAD]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.TOO_LARGE]: 413,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.UNPROCESSABLE]: 422,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.INTERNAL]: 500,
  [ErrorCode.UNAVAILABLE]: 503,
});

export type ErrorDetails = Record<string, unknown> & { reason?: ErrorReason };

/** The body of every error response. */
export interface ErrorBody {
  statusCode: number;
  error: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

export class DomainException extends Error {
  override readonly name = 'DomainException';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The `details.reason` of this error, if it has one. */
  get reason(): ErrorReason | undefined {
    return this.details?.reason;
  }

  get status(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }

  toBody(): ErrorBody {
    return {
      statusCode: this.status,
      error: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}
