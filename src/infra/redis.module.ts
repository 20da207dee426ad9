import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { redisOptionsFromUrl } from './redis-options';
import { RUNTIME, type Runtime } from './runtime';

/** The shared ioredis connection: `@Inject(REDIS) private readonly redis: Redis`. */
export const REDIS = 'REDIS';
/**
 * Key prefix (env REDIS_PREFIX, per test app in tests): every key the app
 * writes must start with `${prefix}:` (use {@link redisKey}); BullMQ uses the
 * same prefix for its queues.
 */
export const REDIS_PREFIX = 'REDIS_PREFIX';

/** `redisKey(prefix, 'locks', id)` → `amendflow:locks:<id>`. */
export function redisKey(prefix: string, ...parts: Array<string | number>): string {
  return [prefix, ...parts].join(':');
}

@Injectable()
class RedisConnectionCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'end') return;
    try {
      await this.redis.quit();
    } catch (err) {
      this.logger.debug(`QUIT failed (${(err as Error).message}); disconnecting`);
      this.redis.disconnect();
    }
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [RUNTIME],
      useFactory: (runtime: Runtime): Redis => {
        const logger = new Logger('Redis');
        const redis = new Redis({
          ...redisOptionsFromUrl(runtime.redisUrl),
          connectionName: 'amendflow',
          maxRetriesPerRequest: 3,
        });
        let lastError = '';
        redis.on('error', (err: Error) => {
          // ioredis reconnects by itself; log each distinct failure once
          if (err.message !== lastError) logger.warn(`Redis connection error: ${err.message}`);
          lastError = err.message;
        });
        redis.on('ready', () => (lastError = ''));
        return redis;
      },
    },
    {
      provide: REDIS_PREFIX,
      inject: [RUNTIME],
      useFactory: (runtime: Runtime): string => runtime.env.REDIS_PREFIX,
    },
    RedisConnectionCloser,
  ],
  exports: [REDIS, REDIS_PREFIX],
})
export class RedisModule {}
