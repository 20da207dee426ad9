/**
 * Redis dies in the middle of a load of state changes (a private redis-server, killed with
 * SIGKILL, no persistence: it comes back empty). State changes keep being accepted, with their
 * `deadline.sync` outbox rows waiting; once Redis is back on the same port every open deadline
 * gets its jobs again, and each reminder, fired through the scheduler's test path, fires once.
 */
import { DeadlineReconciler } from '../../src/deadlines/deadline-reconciler.service';
import { DeadlineScheduler, DEADLINE_ROW_COLUMNS } from '../../src/deadlines/deadline-scheduler.service';
import { nextDeadlineJob, type DeadlineRow } from '../../src/deadlines/deadline-jobs';
import { bearer, createUser, tokenFor } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { freePort, isoDay, startRedis, waitFor, type RedisServer } from './fault-support';
import { fireDue } from '../support/due-jobs';

const INSTANCES = 5;
const PARTNERS = ['TR', 'AZ', 'NP', 'AM', 'KH'];

describe('Redis stopped during the load, then started again', () => {
  let redis: RedisServer;
  let t: TestApp;

  beforeAll(async () => {
    // BullMQ prints every refused reconnection while Redis is down
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const port = await freePort();
    redis = await startRedis(port);
    t = await createTestApp({
      redisUrl: redis.url,
      env: { OUTBOX_SWEEP_MS: '500', RECONCILE_EVERY_MS: '1000' },
      logLevels: ['error'],
    });
  });

  afterAll(async () => {
    // the app closes its queues against a live Redis
    if (redis && !redis.running()) redis = await startRedis(redis.port).catch(() => redis);
    await t?.close();
    await redis?.stop();
    jest.restoreAllMocks();
  });

  it('keeps accepting state changes, then schedules every reminder, which fires once', async () => {
    const officer = await createUser(t.app, { role: 'legal_officer' });
    const auth = bearer(await tokenFor(t.app, officer));
    const today = isoDay(t.clock.now());
    const scheduler = t.app.get(DeadlineScheduler);
    const event = (id: string, type: string, payload: unknown) =>
      t.http().post(`/instances/${id}/events`).set(auth).send({ type, payload });

    const ids: string[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const r = await t
        .http()
        .post('/instances')
        .set(auth)
        .send({
          definitionId: 'treaty-accession',
          // one open 1(b) per partner and treaty: each instance names its own partner
          input: { partner: PARTNERS[i], treatyId: 'sco-agreement-road-transport-2014' },
        })
        .expect(201);
      ids.push(r.body.instance.id);
    }
    // half the instances reach "considering" before the outage, the others during it
    const toConsidering = async (id: string) => {
      await event(id, 'CONFIRM_ELIGIBILITY', {
        note: 'Open to any state',
        source: 'Depositary copy',
        consentRequired: false,
      }).expect(200);
      await event(id, 'PACKAGE_SENT', { sentOn: today, channel: 'Note verbale' }).expect(200);
      await event(id, 'PARTNER_CONSIDERING', { note: 'Studying it' }).expect(200);
    };
    for (const id of ids.slice(0, 3)) await toConsidering(id);
    await waitFor('the first jobs in Redis', async () => (await scheduler.queue.getDelayedCount()) > 0, 20_000);

    // The load: follow-ups on the instances in "considering", Redis killed in the middle.
    const statuses: number[] = [];
    let sent = 0;
    const load = Promise.all(
      ids.slice(0, 3).map(async (id) => {
        for (let i = 0; i < 12; i++) {
          const r = await event(id, 'FOLLOW_UP', { contactedOn: today, note: `follow-up ${i}` });
          statuses.push(r.status);
          sent++;
        }
      }),
    );
    await waitFor('part of the load to be sent', () => sent >= 10, 30_000, 10);
    await redis.stop();
    await load;
    expect(statuses.every((s) => s === 200)).toBe(true);

    // Still accepted while Redis is down: new stages open deadlines; their sync rows wait in the outbox.
    for (const id of ids.slice(3)) await toConsidering(id);
    for (const id of ids) await event(id, 'FOLLOW_UP', { contactedOn: today, note: 'during the outage' }).expect(200);
    // /health says so, quickly, naming Redis
    const askedAt = Date.now();
    const health = await t.http().get('/health');
    expect(Date.now() - askedAt).toBeLessThan(5_000);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ statusCode: 503, error: 'UNAVAILABLE' });
    expect(health.body.message).toMatch(/redis/);
    // the sync rows of the stages opened during the outage are written, and not marked processed
    // (the relay cannot schedule without Redis; the drain after Redis is back proves they run then)
    const [{ n: waiting }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox_message WHERE kind = 'deadline.sync' AND processed_at IS NULL`,
    );
    expect(waiting).toBeGreaterThan(0);

    // Redis back on the same port, empty.
    redis = await startRedis(redis.port);

    const openDeadlines = () =>
      t.dataSource.query<DeadlineRow[]>(
        `SELECT ${DEADLINE_ROW_COLUMNS} FROM deadline WHERE status = 'open' ORDER BY id`,
      );
    await waitFor(
      'the outbox to drain and every open deadline to have its jobs',
      async () => {
        const [{ n }] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox_message WHERE processed_at IS NULL`,
        );
        if (n > 0) return false;
        const now = t.clock.now();
        for (const row of await openDeadlines()) {
          // one pending job per open deadline: its next one (nothing has fired yet)
          const job = nextDeadlineJob(row, now, new Set());
          if (!job) return false;
          const found = await scheduler.queue.getJob(job.id);
          if (!found || (await found.getState()) !== 'delayed') return false;
        }
        return true;
      },
      45_000,
      500,
    );
    const open = await openDeadlines();
    expect(open).toHaveLength(INSTANCES);
    expect(new Set(open.map((d) => d.instance_id))).toEqual(new Set(ids));
    // jobs of closed deadlines were not resurrected
    const delayed = await scheduler.queue.getDelayed(0, -1);
    const openIds = new Set(open.map((d) => d.id));
    expect(delayed.filter((j) => !openIds.has(j.data.deadlineId))).toEqual([]);
    expect(delayed).toHaveLength(INSTANCES);

    // 90-day stage, reminder 14 days before: fire it.
    t.clock.advance({ days: 77 });
    const fired = await fireDue(t);
    const reminders = fired.filter((f) => f.name === 'REMINDER');
    expect(reminders).toHaveLength(INSTANCES);
    for (const f of reminders) {
      expect(f.state).toBe('completed');
      expect(f.result).toMatch(/^done/);
    }
    expect(fired.filter((f) => f.name !== 'REMINDER')).toEqual([]);
    // once: nothing fires again, even after another reconciliation
    await waitFor(
      'a reconciliation after the reminders',
      async () => (await scheduler.queue.getDelayedCount()) >= INSTANCES,
      10_000,
    );
    // another reconciliation, known to have started after the reminders fired and to have finished
    expect((await t.app.get(DeadlineReconciler).reconcile()).skipped).toBeUndefined();
    expect((await fireDue(t)).filter((f) => f.result?.startsWith('done'))).toEqual([]);
    const perInstance = await t.dataSource.query(
      `SELECT instance_id, count(*)::int AS n FROM workflow_event WHERE type = 'REMINDER' GROUP BY instance_id`,
    );
    expect(perInstance).toHaveLength(INSTANCES);
    for (const row of perInstance) expect(row.n).toBe(1);
  });
});
