import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { RedisWindowCounter, type WindowLimit } from '../infra/redis-window-counter';
import { RUNTIME, type Runtime } from '../infra/runtime';

/** What a write route counts against: comments, draft versions, events (answers included). */
export type WriteKind = 'comments' | 'versions' | 'events';
const WRITE_KIND = 'writeKind';

/** Counts this route's requests against the caller's limit of `kind` writes. */
export const WriteLimit = (kind: WriteKind): MethodDecorator => SetMetadata(WRITE_KIND, kind);

/** Provider token of the shared Redis counter. */
export const RATE_COUNTER = 'RATE_COUNTER';

const LABEL: Record<WriteKind | 'requests', string> = {
  requests: 'requests',
  comments: 'comments',
  versions: 'draft versions',
  events: 'events',
};

/**
 * Per-user limits (global APP_GUARD, after the authentication, role and member-state guards):
 * every signed-in caller may make RATE_LIMIT_REQUESTS requests per RATE_LIMIT_WINDOW_SECONDS, and
 * RATE_LIMIT_COMMENTS / _VERSIONS / _EVENTS writes of each kind. Counted in Redis under the app's
 * prefix, so the limits hold across API processes. Beyond a limit: 429 with Retry-After.
 */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_COUNTER) private readonly counter: RedisWindowCounter,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const actor = req.actor;
    if (!actor) return true;
    const env = this.runtime.env;
    const windowMs = env.RATE_LIMIT_WINDOW_SECONDS * 1000;
    const kind = this.reflector.get<WriteKind | undefined>(WRITE_KIND, context.getHandler());
    const limits: [WriteKind | 'requests', number][] = [['requests', env.RATE_LIMIT_REQUESTS]];
    if (kind === 'comments') limits.push([kind, env.RATE_LIMIT_COMMENTS]);
    if (kind === 'versions') limits.push([kind, env.RATE_LIMIT_VERSIONS]);
    if (kind === 'events') limits.push([kind, env.RATE_LIMIT_EVENTS]);
    // one round trip for all of them: the first window over its limit refuses the request
    const exceeded = await this.counter.hitAll(
      limits.map(([name, limit]): WindowLimit => ({ name: `user:${actor.id}:${name}`, limit })),
      windowMs,
    );
    if (exceeded) {
      const { retryAfterSeconds } = exceeded;
      const [name, limit] = limits[exceeded.index];
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfterSeconds));
      throw new DomainException(
        ErrorCode.RATE_LIMITED,
        `You have sent more than ${limit} ${LABEL[name]} in ${env.RATE_LIMIT_WINDOW_SECONDS} seconds; try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`,
        { limit, retryAfterSeconds, kind: name },
      );
    }
    return true;
  }
}
