import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { redisKey } from './redis.module';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** INCR a window's counter, start its expiry on the first hit; returns [count, milliseconds left]. */
const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

export interface WindowHit {
  count: number;
  /** Seconds until the window ends (at least 1): what Retry-After says. */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters in Redis under the app's prefix (`<prefix>:rate:<name>`), so every API
 * process counts into the same window: a limit holds across processes. One round trip per hit.
 *
 * While Redis does not answer, the limits are not counted (every hit counts as the first of its
 * window) rather than refusing the request: a procedure's events are written to PostgreSQL and
 * must not stop because the counters are out of reach. The first such miss is logged.
 */
export class RedisWindowCounter implements ThrottlerStorage {
  private readonly log = new Logger('RateLimits');
  private unavailableSince: number | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(name: string, windowMs: number): Promise<WindowHit> {
    if (this.redis.status !== 'ready') return this.uncounted(`Redis is ${this.redis.status}`);
    try {
      const [count, ttl] = (await this.redis.eval(HIT, 1, redisKey(this.prefix, 'rate', name), windowMs)) as [
        number,
        number,
      ];
      this.unavailableSince = null;
      return { count, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
    } catch (err) {
      return this.uncounted((err as Error).message);
    }
  }

  private uncounted(why: string): WindowHit {
    if (this.unavailableSince === null) {
      this.unavailableSince = Date.now();
      this.log.warn(`Rate limits are not counted while Redis does not answer (${why})`);
    }
    return { count: 0, retryAfterSeconds: 1 };
  }

  /** @nestjs/throttler's storage: the sign-in limit per address counts in Redis too. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    _block: number,
    name: string,
  ): Promise<ThrottlerStorageRecord> {
    const { count, retryAfterSeconds } = await this.hit(`throttler:${name}:${key}`, ttl);
    return {
      totalHits: count,
      timeToExpire: retryAfterSeconds,
      isBlocked: count > limit,
      timeToBlockExpire: count > limit ? retryAfterSeconds : 0,
    };
  }
}
