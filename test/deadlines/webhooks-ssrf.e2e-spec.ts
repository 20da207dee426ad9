/**
 * Webhooks and server-side request forgery: every internal address form is refused when a
 * webhook is registered (400 with a sentence, nothing stored); a name that resolves to an
 * internal address by the time of delivery is refused then (recorded, never POSTed); a loopback
 * listener is reached only when WEBHOOK_ALLOWED_HOSTS allows it. And a delivery whose job Redis
 * lost is made once, by the reconciliation of a worker process sharing the database.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DeadlineReconciler } from '../../src/deadlines/deadline-reconciler.service';
import { NotificationsService } from '../../src/deadlines/notifications.service';
import { sealWebhookSecret } from '../../src/deadlines/webhook-secrets';
import { deleteRedisKeys, ENV_KEYS, required } from '../setup/test-infra';
import { bearer, signedIn } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { counterDefinition } from '../engine/counter.definition';
import { INTERNAL_URLS } from '../support/internal-urls';

process.env.RECONCILE_EVERY_MS = '0';
process.env.WEBHOOK_BACKOFF_MS = '20';
process.env.WEBHOOK_ATTEMPTS = '2';
process.env.WEBHOOK_TIMEOUT_MS = '2000';

let nextOutboxId = 8_000_000;

const procedures = new WeakMap<TestApp, Promise<string>>();

/** A procedure of the test app that notifications can be about (one per app). */
function someProcedure(t: TestApp): Promise<string> {
  let id = procedures.get(t);
  if (!id) {
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    id = signedIn(t.app, { role: 'legal_officer' }).then(async (officer) => {
      const started = await t.app
        .get(WorkflowEngine)
        .start({ definitionId: 'test-counter', input: {}, actor: officer.actor });
      return started.instanceId;
    });
    procedures.set(t, id);
  }
  return id;
}

/** Runs the `notify` outbox handler for a message addressed to one user, as the relay would. */
async function notifyUser(t: TestApp, userId: string): Promise<string> {
  const id = String(nextOutboxId++);
  const instanceId = await someProcedure(t);
  await t.app.get(NotificationsService).store({
    id,
    instanceId,
    kind: 'notify',
    attempts: 0,
    payload: {
      instanceId,
      seq: 1,
      definitionId: 'test',
      effect: { type: 'effect.notify', kind: 'info', audience: { userIds: [userId] }, subject: 'hello' },
      by: 'test',
    },
  });
  return id;
}

async function deliveryOf(t: TestApp, outboxId: string, until: (status: string) => boolean) {
  for (let i = 0; i < 1000; i++) {
    const [d] = await t.dataSource.query(
      `SELECT d.id, d.status, d.attempts, d.last_error FROM webhook_delivery d JOIN notification n ON n.id = d.notification_id WHERE n.outbox_id = $1`,
      [outboxId],
    );
    if (d && until(d.status)) return d as { id: string; status: string; attempts: number; last_error: string | null };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the delivery of outbox message ${outboxId} did not settle`);
}

describe('webhooks and SSRF', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(req.url ?? '/');
        if (req.url === '/moved') res.writeHead(302, { Location: `http://127.0.0.1:${port}/elsewhere` }).end();
        else res.writeHead(200).end('internal answer that must never be stored');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  describe('without an allowlist', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('refuses every internal address form at registration, with a sentence, storing nothing', async () => {
      const mgr = await signedIn(t.app, { role: 'manager' });
      for (const url of [...INTERNAL_URLS, `http://127.0.0.1:${port}/admin`, `http://localhost:${port}/x`]) {
        const res = await t.http().post('/webhooks').set(bearer(mgr.token)).send({ url });
        expect({ url, status: res.status }).toEqual({ url, status: 400 });
        expect(res.body.message).toMatch(
          /^Webhooks cannot be sent to .+: it (is|resolves to) a loopback, private, link-local or otherwise internal address/,
        );
      }
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM webhook_subscription`);
      expect(n).toBe(0);
    });

    it('refuses at delivery a name that resolves to an internal address, recording no answer', async () => {
      const mgr = await signedIn(t.app, { role: 'manager' });
      // registered while the name resolved elsewhere; now `localhost` (the hosts file) is loopback
      const id = randomUUID();
      await t.dataSource.query(
        `INSERT INTO webhook_subscription (id, user_id, url, secret_sealed, active, created_by, created_at)
         VALUES ($1, $2, $3, $4, true, $2, now())`,
        [
          id,
          mgr.user.id,
          `http://localhost:${port}/rebound`,
          sealWebhookSecret(Buffer.from(t.env.WEBHOOK_SECRET_KEY, 'base64'), id, 'a-secret-of-16-chars'),
        ],
      );
      received.length = 0;
      const d = await deliveryOf(t, await notifyUser(t, mgr.user.id), (s) => s !== 'pending');
      expect(d).toMatchObject({ status: 'failed', attempts: 1 });
      expect(d.last_error).toMatch(/^refused: Webhooks cannot be sent to localhost: it resolves to a loopback/);
      expect(received).toEqual([]);
    });

    it('only managers and administrators register webhooks', async () => {
      for (const role of ['approver', 'legal_officer'] as const) {
        const who = await signedIn(t.app, role === 'approver' ? { role, memberState: 'KZ' } : { role });
        const res = await t
          .http()
          .post('/webhooks')
          .set(bearer(who.token))
          .send({ url: 'https://hooks.example.org/x' })
          .expect(403);
        expect(res.body.message).toBe(`This action needs the role manager or admin; you are ${role}`);
      }
    });
  });

  describe('with 127.0.0.1 allowed', () => {
    let api: TestApp;
    let worker: TestApp | undefined;
    beforeAll(async () => {
      api = await createTestApp({ env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WORKERS_IN_PROCESS: 'false' } });
    });
    afterAll(async () => {
      await worker?.close();
      await api.close();
    });

    it('follows no redirect: a 302 is a failed delivery, recorded with its status only', async () => {
      const mgr = await signedIn(api.app, { role: 'manager' });
      const sub = await api
        .http()
        .post('/webhooks')
        .set(bearer(mgr.token))
        .send({ url: `http://127.0.0.1:${port}/moved` })
        .expect(201);
      received.length = 0;
      const local = await createTestApp({
        databaseUrl: api.databaseUrl,
        env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', REDIS_PREFIX: `${api.redisPrefix}-redirect` },
      });
      try {
        const d = await deliveryOf(local, await notifyUser(local, mgr.user.id), (s) => s !== 'pending');
        expect(d).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 302' });
        expect(received).toEqual(['/moved']);
      } finally {
        await api.http().delete(`/webhooks/${sub.body.id}`).set(bearer(mgr.token)).expect(204);
        await local.close();
      }
    });

    it('delivers to the loopback listener once, after Redis lost the job and a worker reconciled', async () => {
      const admin = await signedIn(api.app, { role: 'admin' });
      const sub = await api
        .http()
        .post('/webhooks')
        .set(bearer(admin.token))
        .send({ url: `http://127.0.0.1:${port}/allowed` })
        .expect(201);
      received.length = 0;
      const outboxId = await notifyUser(api, admin.user.id);
      const pending = await deliveryOf(api, outboxId, (s) => s === 'pending');
      // Redis loses everything of this deployment (the queued job with it)
      expect(await deleteRedisKeys(required(ENV_KEYS.redisUrl), `${api.redisPrefix}:`)).toBeGreaterThan(0);

      // a worker process of the same deployment reconciles at start and delivers
      worker = await createTestApp({
        databaseUrl: api.databaseUrl,
        env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', REDIS_PREFIX: api.redisPrefix },
      });
      const d = await deliveryOf(api, outboxId, (s) => s !== 'pending');
      expect(d).toEqual({ id: pending.id, status: 'delivered', attempts: 1, last_error: null });
      expect(received).toEqual(['/allowed']);

      const again = await api.app.get(DeadlineReconciler).reconcile();
      expect(again).toMatchObject({ webhooksRequeued: 0 });
      expect(received).toEqual(['/allowed']);
      await api.http().delete(`/webhooks/${sub.body.id}`).set(bearer(admin.token)).expect(204);
    });
  });
});
