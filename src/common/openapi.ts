/**
 * The vocabulary the controllers use to document their responses in the OpenAPI document
 * (/docs-json), from which the web client's types are generated:
 *
 *   @ApiBearer()                    // bearer token required: 401 (and 503 when the token store is down)
 *   @ApiOkResponse({ type: InstanceViewDto })
 *   @ApiErrors(400, 404, 409)       // every error documented with the one error schema, ErrorBody
 *
 * Every error response is the shape HttpExceptionFilter writes (see ErrorBody in
 * domain.exception.ts), declared once here as the `ErrorBody` schema component.
 */
import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiOkResponse,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSchema,
} from '@nestjs/swagger';
import { ErrorCode, type ErrorBody, type ErrorDetails } from './domain.exception';

@ApiSchema({
  name: 'ErrorBody',
  description: 'The body of every error response: a status, a stable code, a sentence for a person, and details',
})
export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ type: 'integer', example: 404, description: 'The HTTP status, repeated' })
  statusCode!: number;

  @ApiProperty({
    enum: ErrorCode,
    enumName: 'ErrorCode',
    example: ErrorCode.NOT_FOUND,
    description: 'Stable code of the kind of error; read this, not the message',
  })
  error!: ErrorCode;

  @ApiProperty({ example: 'There is no procedure with id "…".', description: 'What went wrong, as a sentence' })
  message!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Facts a client can act on (e.g. `fields` of an invalid payload, `currentVersion` of a stale answer, `reason`)',
  })
  details?: ErrorDetails;
}

/** Error statuses the application answers with (see HTTP_STATUS_BY_CODE). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503;

const DEFAULT_DESCRIPTION: Record<ErrorStatus, string> = {
  400: 'INVALID_PAYLOAD: the request is invalid (the message names the field)',
  401: 'UNAUTHENTICATED: no bearer token, or it is expired, revoked or not valid',
  403: 'FORBIDDEN: your role or member state may not do this',
  404: 'NOT_FOUND: no such record',
  409: 'CONFLICT: the request conflicts with the current state (refused by the stage, stale or concurrent)',
  413: 'TOO_LARGE: the request is larger than its limit',
  422: 'UNPROCESSABLE: the request is well formed but cannot be applied',
  429: 'RATE_LIMITED: too many requests; try again later',
  500: 'INTERNAL: an unexpected error (the body carries no internals)',
  503: 'UNAVAILABLE: PostgreSQL or Redis does not answer; try again shortly',
};

/** An error status, or one with the sentence that says when this route answers it. */
export type DocumentedError = ErrorStatus | { status: ErrorStatus; description: string };

/** Documents error responses of a route (or of every route of a controller) with the ErrorBody schema. */
export function ApiErrors(...errors: DocumentedError[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...errors.map((e) => {
      const { status, description } = typeof e === 'number' ? { status: e, description: DEFAULT_DESCRIPTION[e] } : e;
      return ApiResponse({ status, description, type: ErrorBodyDto });
    }),
  );
}

/**
 * The route (or every route of the controller) needs a bearer token. The token is checked
 * against PostgreSQL on every request, so such a route can also answer 503.
 */
export function ApiBearer(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBearerAuth(), ApiErrors(401, 503));
}

/** Marks an operation that never succeeds: it exists to refuse with a sentence (e.g. editing an immutable record). */
export const REFUSED_EXTENSION = 'x-always-refused';

/** The route always refuses with 409 CONFLICT and says why; it has no success response. */
export function ApiRefused(description: string): MethodDecorator {
  return applyDecorators(ApiExtension(REFUSED_EXTENSION, true), ApiErrors({ status: 409, description }));
}

/** A rendered document: HTML (UTF-8) or PDF, as asked by `format`. */
export function ApiRenderedDocument(description: string): MethodDecorator {
  return applyDecorators(
    ApiProduces('text/html', 'application/pdf'),
    ApiOkResponse({
      description,
      content: {
        'text/html': { schema: { type: 'string' } },
        'application/pdf': { schema: { type: 'string', format: 'binary' } },
      },
    }),
  );
}

/** A text in the English working language and the two official languages (state labels, titles). */
@ApiSchema({ name: 'Labels' })
export class LabelsDto {
  @ApiProperty({ example: 'Drafting' }) en!: string;
  @ApiProperty({ example: 'Подготовка проекта' }) ru!: string;
  @ApiProperty({ example: '起草' }) zh!: string;
}

/** A JSON object whose keys are not fixed (a machine's context, an event payload, a JSON Schema). */
export const ANY_OBJECT = { type: 'object', additionalProperties: true } as const;
