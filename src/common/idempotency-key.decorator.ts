import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException, ErrorCode } from './domain.exception';

const KEY = /^[A-Za-z0-9_.:-]{1,200}$/;

/** The optional `Idempotency-Key` header of a state-changing request, checked for shape. */
export const IdempotencyKey = createParamDecorator((_data: unknown, ctx: ExecutionContext): string | null => {
  const raw = ctx.switchToHttp().getRequest<Request>().headers['idempotency-key'];
  if (raw === undefined) return null;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!KEY.test(value))
    throw new DomainException(
      ErrorCode.INVALID_PAYLOAD,
      'The Idempotency-Key header must be 1-200 characters of letters, digits and _ . : -',
    );
  return value;
});
