import { CLOCK } from '../../src/infra/clock';
import { RUNTIME, type Runtime } from '../../src/infra/runtime';
import { REDIS_PREFIX } from '../../src/infra/redis.module';
import { createTestApp, type TestApp } from '../support/test-app';

function expectErrorShape(body: unknown, statusCode: number, error: string): void {
  expect(body).toEqual(expect.objectContaining({ statusCode, error, message: expect.any(String) }));
  const keys = Object.keys(body as object).sort();
  expect(keys.filter((k) => !['statusCode', 'error', 'message', 'details'].includes(k))).toEqual([]);
}

describe('application foundation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('GET /health is 200 with database and redis up', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info).toEqual({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('serves an OpenAPI document at /docs-json and the UI at /docs', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.info.title).toBe('amendflow API');
    expect(res.body.paths['/health']).toBeDefined();
    expect(res.body.components.securitySchemes.bearer).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    const ui = await t.http().get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('an unknown route is 404 with the error shape', async () => {
    const res = await t.http().get('/no/such/route').expect(404);
    expectErrorShape(res.body, 404, 'NOT_FOUND');
    expect(res.body.message).toBe('No route matches GET /no/such/route');
  });

  it('a malformed JSON body is 400 with the error shape', async () => {
    const res = await t.http().post('/health').set('content-type', 'application/json').send('{"a": ').expect(400);
    expectErrorShape(res.body, 400, 'INVALID_PAYLOAD');
    expect(res.body.message).toMatch(/^The request body is not valid JSON/);
  });

  it('a body over 1 MB is 413 with the error shape', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) });
    const res = await t.http().post('/health').set('content-type', 'application/json').send(big).expect(413);
    expectErrorShape(res.body, 413, 'TOO_LARGE');
  });

  it('injects the runtime, the fake clock and the per-app Redis prefix', () => {
    expect(t.app.get(CLOCK)).toBe(t.clock);
    const before = t.clock.now().getTime();
    t.clock.advance({ days: 2, hours: 1 });
    expect(t.app.get(CLOCK).now().getTime() - before).toBe(49 * 3600 * 1000);
    const runtime = t.app.get<Runtime>(RUNTIME);
    expect(runtime.postgresUrl).toBe(t.databaseUrl);
    expect(t.app.get(REDIS_PREFIX)).toBe(t.redisPrefix);
    expect(t.redisPrefix).toMatch(/^amendflow-test-/);
  });

  it('runs on its own migrated database', async () => {
    const rows: Array<{ n: string }> = await t.dataSource.query(`select count(*) as n from app_meta`);
    expect(Number(rows[0].n)).toBe(0);
    const [{ current_database: name }] = await t.dataSource.query('select current_database()');
    expect(name).toMatch(/^amendflow_test_/);
  });
});

describe('health when Redis is down', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ logLevels: [] });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('GET /health is 503 UNAVAILABLE with the per-dependency report', async () => {
    await t.http().get('/health').expect(200);
    // Cut the app's shared Redis connection (queues keep theirs, so the app still closes cleanly).
    t.redis.disconnect();
    const res = await t.http().get('/health').expect(503);
    expectErrorShape(res.body, 503, 'UNAVAILABLE');
    expect(res.body.message).toMatch(/redis/);
    expect(res.body.details.details.database.status).toBe('up');
    expect(res.body.details.details.redis.status).toBe('down');
  });
});
