import { BadRequestException, ForbiddenException, NotFoundException, type ArgumentMetadata } from '@nestjs/common';
import { IsInt, IsString, Min } from 'class-validator';
import { QueryFailedError } from 'typeorm';
import { DomainException, ErrorCode, HTTP_STATUS_BY_CODE } from '../../src/common/domain.exception';
import { HttpExceptionFilter, isConnectionError } from '../../src/common/http-exception.filter';
import { createValidationPipe } from '../../src/common/validation';

class CreateThing {
  @IsString()
  name!: string;

  @IsInt()
  @Min(1)
  count!: number;
}

const filter = new HttpExceptionFilter();
// keep expected error logs out of the test output
(filter as unknown as { logger: object }).logger = { error: () => undefined, warn: () => undefined };

describe('error mapping', () => {
  it('maps every DomainException code to its status and the common body', () => {
    const e = new DomainException(ErrorCode.CONFLICT, 'Procedure P-1 is already closed', { id: 'P-1' });
    expect(filter.toBody(e)).toEqual({
      statusCode: 409,
      error: 'CONFLICT',
      message: 'Procedure P-1 is already closed',
      details: { id: 'P-1' },
    });
    expect(HTTP_STATUS_BY_CODE).toMatchObject({
      NOT_FOUND: 404,
      CONFLICT: 409,
      INVALID_PAYLOAD: 400,
      FORBIDDEN: 403,
      UNAUTHENTICATED: 401,
      UNPROCESSABLE: 422,
      UNAVAILABLE: 503,
      TOO_LARGE: 413,
    });
    expect(filter.toBody(new DomainException(ErrorCode.NOT_FOUND, 'x'))).not.toHaveProperty('details');
  });

  it('maps Nest HTTP exceptions to codes', () => {
    expect(filter.toBody(new ForbiddenException('Only the secretariat may do this'))).toEqual({
      statusCode: 403,
      error: 'FORBIDDEN',
      message: 'Only the secretariat may do this',
    });
    expect(filter.toBody(new NotFoundException()).error).toBe('NOT_FOUND');
    expect(filter.toBody(new BadRequestException(['a is wrong', 'b is wrong'])).message).toBe('a is wrong; b is wrong');
  });

  it('hides internals of unknown errors behind a 500', () => {
    expect(filter.toBody(new TypeError("Cannot read properties of undefined (reading 'secret')"))).toEqual({
      statusCode: 500,
      error: 'INTERNAL',
      message: 'An unexpected error occurred',
    });
  });

  it('turns database connection failures into 503 UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const query = new QueryFailedError('select 1', [], refused);
    expect(isConnectionError(query)).toBe(true);
    expect(filter.toBody(query)).toEqual({
      statusCode: 503,
      error: 'UNAVAILABLE',
      message: 'The database is unavailable; try again shortly',
    });
    expect(filter.toBody(new Error('timeout exceeded when trying to connect')).statusCode).toBe(503);
    expect(
      filter.toBody(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))
        .statusCode,
    ).toBe(503);
    // a query error is not a connection error
    const syntax = new QueryFailedError(
      'selec 1',
      [],
      Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' }),
    );
    expect(filter.toBody(syntax).statusCode).toBe(500);
  });
});

describe('validation', () => {
  const pipe = createValidationPipe();
  const meta: ArgumentMetadata = { type: 'body', metatype: CreateThing };

  it('reports INVALID_PAYLOAD naming the field', async () => {
    const err = await pipe.transform({ name: 'ok', count: 0 }, meta).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainException);
    const body = (err as DomainException).toBody();
    expect(body.statusCode).toBe(400);
    expect(body.error).toBe('INVALID_PAYLOAD');
    expect(body.message).toMatch(/^Invalid field "count": count must not be less than 1/);
    expect(body.details).toEqual({ fields: [{ field: 'count', problems: ['count must not be less than 1'] }] });
  });

  it('rejects unknown properties and names them', async () => {
    const err = (await pipe
      .transform({ name: 'ok', count: 1, admin: true }, meta)
      .catch((e: unknown) => e)) as DomainException;
    expect(err.code).toBe(ErrorCode.INVALID_PAYLOAD);
    expect(err.message).toContain('"admin"');
  });

  it('transforms valid payloads into DTO instances', async () => {
    const value = await pipe.transform({ name: 'ok', count: 2 }, meta);
    expect(value).toBeInstanceOf(CreateThing);
  });
});
