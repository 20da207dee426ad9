/**
 * Malformed transport answers 400/413/415 with the common error body, never 500: bodies that do
 * not inflate (gzip, deflate, br), unknown encodings and charsets, truncated bodies, wrong
 * content types, duplicate JSON keys, oversized headers, on a public route (sign-in) and on an
 * authenticated write route. Nothing is written by a refused request.
 */
import * as http from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

interface RawAnswer {
  status: number;
  body: { statusCode?: number; error?: string; message?: string } | string;
}

/** Sends raw bytes with the given headers; `declaredLength` may lie about the body's length (a truncated body). */
export function rawRequest(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer; declaredLength?: number },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? Buffer.alloc(0);
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    headers['content-length'] = String(options.declaredLength ?? body.length);
    const req = http.request(`${url}${path}`, { method: options.method ?? 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as RawAnswer['body'] });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    const truncated = options.declaredLength !== undefined && options.declaredLength > body.length;
    req.on('error', (err) => (truncated ? undefined : reject(err)));
    req.write(body);
    if (truncated) {
      // a body cut short: the client goes away before sending what it announced
      setTimeout(() => req.destroy(), 200);
      req.on('close', () => resolve({ status: 400, body: { statusCode: 400, error: 'CLIENT_CLOSED' } }));
      return;
    }
    req.end();
  });
}

describe('malformed transport is a 4xx with the common error body', () => {
  let t: TestApp;
  let officer: TestUser;
  let token: string;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp({ logLevels: ['error'] });
    officer = await createUser(t.app, { role: 'legal_officer' });
    token = await tokenFor(t.app, officer);
    url = t.url;
  });
  afterAll(() => t?.close());

  const countInstances = async () =>
    (await t.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM workflow_instance`))[0].n;
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const start = json({ definitionId: 'regulation-amendment', input: { rationale: 'x' } });

  const cases: [string, Record<string, string>, Buffer, number][] = [
    ['gzip header, plain body', { 'content-encoding': 'gzip', 'content-type': 'application/json' }, start, 400],
    ['deflate header, plain body', { 'content-encoding': 'deflate', 'content-type': 'application/json' }, start, 400],
    ['br header, plain body', { 'content-encoding': 'br', 'content-type': 'application/json' }, start, 400],
    [
      'gzip body cut in half',
      { 'content-encoding': 'gzip', 'content-type': 'application/json' },
      gzipSync(start).subarray(0, 20),
      400,
    ],
    [
      'deflate body with garbage after it',
      { 'content-encoding': 'deflate', 'content-type': 'application/json' },
      Buffer.concat([deflateSync(start).subarray(0, 10), Buffer.from('garbage')]),
      400,
    ],
    [
      'br body cut short',
      { 'content-encoding': 'br', 'content-type': 'application/json' },
      brotliCompressSync(start).subarray(0, 5),
      400,
    ],
    ['unknown encoding', { 'content-encoding': 'zstd-x', 'content-type': 'application/json' }, start, 415],
    ['unknown charset', { 'content-type': 'application/json; charset=klingon' }, start, 415],
    ['latin-1 charset for JSON', { 'content-type': 'application/json; charset=iso-8859-1' }, start, 415],
    [
      'duplicate JSON keys',
      { 'content-type': 'application/json' },
      Buffer.from('{"definitionId":"a","definitionId":"b","input":{}}'),
      400,
    ],
    [
      'duplicate nested JSON keys',
      { 'content-type': 'application/json' },
      Buffer.from('{"definitionId":"regulation-amendment","input":{"rationale":"a","rationale":"b"}}'),
      400,
    ],
    ['text/plain body', { 'content-type': 'text/plain' }, start, 415],
    ['XML body', { 'content-type': 'application/xml' }, Buffer.from('<a/>'), 415],
    ['malformed content type', { 'content-type': 'application/json; charset' }, start, 415],
  ];

  for (const auth of ['sign-in', 'authenticated write']) {
    it.each(cases)(`%s on ${auth} is refused with the common error body`, async (_name, headers, body, status) => {
      const before = await countInstances();
      const path = auth === 'sign-in' ? '/auth/sign-in' : '/instances';
      const res = await rawRequest(url, path, {
        headers: { ...headers, ...(auth === 'sign-in' ? {} : bearer(token)) },
        body,
      });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
      expect(await countInstances()).toBe(before);
    });
  }

  it('a gzip body that does inflate is read', async () => {
    const res = await rawRequest(url, '/auth/sign-in', {
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
      body: gzipSync(json({ email: officer.email, password: officer.password })),
    });
    expect(res.status).toBe(200);
  });

  it('oversized headers are refused with 431, not 500', async () => {
    const res = await rawRequest(url, '/instances', {
      headers: { ...bearer(token), 'content-type': 'application/json', 'x-filler': 'a'.repeat(64 * 1024) },
      body: start,
    });
    expect([413, 431]).toContain(res.status);
    expect(res.body).toMatchObject({ statusCode: res.status, error: 'TOO_LARGE' });
  });

  it('a URL over the header size limit (a 20 KB query string) is 431 with the common error body', async () => {
    // found by test/abuse/fuzz-openapi.e2e-spec.ts: Node's parser used to answer a bare 431 without a body
    const res = await rawRequest(url, `/users?active=${'x'.repeat(20_000)}`, { method: 'GET', headers: bearer(token) });
    expect(res.status).toBe(431);
    expect(res.body).toMatchObject({
      statusCode: 431,
      error: 'TOO_LARGE',
      message: expect.stringMatching(/too large/),
    });
  });

  it('a truncated body (the client announces more than it sends) writes nothing and the server stays up', async () => {
    const before = await countInstances();
    await rawRequest(url, '/instances', {
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: start.subarray(0, 10),
      declaredLength: start.length,
    });
    expect(await countInstances()).toBe(before);
    expect((await t.http().get('/health').expect(200)).status).toBe(200);
  });
});
