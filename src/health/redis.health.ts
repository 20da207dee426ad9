import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { REDIS } from '../infra/redis.module';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async pingCheck(key: string, timeoutMs = 1500) {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      // typed as 'PONG' by ioredis; whatever a server really answers is checked
      const answer: string = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to PING within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return answer === 'PONG' ? indicator.up() : indicator.down({ message: `unexpected answer to PING: ${answer}` });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
