import { Writable } from 'node:stream';
import { createRootLogger } from '../../src/infra/logging';
import { bearer, createUser, tokenFor } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

/** Collects the JSON lines a pino logger writes. */
class Lines extends Writable {
  readonly entries: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.entries.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
}

describe('logs', () => {
  let t: TestApp;
  const lines = new Lines();
  beforeAll(async () => {
    t = await createTestApp({ rootLogger: createRootLogger({ LOG_LEVEL: 'log', LOG_FORMAT: 'json' }, lines) });
  });
  afterAll(() => t.close());

  const accessLines = (id: string) =>
    lines.entries.filter((e) => (e.req as { id?: string } | undefined)?.id === id && e.msg && e.res);

  it('writes one JSON access line per request with the request id, sent back as X-Request-Id', async () => {
    const res = await t.http().get('/health/live').set('X-Request-Id', 'probe-1234').expect(200);
    expect(res.headers['x-request-id']).toBe('probe-1234');
    const [line, ...more] = accessLines('probe-1234');
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 30,
      service: 'amendflow',
      msg: expect.stringMatching(/^GET \/health\/live 200 \d+ ms$/),
      req: { id: 'probe-1234', method: 'GET', url: '/health/live' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(typeof line.time).toBe('string');
  });

  it('makes a request id when the client sends none, or an unusable one', async () => {
    const made = await t.http().get('/health/live').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await t.http().get('/health/live').set('X-Request-Id', 'spaces are not allowed').expect(200);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(accessLines(made.headers['x-request-id'])).toHaveLength(1);
  });

  it('never logs credentials: Authorization, cookies, passwords, tokens in URLs', async () => {
    const admin = await createUser(t.app, { role: 'admin' });
    const token = await tokenFor(t.app, admin);
    await t.http().get('/auth/me').set(bearer(token)).set('Cookie', 'amendflow_board=secret-cookie').expect(200);
    await t
      .http()
      .post('/auth/sign-in')
      .set('X-Request-Id', 'sign-in-1')
      .send({ email: admin.email, password: 'a wrong password that must not be logged' })
      .expect(401);
    await t.http().get(`/admin/queues?access_token=${token}`).set('X-Request-Id', 'board-1');
    const all = lines.raw.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain('secret-cookie');
    expect(all).not.toContain('a wrong password that must not be logged');
    expect(accessLines('board-1')[0]).toMatchObject({ req: { url: '/admin/queues?access_token=[redacted]' } });
  });
});
