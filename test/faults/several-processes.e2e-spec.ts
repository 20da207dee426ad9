/**
 * Several processes, one truth, with real processes: two API processes and one worker process
 * (each `node src/main.ts` / `node src/worker.ts`, started by the test on loopback) on one
 * PostgreSQL database and one Redis prefix of their own.
 *
 * - the sign-in limit of an account counts the attempts made through both API processes;
 * - a member state added through API process 1 takes part in a round of comments opened through
 *   API process 2 (which had read the reference data before), and the worker reminds its approver;
 * - the escalation webhook of that round, lost with Redis (every key of the deployment deleted
 *   before it was sent), is delivered once after reconciliation.
 *
 * Time: every process reads the same clock file (test/support/child-clock.ts); the test moves it
 * and promotes the deadline jobs due by then, as Redis would when their time came.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { DEADLINES_QUEUE, WEBHOOKS_QUEUE, type DeadlineJobData } from '../../src/deadlines/deadline-jobs';
import { ENV_KEYS, deleteRedisKeys, required, withPg } from '../setup/test-infra';
import { moveChildClocks } from '../support/child-clock';
import { createFreshDatabase, type TestDatabase } from '../support/databases';
import {
  insertUser,
  signInOverHttp,
  startService,
  waitFor,
  type ChildService,
  type InsertedUser,
} from './fault-support';

jest.setTimeout(600_000);

const DAY = 86_400_000;

describe('two API processes and a worker process on one PostgreSQL and one Redis', () => {
  let db: TestDatabase;
  let api1: ChildService | undefined;
  let api2: ChildService | undefined;
  let worker: ChildService | undefined;
  let hooks: Server;
  const received: string[] = [];
  const redisUrl = required(ENV_KEYS.redisUrl);
  const redisPrefix = `${required(ENV_KEYS.redisPrefix)}-procs-${randomBytes(3).toString('hex')}`;
  const clockDir = mkdtempSync(path.join(tmpdir(), 'amendflow-clock-'));
  const clockFile = path.join(clockDir, 'ahead-ms');
  let deadlines: Queue<DeadlineJobData>;
  let webhooks: Queue;

  const call = async (base: string, method: string, route: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: json as Record<string, unknown> & unknown[] };
  };
  const query = <T>(sql: string, params: unknown[] = []) =>
    withPg(db.url, async (c) => (await c.query(sql, params)).rows as T[]);

  /** Promotes every delayed deadline job due by `at` (what Redis does when the time comes). */
  const promoteDue = async (at: number) => {
    const due = (await deadlines.getDelayed(0, -1)).filter((j) => j && j.data.at <= at);
    for (const j of due) await j.promote().catch(() => undefined);
    return due.map((j) => j.name);
  };
  const outboxEmpty = () =>
    waitFor(
      'the outbox to be processed',
      async () =>
        (await query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_message WHERE processed_at IS NULL`))[0]
          .n === 0,
      120_000,
      100,
    );

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(req.url ?? '');
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    moveChildClocks(clockFile, 0);
    db = await createFreshDatabase();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      JWT_SECRET: randomBytes(32).toString('hex'),
      WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      SIGN_IN_LIMIT_PER_ACCOUNT: '3',
      SIGN_IN_ATTEMPTS_PER_MINUTE: '1000',
      RECONCILE_EVERY_MS: '0',
      AMENDFLOW_TEST_CLOCK_FILE: clockFile,
    };
    const preload = ['./test/support/child-clock.ts'];
    // the first boot applies the migrations (already there: the database is a clone of the template)
    api1 = await startService({ ...env, WORKERS_IN_PROCESS: 'false' }, 240_000, { preload });
    [api2, worker] = await Promise.all([
      startService({ ...env, WORKERS_IN_PROCESS: 'false' }, 240_000, { preload }),
      startService(env, 240_000, { preload, entry: 'src/worker.ts' }),
    ]);
    const connection = { url: redisUrl };
    deadlines = new Queue(DEADLINES_QUEUE, { connection, prefix: redisPrefix });
    webhooks = new Queue(WEBHOOKS_QUEUE, { connection, prefix: redisPrefix });
  }, 600_000);

  afterAll(async () => {
    await Promise.all([api1?.kill(), api2?.kill(), worker?.kill()]);
    await deadlines?.close();
    await webhooks?.close();
    await new Promise((r) => hooks?.close(r));
    await db?.drop().catch(() => undefined);
    await deleteRedisKeys(redisUrl, `${redisPrefix}:`).catch(() => undefined);
    rmSync(clockDir, { recursive: true, force: true });
  });

  it('counts the sign-in attempts of an account across both API processes', async () => {
    const victim = await insertUser(db.url, 'legal_officer');
    const wrong = { email: victim.email, password: 'not-the-password-at-all' };
    const statuses: number[] = [];
    for (const base of [api1!.url, api2!.url, api1!.url])
      statuses.push((await call(base, 'POST', '/auth/sign-in', undefined, wrong)).status);
    expect(statuses).toEqual([401, 401, 401]);
    // the fourth attempt, even with the right password and through the other process, is refused
    const fourth = await call(api2!.url, 'POST', '/auth/sign-in', undefined, {
      email: victim.email,
      password: victim.password,
    });
    expect(fourth.status).toBe(429);
    expect(String(fourth.body.message)).toMatch(/attempts|try again/i);
  });

  it('a member state added through one API process is in the round opened through the other, reminded by the worker, and its escalation webhook survives the loss of Redis', async () => {
    const admin = await insertUser(db.url, 'admin');
    const adminToken = await signInOverHttp(api1!.url, admin);
    // the second API process has its copy of the reference data before the change
    const before = await call(api2!.url, 'GET', '/reference/member-states', adminToken);
    expect(before.status).toBe(200);
    expect((before.body as unknown as { code: string }[]).map((s) => s.code)).not.toContain('XC');
    const kz = await call(api1!.url, 'GET', '/reference/member-states/KZ', adminToken);
    const added = await call(api1!.url, 'POST', '/reference/member-states/XC', adminToken, {
      data: { ...(kz.body.data as object), code: 'XC' },
      note: 'joins the organisation',
      validFrom: '2020-01-01',
      create: true,
    });
    expect(added.status).toBe(201);

    const [drafter, reviewer, xc]: InsertedUser[] = await Promise.all([
      insertUser(db.url, 'legal_officer'),
      insertUser(db.url, 'legal_officer'),
      insertUser(db.url, 'approver', 'XC'),
    ]);
    const manager = await insertUser(db.url, 'manager');
    const managerToken = await signInOverHttp(api1!.url, manager);
    const hook = await call(api1!.url, 'POST', '/webhooks', managerToken, {
      url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/escalation`,
    });
    expect(hook.status).toBe(201);

    // the round is opened through the second API process
    const officer = await signInOverHttp(api2!.url, drafter);
    const four = await signInOverHttp(api2!.url, reviewer);
    const started = await call(api2!.url, 'POST', '/instances', officer, {
      definitionId: 'regulation-amendment',
      input: { proposedBy: 'Secretariat', rationale: 'A new member state' },
    });
    expect(started.status).toBe(201);
    const id = (started.body.instance as { id: string }).id;
    const event = async (token: string, type: string, payload: object = {}) => {
      const res = await call(api2!.url, 'POST', `/instances/${id}/events`, token, { type, payload });
      expect({ type, status: res.status, body: res.status === 200 ? null : res.body }).toEqual({
        type,
        status: 200,
        body: null,
      });
      return res.body;
    };
    await event(officer, 'START_DRAFTING');
    expect((await call(api2!.url, 'POST', `/instances/${id}/draft`, officer, { source: 'regulation' })).status).toBe(
      201,
    );
    await event(officer, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 });
    await event(four, 'APPROVE_REVIEW'); // version 1 goes to the member states
    const [{ snapshot }] = await query<{ snapshot: { context: { commentRounds?: { electorate: string[] }[] } } }>(
      `SELECT snapshot FROM workflow_instance WHERE id = $1`,
      [id],
    );
    expect(snapshot.context.commentRounds?.at(-1)?.electorate).toContain('XC');
    await outboxEmpty();

    // 23 days later (every process's clock), the 7-day reminder: run by the worker
    moveChildClocks(clockFile, 23 * DAY + 3_600_000);
    expect(await promoteDue(Date.now() + 23 * DAY + 3_600_000)).toContain('REMINDER');
    const reminded = await waitFor(
      "the reminder of XC's approver",
      async () =>
        (
          await query<{ kind: string; subject: string }>(
            `SELECT kind, subject FROM notification WHERE user_id = $1 AND kind = 'reminder'`,
            [xc.id],
          )
        )[0],
      120_000,
      100,
    );
    expect(reminded.subject).toBe('Comments on draft version 1 are due in 7 day(s)');

    // the webhooks queue holds its jobs (as if no worker took them in time) ...
    await webhooks.pause();
    moveChildClocks(clockFile, 31 * DAY);
    // the deadline's one pending job is its 1-day reminder, past by now (skipped): the worker then
    // adds the due job, due at once, and delivers DEADLINE_PASSED (the escalation below proves it)
    expect(await promoteDue(Date.now() + 31 * DAY)).toContain('REMINDER');
    const pending = await waitFor(
      "the escalation's webhook delivery",
      async () =>
        (
          await query<{ id: string; status: string }>(
            `SELECT d.id, d.status FROM webhook_delivery d JOIN notification n ON n.id = d.notification_id
              WHERE n.user_id = $1 AND n.kind = 'escalation'`,
            [manager.id],
          )
        )[0],
      120_000,
      100,
    );
    expect(pending.status).toBe('pending');
    await waitFor('the delivery job in Redis', async () => (await webhooks.count()) > 0, 60_000, 100);
    // ... and Redis loses every key of the deployment, the job with them
    expect(await deleteRedisKeys(redisUrl, `${redisPrefix}:`)).toBeGreaterThan(0);
    expect(received).toEqual([]);

    // reconciliation (asked of one API process; tokens signed before the clock moved have expired)
    const adminNow = await signInOverHttp(api1!.url, admin);
    const first = await call(api1!.url, 'POST', '/admin/deadlines/reconcile', adminNow);
    expect(first.status).toBe(200);
    expect(first.body.webhooksRequeued).toBe(1);
    const delivered = await waitFor(
      'the webhook to be delivered',
      async () => {
        const [d] = await query<{ status: string; attempts: number }>(
          `SELECT status, attempts FROM webhook_delivery WHERE id = $1`,
          [pending.id],
        );
        return d.status !== 'pending' ? d : null;
      },
      120_000,
      100,
    );
    expect(delivered).toEqual({ status: 'delivered', attempts: 1 });
    expect(received).toEqual(['/escalation']);

    // a second reconciliation, through the other process, sends nothing again
    const adminThere = await signInOverHttp(api2!.url, admin);
    const second = await call(api2!.url, 'POST', '/admin/deadlines/reconcile', adminThere);
    expect(second.status).toBe(200);
    expect(second.body.webhooksRequeued).toBe(0);
    expect(received).toEqual(['/escalation']);
  });
});
