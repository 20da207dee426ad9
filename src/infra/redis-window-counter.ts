import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { redisKey } from './redis.module';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Counts one hit in each of a request's windows, in order (KEYS[i], with the limit ARGV[i + 1];
 * ARGV[1] is the window in milliseconds), and stops at the first window whose count goes over its
 * limit: a refused request is not counted in the windows after it, as when they were counted one
 * by one. A window's expiry starts at its first hit. Returns [index of the window that is over
 * its limit (1-based) or 0, that window's (else the last window's) count, its milliseconds left].
 */
const HIT_WINDOWS = `local n, ttl = 0, 0
for i = 1, #KEYS do
  n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[1]); ttl = tonumber(ARGV[1]) end
  if n > tonumber(ARGV[i + 1]) then return {i, n, ttl} end
end
return {0, n, ttl}`;

/** The script's name on the client: ioredis sends it by SHA1 (EVALSHA), its text only once. */
const COMMAND = 'amendflowHitWindows';

type WindowScript = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<[number, number, number]>;

export interface WindowHit {
  count: number;
  /** Seconds until the window ends (at least 1): what Retry-After says. */
  retryAfterSeconds: number;
}

/** One of a request's windows: its counter's name and how many hits it allows. */
export interface WindowLimit {
  name: string;
  limit: number;
}

/** The first window a request went over (its index in the request's list), its count and Retry-After. */
export interface WindowExceeded extends WindowHit {
  index: number;
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
  ) {
    redis.defineCommand(COMMAND, { lua: HIT_WINDOWS });
  }

  /** Counts one hit in the window `name`: its count so far and when it ends. */
  async hit(name: string, windowMs: number): Promise<WindowHit> {
    const counted = await this.count([{ name, limit: Number.MAX_SAFE_INTEGER }], windowMs);
    return counted
      ? { count: counted[1], retryAfterSeconds: retryAfter(counted[2]) }
      : { count: 0, retryAfterSeconds: 1 };
  }

  /**
   * Counts one hit in each window of `windows`, in order, in one round trip, and returns the first
   * that went over its limit (the windows after it are not counted), or null when none did.
   */
  async hitAll(windows: readonly WindowLimit[], windowMs: number): Promise<WindowExceeded | null> {
    const counted = await this.count(windows, windowMs);
    if (!counted || counted[0] === 0) return null;
    return { index: counted[0] - 1, count: counted[1], retryAfterSeconds: retryAfter(counted[2]) };
  }

  /** The script's answer, or null when Redis does not answer (nothing is counted then). */
  private async count(windows: readonly WindowLimit[], windowMs: number): Promise<[number, number, number] | null> {
    if (this.redis.status !== 'ready') return this.uncounted(`Redis is ${this.redis.status}`);
    try {
      const script = (this.redis as unknown as Record<typeof COMMAND, WindowScript>)[COMMAND].bind(this.redis);
      const answer = await script(
        windows.length,
        ...windows.map((w) => redisKey(this.prefix, 'rate', w.name)),
        windowMs,
        ...windows.map((w) => w.limit),
      );
      this.unavailableSince = null;
      return answer;
    } catch (err) {
      return this.uncounted((err as Error).message);
    }
  }

  private uncounted(why: string): null {
    if (this.unavailableSince === null) {
      this.unavailableSince = Date.now();
      this.log.warn(`Rate limits are not counted while Redis does not answer (${why})`);
    }
    return null;
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

function retryAfter(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds / 1000));
}
