import { createHash } from 'node:crypto';
import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { DomainException, ErrorCode } from '../common/domain.exception';
import type { RedisWindowCounter } from '../infra/redis-window-counter';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { RATE_COUNTER } from './user-rate-limit.guard';

/** The throttler AuthModule configures; only POST /auth/sign-in uses it (the default name keeps the plain Retry-After header). */
export const SIGN_IN_THROTTLER = 'default';

/**
 * Limits sign-in attempts per client address (SIGN_IN_ATTEMPTS_PER_MINUTE; the address honours
 * TRUST_PROXY) and per account (SIGN_IN_LIMIT_PER_ACCOUNT, from any address), both counted in
 * Redis so they hold across API processes; the 429 says when to try again (Retry-After too).
 */
@Injectable()
export class SignInThrottlerGuard extends ThrottlerGuard {
  @Inject(RATE_COUNTER) private readonly counter!: RedisWindowCounter;
  @Inject(RUNTIME) private readonly runtime!: Runtime;

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const allowed = await super.canActivate(context);
    const req = context.switchToHttp().getRequest<Request>();
    const email = (req.body as { email?: unknown } | undefined)?.email;
    if (typeof email === 'string' && email.length > 0) {
      const account = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
      const limit = this.runtime.env.SIGN_IN_LIMIT_PER_ACCOUNT;
      const { count, retryAfterSeconds } = await this.counter.hit(`sign-in:account:${account}`, 60_000);
      if (count > limit) {
        context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfterSeconds));
        throw new DomainException(
          ErrorCode.RATE_LIMITED,
          `Too many sign-in attempts for this account; try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`,
          { limit, retryAfterSeconds },
        );
      }
    }
    return allowed;
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire));
    return Promise.reject(
      new DomainException(
        ErrorCode.RATE_LIMITED,
        `Too many sign-in attempts from this address; try again in ${seconds} second${seconds === 1 ? '' : 's'}`,
        { limit: detail.limit, retryAfterSeconds: seconds },
      ),
    );
  }
}
