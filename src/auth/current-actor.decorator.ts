import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';

/** The authenticated caller that AuthGuard put on `request.actor`. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<Request>().actor;
  // Only reachable on a @Public() route, which has no caller to inject.
  if (!actor) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Sign in first');
  return actor;
});
