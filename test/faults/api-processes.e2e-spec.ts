/**
 * API_PROCESSES=2, with real processes: `node src/main.ts` started by the test on a loopback port
 * becomes a primary that forks two API processes sharing the port (node:cluster), on a database
 * and a Redis prefix of their own.
 *
 * - both processes answer requests (each response names the pid that served it, through the
 *   test-only preload test/support/served-by.ts), /health/ready included, and a token signed by one
 *   is accepted by the other although JWT_SECRET is not set (the primary makes one for all);
 * - start-up work done once: with DEMO=true only one process seeds the demo accounts;
 * - an API process killed with SIGKILL is replaced by the primary, while the other keeps serving;
 * - SIGTERM to the primary stops every process cleanly (exit code 0) within a bounded time, and
 *   nothing is restarted meanwhile;
 * - with API_PROCESSES unset the process serves HTTP itself and exits 0 on SIGTERM, as before.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { ENV_KEYS, deleteRedisKeys, required } from '../setup/test-infra';
import { createFreshDatabase, type TestDatabase } from '../support/databases';
import { insertUser, signInOverHttp, startService, waitFor, type ChildService } from './fault-support';

jest.setTimeout(600_000);

interface Served {
  status: number;
  pid: number;
  body: string;
}

/** One request on a connection of its own (so the primary hands each to the next API process). */
function request(url: string, path: string, token?: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}${path}`,
      { agent: false, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 30_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, pid: Number(res.headers['x-test-served-by']), body }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 30 s`)));
    req.on('error', reject);
  });
}

/** Requests `path` until each of `count` distinct pids has answered 200 (bounded); returns the pids. */
async function servingPids(url: string, path: string, count: number, token?: string): Promise<number[]> {
  const seen = new Set<number>();
  await waitFor(
    `${count} API processes to answer ${path}`,
    async () => {
      const r = await request(url, path, token);
      if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${r.body.slice(0, 300)}`);
      seen.add(r.pid);
      return seen.size >= count;
    },
    240_000,
    50,
  );
  return [...seen].sort();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('API_PROCESSES=2: two API processes behind one port', () => {
  let db: TestDatabase;
  let service: ChildService | undefined;
  const redisUrl = required(ENV_KEYS.redisUrl);
  const redisPrefix = `${required(ENV_KEYS.redisPrefix)}-cluster-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = await createFreshDatabase();
    service = await startService(
      {
        API_PROCESSES: '2',
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: redisPrefix,
        // JWT_SECRET and EVIDENCE_SIGNING_KEY left unset: the primary makes one for every process
        DEMO: 'true',
        RECONCILE_EVERY_MS: '0',
      },
      240_000,
      { preload: ['./test/support/served-by.ts'] },
    );
  }, 600_000);

  afterAll(async () => {
    await service?.kill();
    await db?.drop().catch(() => undefined);
    await deleteRedisKeys(redisUrl, `${redisPrefix}:`).catch(() => undefined);
  });

  it('serves from both processes, replaces one that dies while the other serves, and stops cleanly on SIGTERM', async () => {
    const svc = service!;
    const primary = svc.proc.pid!;

    // both API processes answer, health included; neither is the primary
    const pids = await servingPids(svc.url, '/health/ready', 2);
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(primary);

    // a token signed by one process is accepted by the other (one JWT_SECRET for all)
    const officer = await insertUser(db.url, 'legal_officer');
    const token = await signInOverHttp(svc.url, officer);
    expect(await servingPids(svc.url, '/auth/me', 2, token)).toEqual(pids);

    // the demo accounts were seeded by one process only
    await waitFor('the demo accounts to be seeded', () => svc.output().includes('demo account(s)'), 240_000);
    expect(count(svc.output(), 'DEMO=true: demo accounts')).toBe(1);

    // one API process dies: the other keeps serving, and the primary starts a new one in its place
    const [victim, survivor] = pids;
    process.kill(victim, 'SIGKILL');
    await waitFor('the killed API process to be gone', () => !alive(victim), 60_000, 50);
    const afterKill = await waitFor(
      'an answer after the kill',
      async () => {
        const r = await request(svc.url, '/health/ready');
        return r.status === 200 ? r : null;
      },
      60_000,
      50,
    );
    // (the replacement starts 1 s after the death at the earliest, and then boots)
    expect(afterKill.pid).toBe(survivor);
    expect(alive(primary)).toBe(true);
    const replaced = await servingPids(svc.url, '/health/ready', 2);
    expect(replaced).toContain(survivor);
    expect(replaced).not.toContain(victim);
    const replacement = replaced.find((p) => p !== survivor)!;
    expect(svc.output()).toContain(`(pid ${victim}) was killed by SIGKILL; starting a new one in 1000 ms`);
    // the new process accepts the tokens the others signed
    const me = await request(svc.url, '/auth/me', token);
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toEqual(expect.objectContaining({ email: officer.email }));

    // SIGTERM: every process stops, the primary exits 0 within a bounded time, nothing restarted
    const started = Date.now();
    svc.proc.kill('SIGTERM');
    const exit = await Promise.race([
      svc.exited,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000).unref()),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(alive(survivor)).toBe(false);
    expect(alive(replacement)).toBe(false);
    expect(count(svc.output(), 'starting a new one')).toBe(1);
    await expect(request(svc.url, '/health')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('API_PROCESSES unset: one process, as before', () => {
  it('serves HTTP itself (no primary) and exits 0 on SIGTERM', async () => {
    const db = await createFreshDatabase();
    const redisUrl = required(ENV_KEYS.redisUrl);
    const redisPrefix = `${required(ENV_KEYS.redisPrefix)}-single-${randomBytes(3).toString('hex')}`;
    let svc: ChildService | undefined;
    try {
      svc = await startService(
        { DATABASE_URL: db.url, REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix, RECONCILE_EVERY_MS: '0' },
        240_000,
        { preload: ['./test/support/served-by.ts'] },
      );
      const r = await request(svc.url, '/health/ready');
      expect(r.status).toBe(200);
      expect(r.pid).toBe(svc.proc.pid);
      svc.proc.kill('SIGTERM');
      const exit = await Promise.race([
        svc.exited,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000).unref()),
      ]);
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      await svc?.kill();
      await db.drop().catch(() => undefined);
      await deleteRedisKeys(redisUrl, `${redisPrefix}:`).catch(() => undefined);
    }
  });
});
