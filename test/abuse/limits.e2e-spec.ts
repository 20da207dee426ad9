/**
 * Limits against abuse: request bodies over the 1 MB limit are refused with 413 and the error
 * shape (with or without a Content-Length), and sign-in attempts are limited per client address
 * (the 11th within a minute is 429 with a message and Retry-After).
 */
import * as http from 'node:http';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const TWO_MB = 2 * 1024 * 1024;

function expectErrorShape(res: { status: number; body: unknown }, status: number, error: string) {
  expect(res.status).toBe(status);
  // a message with something in it besides white space
  expect(res.body).toMatchObject({ statusCode: status, error, message: expect.stringMatching(/\S/) });
}

/** POSTs `size` bytes of a JSON body in chunks, without a Content-Length (Transfer-Encoding: chunked). */
function postChunked(
  url: string,
  path: string,
  size: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: text });
          }
        });
      },
    );
    req.on('error', (err) => {
      // the server may answer 413 and close before the whole body is written
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE' && (err as NodeJS.ErrnoException).code !== 'ECONNRESET')
        reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    req.write('{"definitionId":"regulation-amendment","input":{"rationale":"');
    let written = 0;
    const pump = () => {
      while (written < size) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end('"}}');
    };
    pump();
  });
}

describe('request size and sign-in rate limits', () => {
  let t: TestApp;
  let officer: TestUser;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ logLevels: ['error'] });
    officer = await createUser(t.app, { role: 'legal_officer' });
    token = await tokenFor(t.app, officer);
  });
  afterAll(() => t?.close());

  const countInstances = async () =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM workflow_instance`))[0].n as number;

  it('refuses a 2 MB body with 413 TOO_LARGE and the error shape, and writes nothing', async () => {
    const before = await countInstances();
    const big = JSON.stringify({
      definitionId: 'regulation-amendment',
      input: { proposedBy: 'Russian Federation', rationale: 'x'.repeat(TWO_MB) },
    });
    const res = await t.http().post('/instances').set(bearer(token)).set('Content-Type', 'application/json').send(big);
    expectErrorShape(res, 413, 'TOO_LARGE');
    expect(res.body.message).toMatch(/1 MB/);

    // also before authentication, and on the public sign-in route
    const anonymous = await t.http().post('/instances').set('Content-Type', 'application/json').send(big);
    expectErrorShape(anonymous, 413, 'TOO_LARGE');
    const signIn = await t
      .http()
      .post('/auth/sign-in')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: officer.email, password: 'x'.repeat(TWO_MB) }));
    expectErrorShape(signIn, 413, 'TOO_LARGE');

    // without a Content-Length the limit still holds
    const chunked = await postChunked(t.url, '/instances', TWO_MB, bearer(token));
    expectErrorShape(chunked, 413, 'TOO_LARGE');

    // form-encoded bodies have the same limit
    const form = await t
      .http()
      .post('/instances')
      .set(bearer(token))
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`definitionId=regulation-amendment&input=${'x'.repeat(TWO_MB)}`);
    expectErrorShape(form, 413, 'TOO_LARGE');

    expect(await countInstances()).toBe(before);
    // a body just under the limit is read (and refused for its content, not its size)
    const under = await t
      .http()
      .post('/instances')
      .set(bearer(token))
      .send({ definitionId: 'regulation-amendment', input: { proposedBy: 'x', rationale: 'x'.repeat(900 * 1024) } });
    expect(under.status).not.toBe(413);
    expect(under.status).toBeLessThan(500);
  });

  it('refuses JSON nested deeper than the limit with 400, not a stack overflow', async () => {
    const deep = `{"definitionId":"regulation-amendment","input":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const res = await t.http().post('/instances').set(bearer(token)).set('Content-Type', 'application/json').send(deep);
    expectErrorShape(res, 400, 'INVALID_PAYLOAD');
    expect(res.body.message).toMatch(/deeper than 64 levels/);
    // brackets inside strings do not count
    const inString = await t
      .http()
      .post('/instances')
      .set(bearer(token))
      .send({ definitionId: 'no-such-definition', input: { note: '['.repeat(10_000) } });
    expectErrorShape(inString, 404, 'NOT_FOUND');
  });

  it('answers a NUL character the database cannot store with 400, not 500', async () => {
    const started = await t
      .http()
      .post('/instances')
      .set(bearer(token))
      .send({ definitionId: 'regulation-amendment', input: { proposedBy: 'Kazakhstan', rationale: 'NUL check' } })
      .expect(201);
    const id = started.body.instance.id as string;
    const res = await t
      .http()
      .post(`/instances/${id}/deadlines/a%00b/extend`)
      .set(bearer(await managerToken()))
      .send({ dueAt: '2099-01-01T00:00:00Z', reason: 'x' });
    expectErrorShape(res, 400, 'INVALID_PAYLOAD');
    expect(res.body.message).toMatch(/cannot be stored/);
    const history = await t.http().get(`/instances/${id}/history`).set(bearer(token)).expect(200);
    expect(history.body).toHaveLength(1);
  });

  it('limits sign-in to 10 attempts a minute per address: the 11th is 429 with a message and Retry-After', async () => {
    const attempt = (password: string) => t.http().post('/auth/sign-in').send({ email: officer.email, password });
    for (let i = 1; i <= 10; i++) {
      const res = await attempt(`wrong password ${i}`);
      expectErrorShape(res, 401, 'UNAUTHENTICATED');
    }
    const limited = await attempt('wrong password 11');
    expectErrorShape(limited, 429, 'RATE_LIMITED');
    expect(limited.body.message).toMatch(/Too many sign-in attempts.*try again in \d+ seconds?/);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // the right password does not get around it
    const right = await attempt(officer.password);
    expectErrorShape(right, 429, 'RATE_LIMITED');
    // other routes are not limited
    for (let i = 0; i < 15; i++) await t.http().get('/auth/me').set(bearer(token)).expect(200);
  });

  let manager: string | undefined;
  async function managerToken(): Promise<string> {
    manager ??= await tokenFor(t.app, await createUser(t.app, { role: 'manager' }));
    return manager;
  }
});
