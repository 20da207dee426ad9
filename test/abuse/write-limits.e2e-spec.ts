/**
 * Per-user limits counted in Redis: comments, events and requests beyond the configured number in
 * a window are 429 with Retry-After and write nothing, and the count is shared by two API
 * processes on one Redis (the same prefix). Sign-in is limited per account from any address.
 */
import { RedisWindowCounter } from '../../src/infra/redis-window-counter';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

describe('per-user write limits (Redis)', () => {
  let t: TestApp;
  let second: TestApp;
  let officer: TestUser;
  let instanceId: string;

  beforeAll(async () => {
    t = await createTestApp({
      logLevels: ['error'],
      env: { RATE_LIMIT_EVENTS: '3', RATE_LIMIT_REQUESTS: '40', TRUST_PROXY: '1' },
    });
    // a second API process on the same database and the same Redis prefix
    second = await createTestApp({
      logLevels: ['error'],
      databaseUrl: t.databaseUrl,
      env: {
        RATE_LIMIT_EVENTS: '3',
        RATE_LIMIT_REQUESTS: '40',
        TRUST_PROXY: '1',
        REDIS_PREFIX: t.runtime.env.REDIS_PREFIX,
      },
    });
    officer = await createUser(t.app, { role: 'legal_officer' });
    const res = await t
      .http()
      .post('/instances')
      .set(bearer(await tokenFor(t.app, officer)))
      .send({ definitionId: 'regulation-amendment', input: { proposedBy: 'China', rationale: 'Limits' } })
      .expect(201);
    instanceId = (res.body as { result: { instanceId: string } }).result.instanceId;
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  const eventCount = async () =>
    (
      await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM workflow_event WHERE instance_id = $1`,
        [instanceId],
      )
    )[0].n;

  it('events beyond the limit are 429 with Retry-After, counted across two processes, and write nothing', async () => {
    const token = await tokenFor(t.app, officer);
    const statuses: number[] = [];
    for (const app of [t, second, t]) {
      const res = await app
        .http()
        .post(`/instances/${instanceId}/events`)
        .set(bearer(token))
        .send({ type: 'NO_SUCH_EVENT', payload: {} });
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 400)).toBe(true);
    const before = await eventCount();
    const limited = await second
      .http()
      .post(`/instances/${instanceId}/events`)
      .set(bearer(token))
      .send({ type: 'NO_SUCH_EVENT', payload: {} });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'RATE_LIMITED' });
    expect(limited.body.message).toMatch(/more than 3 events in 60 seconds; try again in \d+ seconds?/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await eventCount()).toBe(before);
    // another user is not affected
    const other = await createUser(t.app, { role: 'legal_officer' });
    const ok = await t
      .http()
      .post(`/instances/${instanceId}/events`)
      .set(bearer(await tokenFor(t.app, other)))
      .send({ type: 'NO_SUCH_EVENT', payload: {} });
    expect(ok.status).toBe(400);
  });

  it("counts a write's windows (requests, events) in one round trip to Redis", async () => {
    const user = await createUser(t.app, { role: 'legal_officer' });
    const token = await tokenFor(t.app, user);
    const commands: string[] = [];
    const send = t.redis.sendCommand.bind(t.redis);
    const spy = jest.spyOn(t.redis, 'sendCommand').mockImplementation((command, stream) => {
      const args = (command as unknown as { args: unknown[] }).args.map(String);
      if (args.some((a) => a.includes(`:rate:user:${user.id}:`))) commands.push((command as { name: string }).name);
      return send(command, stream);
    });
    try {
      const res = await t
        .http()
        .post(`/instances/${instanceId}/events`)
        .set(bearer(token))
        .send({ type: 'NO_SUCH_EVENT', payload: {} });
      expect(res.status).toBe(400);
    } finally {
      spy.mockRestore();
    }
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/^evalsha$|^eval$/);
    const keys = await t.redis.keys(`${t.redisPrefix}:rate:user:${user.id}:*`);
    expect(keys.map((k) => k.split(':').pop()).sort()).toEqual(['events', 'requests']);
  });

  it('stops counting at the first window over its limit: the windows after it are not counted', async () => {
    const counter = new RedisWindowCounter(t.redis, t.redisPrefix);
    const windows = [
      { name: 'probe:first', limit: 1 },
      { name: 'probe:second', limit: 5 },
    ];
    expect(await counter.hitAll(windows, 60_000)).toBeNull();
    const exceeded = await counter.hitAll(windows, 60_000);
    expect(exceeded).toMatchObject({ index: 0, count: 2 });
    expect(exceeded?.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(await t.redis.get(`${t.redisPrefix}:rate:probe:first`)).toBe('2');
    expect(await t.redis.get(`${t.redisPrefix}:rate:probe:second`)).toBe('1');
    expect(await t.redis.pttl(`${t.redisPrefix}:rate:probe:second`)).toBeGreaterThan(59_000);
    // the later window's own limit refuses too, and says which window it was
    const tight = [
      { name: 'probe:third', limit: 10 },
      { name: 'probe:fourth', limit: 0 },
    ];
    expect(await counter.hitAll(tight, 60_000)).toMatchObject({ index: 1, count: 1 });
    expect(await counter.hit('probe:third', 60_000)).toMatchObject({ count: 2 });
  });

  it('every request of one user counts against the global per-user limit', async () => {
    const user = await createUser(t.app, { role: 'manager' });
    const token = await tokenFor(t.app, user);
    let limited: { status: number; headers: Record<string, string> } | undefined;
    for (let i = 0; i < 45 && !limited; i++) {
      const res = await (i % 2 ? second : t).http().get('/auth/me').set(bearer(token));
      if (res.status === 429) limited = res;
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('sign-in is limited per account, from any address, across processes', async () => {
    const user = await createUser(t.app, { role: 'legal_officer' });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      // a different client address each time (one trusted proxy): only the per-account limit applies
      const res = await (i % 2 ? second : t)
        .http()
        .post('/auth/sign-in')
        .set('X-Forwarded-For', `198.51.100.${i}`)
        .send({ email: user.email, password: 'wrong password' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});
