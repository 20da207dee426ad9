/**
 * Notifications (audience resolution, once per person per message), the /notifications API,
 * webhook subscriptions with signed deliveries to a local HTTP server (retries, permanent
 * failures, deletion), and Bull Board behind the administrators-only check.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DefinitionRegistry } from '../../workflows/registry';
import type { NotifyEffect } from '../../workflows/kernel/types';
import { NotificationsService } from '../../src/deadlines/notifications.service';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { bearer, signedIn } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { counterDefinition } from '../engine/counter.definition';

process.env.RECONCILE_EVERY_MS = '0';
process.env.WEBHOOK_BACKOFF_MS = '20';
process.env.WEBHOOK_ATTEMPTS = '3';
process.env.WEBHOOK_TIMEOUT_MS = '2000';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('notifications, webhooks and the queue dashboard', () => {
  let t: TestApp;
  let notifications: NotificationsService;
  let server: Server;
  let hookBase: string;
  const received: Received[] = [];
  /** Status codes a path answers with, in order (200 once they run out). */
  const script = new Map<string, number[]>();
  let instanceId: string;
  let nextOutboxId = 9_000_000;
  type Signed = Awaited<ReturnType<typeof signedIn>>;
  let kz1: Signed, kz2: Signed, ru: Signed;
  let mgr: Signed, admin: Signed, officer: Signed;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = script.get(path)?.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hookBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    t = await createTestApp({ env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    notifications = t.app.get(NotificationsService);
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    [kz1, kz2, ru, mgr, admin, officer] = await Promise.all([
      signedIn(t.app, { role: 'approver', memberState: 'KZ' }),
      signedIn(t.app, { role: 'approver', memberState: 'KZ' }),
      signedIn(t.app, { role: 'approver', memberState: 'RU' }),
      signedIn(t.app, { role: 'manager' }),
      signedIn(t.app, { role: 'admin' }),
      signedIn(t.app, { role: 'legal_officer' }),
    ]);
    ({ instanceId } = await t.app
      .get(WorkflowEngine)
      .start({ definitionId: 'test-counter', input: {}, actor: officer.actor }));
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => server.close(r));
  });

  /** Runs the `notify` outbox handler for a message, as the relay would. */
  const notify = async (effect: Omit<NotifyEffect, 'type'>, id = String(nextOutboxId++)) => {
    await notifications.store({
      id,
      instanceId,
      kind: 'notify',
      attempts: 0,
      payload: {
        instanceId,
        seq: 1,
        definitionId: 'test-counter',
        effect: { type: 'effect.notify', ...effect },
        by: 'test',
      },
    });
    return id;
  };
  const recipients = async (outboxId: string) =>
    (
      await t.dataSource.query<{ user_id: string }[]>(
        `SELECT user_id FROM notification WHERE outbox_id = $1 ORDER BY user_id`,
        [outboxId],
      )
    ).map((r) => r.user_id);
  /** Every webhook delivery has run to its end (delivered, failed or cancelled): none is pending. */
  const settled = () =>
    waitFor(
      'every webhook delivery to leave "pending"',
      async () => {
        const [{ n }] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM webhook_delivery WHERE status = 'pending'`,
        );
        return n === 0;
      },
      30_000,
      20,
    );

  describe('audience', () => {
    it('resolves roles, member states and user ids to active users, each once per message', async () => {
      expect(
        await recipients(await notify({ kind: 'escalation', audience: { roles: ['manager'] }, subject: 'overdue' })),
      ).toEqual([mgr.user.id]);
      expect(
        await recipients(await notify({ kind: 'reminder', audience: { memberStates: ['KZ'] }, subject: 'due soon' })),
      ).toEqual([kz1.user.id, kz2.user.id].sort());
      expect(
        await recipients(
          await notify({ kind: 'info', audience: { userIds: [ru.user.id, 'system', 'not-a-uuid'] }, subject: 'fyi' }),
        ),
      ).toEqual([ru.user.id]);
      expect(
        await recipients(await notify({ kind: 'info', audience: { memberStates: [] }, subject: 'nobody' })),
      ).toEqual([]);
      const both = await notify({
        kind: 'info',
        audience: { roles: ['manager'], userIds: [mgr.user.id], memberStates: ['RU'] },
        subject: 'overlap',
      });
      expect(await recipients(both)).toEqual([mgr.user.id, ru.user.id].sort());

      // the same message handled again (a re-run outbox row) notifies nobody twice
      await notify(
        {
          kind: 'info',
          audience: { roles: ['manager'], userIds: [mgr.user.id], memberStates: ['RU'] },
          subject: 'overlap',
        },
        both,
      );
      expect(await recipients(both)).toEqual([mgr.user.id, ru.user.id].sort());

      // deactivated people are not notified
      await t.dataSource.query(`UPDATE app_user SET active = false WHERE id = $1`, [kz2.user.id]);
      try {
        expect(
          await recipients(await notify({ kind: 'reminder', audience: { memberStates: ['KZ'] }, subject: 'due soon' })),
        ).toEqual([kz1.user.id]);
      } finally {
        await t.dataSource.query(`UPDATE app_user SET active = true WHERE id = $1`, [kz2.user.id]);
      }
    });
  });

  describe('GET/POST /notifications', () => {
    it('lists mine newest first, filters unread, counts, marks read', async () => {
      const http = () => t.http();
      await http().get('/notifications').expect(401);
      await notify({ kind: 'info', audience: { userIds: [officer.user.id] }, subject: 'first' });
      t.clock.advance({ minutes: 1 });
      await notify({ kind: 'reminder', audience: { userIds: [officer.user.id] }, subject: 'second' });
      t.clock.advance({ minutes: 1 });
      await notify({ kind: 'escalation', audience: { userIds: [officer.user.id] }, subject: 'third' });

      const all = await http().get('/notifications').set(bearer(officer.token)).expect(200);
      expect(all.body).toMatchObject({ total: 3, page: 1, pageSize: 25 });
      expect(all.body.items.map((n: { subject: string }) => n.subject)).toEqual(['third', 'second', 'first']);
      expect(all.body.items[0]).toMatchObject({
        kind: 'escalation',
        instanceId,
        readAt: null,
        data: { definitionId: 'test-counter' },
      });
      const page2 = await http().get('/notifications?pageSize=1&page=2').set(bearer(officer.token)).expect(200);
      expect(page2.body.items.map((n: { subject: string }) => n.subject)).toEqual(['second']);
      await http().get('/notifications?pageSize=0').set(bearer(officer.token)).expect(400);

      expect((await http().get('/notifications/unread-count').set(bearer(officer.token)).expect(200)).body).toEqual({
        unread: 3,
      });
      const secondId = all.body.items[1].id;
      const read = await http().post(`/notifications/${secondId}/read`).set(bearer(officer.token)).expect(200);
      expect(read.body.readAt).toBe(t.clock.now().toISOString());
      await http().post(`/notifications/${secondId}/read`).set(bearer(kz1.token)).expect(404); // not theirs
      await http().post('/notifications/not-an-id/read').set(bearer(officer.token)).expect(404);
      const unread = await http().get('/notifications?unread=true').set(bearer(officer.token)).expect(200);
      expect(unread.body.items.map((n: { subject: string }) => n.subject)).toEqual(['third', 'first']);
      expect((await http().get('/notifications/unread-count').set(bearer(officer.token)).expect(200)).body).toEqual({
        unread: 2,
      });
      expect((await http().post('/notifications/read-all').set(bearer(officer.token)).expect(200)).body).toEqual({
        updated: 2,
      });
      expect((await http().get('/notifications/unread-count').set(bearer(officer.token)).expect(200)).body).toEqual({
        unread: 0,
      });
    });
  });

  describe('webhooks', () => {
    it('subscriptions: a manager or administrator for themselves or for a member state', async () => {
      await t.http().post('/webhooks').set(bearer(mgr.token)).send({ url: 'ftp://example.org/x' }).expect(400);
      await t
        .http()
        .post('/webhooks')
        .set(bearer(mgr.token))
        .send({ url: 'https://user:pw@example.org/x' })
        .expect(400);
      for (const who of [kz1, ru, officer]) {
        const refused = await t
          .http()
          .post('/webhooks')
          .set(bearer(who.token))
          .send({ url: `${hookBase}/x`, memberState: who.user.memberState ?? undefined })
          .expect(403);
        expect(refused.body.message).toMatch(/needs the role manager or admin/);
      }
      await t
        .http()
        .post('/webhooks')
        .set(bearer(mgr.token))
        .send({ url: `${hookBase}/x`, memberState: 'ZZ' })
        .expect(400);
      const mine = await t
        .http()
        .post('/webhooks')
        .set(bearer(admin.token))
        .send({ url: `${hookBase}/admin` })
        .expect(201);
      expect(mine.body).toMatchObject({
        userId: admin.user.id,
        memberState: null,
        url: `${hookBase}/admin`,
        active: true,
        secret: expect.any(String),
      });
      const state = await t
        .http()
        .post('/webhooks')
        .set(bearer(mgr.token))
        .send({ url: `${hookBase}/ru-state`, memberState: 'RU' })
        .expect(201);
      expect(state.body).toMatchObject({ userId: null, memberState: 'RU' });

      expect((await t.http().get('/webhooks').set(bearer(ru.token)).expect(200)).body).toEqual([]);
      const mgrList = await t.http().get('/webhooks').set(bearer(mgr.token)).expect(200);
      expect(mgrList.body.map((s: { id: string }) => s.id)).toEqual([state.body.id]);
      expect(mgrList.body[0].secret).toBeUndefined();
      const adminList = await t.http().get('/webhooks').set(bearer(admin.token)).expect(200);
      expect(adminList.body.map((s: { id: string }) => s.id).sort()).toEqual([mine.body.id, state.body.id].sort());

      // the secret is stored encrypted, never in plain text
      const [stored] = await t.dataSource.query(`SELECT secret_sealed FROM webhook_subscription WHERE id = $1`, [
        mine.body.id,
      ]);
      expect(stored.secret_sealed).toMatch(/^v1\./);
      expect(stored.secret_sealed).not.toContain(mine.body.secret);

      await t.http().delete(`/webhooks/${mine.body.id}`).set(bearer(mgr.token)).expect(404);
      await t.http().delete(`/webhooks/${state.body.id}`).set(bearer(ru.token)).expect(404);
      await t.http().delete(`/webhooks/${mine.body.id}`).set(bearer(admin.token)).expect(204);
      await t.http().delete(`/webhooks/${state.body.id}`).set(bearer(admin.token)).expect(204);
      expect((await t.http().get('/webhooks').set(bearer(admin.token)).expect(200)).body).toEqual([]);

      // nothing is POSTed to deleted subscriptions
      received.length = 0;
      await notify({ kind: 'info', audience: { memberStates: ['RU'] }, subject: 'after delete' });
      await settled();
      expect(received).toEqual([]);
    });

    it('POSTs each notification once per subscription, signed, retrying server errors', async () => {
      const own = await t
        .http()
        .post('/webhooks')
        .set(bearer(mgr.token))
        .send({ url: `${hookBase}/kz1`, secret: 'kz1-secret-kz1-secret' })
        .expect(201);
      const state = await t
        .http()
        .post('/webhooks')
        .set(bearer(mgr.token))
        .send({ url: `${hookBase}/kz`, memberState: 'KZ' })
        .expect(201);
      script.set('/kz1', [500, 503]); // fails twice, then succeeds on the third (last) attempt
      received.length = 0;

      const outboxId = await notify({
        kind: 'reminder',
        audience: { memberStates: ['KZ'], userIds: [mgr.user.id] },
        subject: 'Comments are due in 7 day(s)',
      });
      await settled();
      expect(received.filter((r) => r.path === '/kz1')).toHaveLength(3);
      expect(received.filter((r) => r.path === '/kz')).toHaveLength(1); // one per message for the state, not one per approver

      const ok = received.filter((r) => r.path === '/kz1')[2];
      const timestamp = ok.headers['x-amendflow-timestamp'] as string;
      const expected = `sha256=${createHmac('sha256', 'kz1-secret-kz1-secret').update(`${timestamp}.${ok.body}`).digest('hex')}`;
      expect(ok.headers['x-amendflow-signature']).toBe(expected);
      expect(ok.headers['content-type']).toBe('application/json');
      const body = JSON.parse(ok.body);
      expect(body).toMatchObject({
        deliveryId: ok.headers['x-amendflow-delivery'],
        subscriptionId: own.body.id,
        memberState: null,
        notification: { userId: mgr.user.id, instanceId, kind: 'reminder', subject: 'Comments are due in 7 day(s)' },
      });
      const stateBody = JSON.parse(received.find((r) => r.path === '/kz')!.body);
      expect(stateBody).toMatchObject({ subscriptionId: state.body.id, memberState: 'KZ' });
      expect(() => JSON.parse(received[0].body)).not.toThrow();

      const deliveriesOf = (id: string) =>
        t.dataSource.query(
          `SELECT d.id, d.status, d.attempts, d.last_error, s.url FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id
            JOIN notification n ON n.id = d.notification_id WHERE n.outbox_id = $1 ORDER BY s.url`,
          [id],
        );
      const deliveries = await deliveriesOf(outboxId);
      expect(deliveries).toEqual([
        { id: expect.any(String), status: 'delivered', attempts: 1, last_error: null, url: `${hookBase}/kz` },
        { id: expect.any(String), status: 'delivered', attempts: 3, last_error: null, url: `${hookBase}/kz1` },
      ]);

      // the message relayed again: nothing new is stored or sent. A webhook is only ever sent for a
      // pending delivery (and counted in its attempts), so the same two delivered rows, no new one,
      // prove that nothing can be sent after this point.
      received.length = 0;
      await notify(
        {
          kind: 'reminder',
          audience: { memberStates: ['KZ'], userIds: [mgr.user.id] },
          subject: 'Comments are due in 7 day(s)',
        },
        outboxId,
      );
      expect(await deliveriesOf(outboxId)).toEqual(deliveries);
      await settled();
      expect(received).toEqual([]);
      await t.http().delete(`/webhooks/${own.body.id}`).set(bearer(mgr.token)).expect(204);
      await t.http().delete(`/webhooks/${state.body.id}`).set(bearer(mgr.token)).expect(204);
    });

    it('gives up at once on a client error', async () => {
      const sub = await t
        .http()
        .post('/webhooks')
        .set(bearer(admin.token))
        .send({ url: `${hookBase}/gone` })
        .expect(201);
      script.set('/gone', [410]);
      received.length = 0;
      const outboxId = await notify({ kind: 'info', audience: { userIds: [admin.user.id] }, subject: 'hello' });
      await settled();
      expect(received.map((r) => r.path)).toEqual(['/gone']);
      const [d] = await t.dataSource.query(
        `SELECT d.status, d.attempts, d.last_error FROM webhook_delivery d JOIN notification n ON n.id = d.notification_id WHERE n.outbox_id = $1`,
        [outboxId],
      );
      expect(d).toEqual({ status: 'failed', attempts: 1, last_error: 'HTTP 410' });
      await t.http().delete(`/webhooks/${sub.body.id}`).set(bearer(admin.token)).expect(204);
    });
  });

  describe('POST /admin/deadlines/reconcile', () => {
    it('reconciles at once for an administrator, and for nobody else', async () => {
      await t.http().post('/admin/deadlines/reconcile').expect(401);
      await t.http().post('/admin/deadlines/reconcile').set(bearer(mgr.token)).expect(403);
      const res = await t.http().post('/admin/deadlines/reconcile').set(bearer(admin.token)).expect(200);
      expect(res.body).toMatchObject({ checked: 1, readded: 0, removed: 0, retried: 0, outboxRerun: 0 });
    });
  });

  describe('Bull Board at /admin/queues', () => {
    it('answers 401 without a token and 403 to anyone but an administrator', async () => {
      const none = await t.http().get('/admin/queues').expect(401);
      expect(none.body).toMatchObject({ statusCode: 401, error: 'UNAUTHENTICATED' });
      await t.http().get('/admin/queues/api/queues').expect(401);
      await t.http().get('/admin/queues').set(bearer('not-a-token')).expect(401);
      for (const who of [kz1, mgr, officer]) {
        const res = await t.http().get('/admin/queues').set(bearer(who.token)).expect(403);
        expect(res.body).toMatchObject({ statusCode: 403, error: 'FORBIDDEN' });
        await t.http().get('/admin/queues/api/queues').set(bearer(who.token)).expect(403);
      }
      await t.http().put('/admin/queues/api/queues/deadlines/pause').set(bearer(mgr.token)).expect(403);
    });

    it('shows the deadlines and webhooks queues to an administrator', async () => {
      const page = await t.http().get('/admin/queues').set(bearer(admin.token)).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const api = await t.http().get('/admin/queues/api/queues').set(bearer(admin.token)).expect(200);
      expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['deadlines', 'webhooks']);
    });

    it('lets a browser in with the token once in the URL, then a cookie limited to the dashboard', async () => {
      const first = await t.http().get(`/admin/queues?access_token=${admin.token}`).expect(303);
      expect(first.headers.location).toBe('/admin/queues');
      const setCookie = String(first.headers['set-cookie']);
      expect(setCookie).toMatch(/^amendflow_board=.+; Path=\/admin\/queues; HttpOnly; SameSite=Strict/);
      await t.http().get('/admin/queues').set('Cookie', setCookie.split(';')[0]).expect(200);
      await t.http().get(`/admin/queues?access_token=${mgr.token}`).expect(403);
    });
  });
});
