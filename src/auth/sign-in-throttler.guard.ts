import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { DomainException, ErrorCode } from '../common/domain.exception';

/** The throttler AuthModule configures; only POST /auth/sign-in uses it (the default name keeps the plain Retry-After header). */
export const SIGN_IN_THROTTLER = 'default';

/** Limits sign-in attempts per client IP; the 429 says when to try again (Retry-After is set too). */
@Injectable()
export class SignInThrottlerGuard extends ThrottlerGuard {
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
