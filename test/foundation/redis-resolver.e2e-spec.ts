import { freePort } from '../../src/infra/net';
import { pingRedis, resolveRedis } from '../../src/infra/redis-resolver';
import { BootError } from '../../src/infra/boot-error';

const quiet = { log: () => undefined, warn: () => undefined, debug: () => undefined };

describe('Redis resolution', () => {
  it('uses the local Redis when it answers', async () => {
    const r = await resolveRedis({ localPort: 6379, logger: quiet });
    expect(r.kind).toBe('local');
    expect(r.describe).toBe('local 127.0.0.1:6379');
  });

  it('starts a child redis-server when nothing answers locally, and stops it', async () => {
    const closedPort = await freePort();
    const r = await resolveRedis({ localPort: closedPort, logger: quiet });
    expect(r.kind).toBe('child');
    await pingRedis(r.url, 1000);
    await r.stop();
    await expect(pingRedis(r.url, 500)).rejects.toThrow();
  });

  it('an unreachable REDIS_URL is a readable BootError', async () => {
    const closedPort = await freePort();
    const attempt = resolveRedis({ redisUrl: `redis://:hunter2@127.0.0.1:${closedPort}`, logger: quiet });
    await expect(attempt).rejects.toBeInstanceOf(BootError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`^Cannot connect to Redis at 127\\.0\\.0\\.1:${closedPort}: .+\\. Set REDIS_URL or start Redis\\.$`),
    );
    await attempt.catch((err: Error) => expect(err.message).not.toContain('hunter2'));
  });
});
