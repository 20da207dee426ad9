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
 */
export class RedisWindowCounter implements ThrottlerStorage {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(name: string, windowMs: number): Promise<WindowHit> {
    const [count, ttl] = (await this.redis.eval(HIT, 1, redisKey(this.prefix, 'rate', name), windowMs)) as [
      number,
      number,
    ];
    return { count, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
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
