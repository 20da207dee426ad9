/**
 * Idempotency keys belong to their caller. A caller who sends a deadline job's id (which anyone
 * could once read in /history) as their Idempotency-Key cannot suppress the reminder or the
 * deadline; two callers sending the same key both apply; a deadline job that completed without
 * delivering its event is run again by reconciliation; a refused delivery is recorded with a reason.
 */
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DomainException, ErrorCode, ErrorReason } from '../../src/common/domain.exception';
import { refusalReason } from '../../src/deadlines/deadline-delivery.service';
import { deadlineJobId, type DeadlineJobData } from '../../src/deadlines/deadline-jobs';
import { DeadlineReconciler } from '../../src/deadlines/deadline-reconciler.service';
import { DeadlineScheduler } from '../../src/deadlines/deadline-scheduler.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { REDIS } from '../../src/infra/redis.module';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { fireDue } from '../support/due-jobs';
import { createTestApp, type TestApp } from '../support/test-app';
import { counterDefinition } from '../engine/counter.definition';

process.env.RECONCILE_EVERY_MS = '0';
process.env.DEADLINE_BACKOFF_MS = '20';

describe('idempotency keys scoped to their caller; deadlines never suppressed', () => {
  let t: TestApp;
  let relay: OutboxRelay;
  let scheduler: DeadlineScheduler;
  let queue: Queue<DeadlineJobData>;
  let ds: DataSource;
  let officer: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let manager: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    relay = t.app.get(OutboxRelay);
    scheduler = t.app.get(DeadlineScheduler);
    queue = scheduler.queue;
    ds = t.dataSource;
    officer = await createUser(t.app, { role: 'legal_officer' });
    other = await createUser(t.app, { role: 'legal_officer' });
    admin = await createUser(t.app, { role: 'admin' });
    manager = await createUser(t.app, { role: 'manager' });
  });
  afterAll(() => t.close());

  const start = async () => {
    const res = await t
      .http()
      .post('/instances')
      .set(bearer(await tokenFor(t.app, officer)))
      .send({ definitionId: 'test-counter', input: {} })
      .expect(201);
    const instanceId = (res.body as { result: { instanceId: string } }).result.instanceId;
    await relay.drain();
    const [d] = await ds.query(`SELECT id, due_at FROM deadline WHERE instance_id = $1 AND status = 'open'`, [
      instanceId,
    ]);
    return { instanceId, deadlineId: d.id as string, dueAt: new Date(d.due_at).getTime() };
  };
  // tokens are issued per request: the fake clock moves weeks ahead
  const count = async (instanceId: string, user: TestUser, key: string) =>
    t
      .http()
      .post(`/instances/${instanceId}/events`)
      .set(bearer(await tokenFor(t.app, user)))
      .set('Idempotency-Key', key)
      .send({ type: 'COUNT', payload: { by: 1 } });
  const events = async (instanceId: string, type: string) =>
    ds.query<{ seq: number; actor_role: string; idempotency_key: string }[]>(
      `SELECT seq, actor_role, idempotency_key FROM workflow_event WHERE instance_id = $1 AND type = $2 ORDER BY seq`,
      [instanceId, type],
    );
  const notifications = async (instanceId: string, kind: string) =>
    ds.query<{ user_id: string }[]>(`SELECT user_id FROM notification WHERE instance_id = $1 AND kind = $2`, [
      instanceId,
      kind,
    ]);
  const fire = async (deadlineId: string) => {
    const fired = await fireDue(t);
    await relay.drain();
    return fired.filter((f) => f.jobId.includes(deadlineId));
  };

  it('a caller who sends the reminder and deadline job ids as their keys does not suppress them: each fires once', async () => {
    const { instanceId, deadlineId, dueAt } = await start();
    const r7 = deadlineJobId(deadlineId, 'reminder', dueAt, 7);
    const r1 = deadlineJobId(deadlineId, 'reminder', dueAt, 1);
    const due = deadlineJobId(deadlineId, 'due', dueAt);
    for (const key of [r7, r1, due]) expect((await count(instanceId, officer, key)).status).toBe(200);

    t.clock.advance({ days: 23 });
    expect((await fire(deadlineId)).map((f) => [f.jobId, f.result?.split(':')[0]])).toEqual([[r7, 'done']]);
    t.clock.advance({ days: 6 });
    expect((await fire(deadlineId)).map((f) => [f.jobId, f.result?.split(':')[0]])).toEqual([[r1, 'done']]);
    t.clock.advance({ days: 1 });
    expect((await fire(deadlineId)).map((f) => [f.jobId, f.result?.split(':')[0]])).toEqual([[due, 'done']]);

    expect(await events(instanceId, 'REMINDER')).toEqual([
      expect.objectContaining({ actor_role: 'system', idempotency_key: r7 }),
      expect.objectContaining({ actor_role: 'system', idempotency_key: r1 }),
    ]);
    expect(await events(instanceId, 'DEADLINE_PASSED')).toEqual([
      expect.objectContaining({ actor_role: 'system', idempotency_key: due }),
    ]);
    expect((await notifications(instanceId, 'reminder')).filter((n) => n.user_id === officer.id)).toHaveLength(2);
    expect(await notifications(instanceId, 'escalation')).toEqual([{ user_id: manager.id }]);
    // the caller's own events with those keys are still there, and replay for the caller
    expect(await events(instanceId, 'COUNT')).toHaveLength(3);
    const again = await count(instanceId, officer, due);
    expect(again.status).toBe(200);
    expect(again.body.result).toMatchObject({ replayed: true });
    // reconciling adds nothing that already ran
    expect((await t.app.get(DeadlineReconciler).reconcile()).readded).toBe(0);
  });

  it('the same key sent by two users applies both; each replays only their own', async () => {
    const { instanceId } = await start();
    const a = await count(instanceId, officer, 'shared-key-1');
    const b = await count(instanceId, other, 'shared-key-1');
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.result.replayed).toBe(false);
    expect(b.body.result.replayed).toBe(false);
    expect(b.body.result.seq).toBe(a.body.result.seq + 1);
    expect(b.body.instance.context).toMatchObject({ count: 2 });
    const replay = await count(instanceId, other, 'shared-key-1');
    expect(replay.body.result).toMatchObject({ replayed: true, seq: b.body.result.seq });
  });

  it('/history shows an idempotency key only to its sender and to administrators', async () => {
    const { instanceId, deadlineId, dueAt } = await start();
    expect((await count(instanceId, officer, 'my-own-key')).status).toBe(200);
    t.clock.advance({ days: 23 });
    await fire(deadlineId);
    const keysSeenBy = async (user: TestUser) =>
      (
        (
          await t
            .http()
            .get(`/instances/${instanceId}/history`)
            .set(bearer(await tokenFor(t.app, user)))
            .expect(200)
        ).body as {
          type: string;
          idempotencyKey: string | null;
        }[]
      ).map((e) => [e.type, e.idempotencyKey]);
    const r7 = deadlineJobId(deadlineId, 'reminder', dueAt, 7);
    expect(await keysSeenBy(officer)).toEqual([
      ['$start', null],
      ['COUNT', 'my-own-key'],
      ['REMINDER', null],
    ]);
    expect(await keysSeenBy(other)).toEqual([
      ['$start', null],
      ['COUNT', null],
      ['REMINDER', null],
    ]);
    expect(await keysSeenBy(admin)).toEqual([
      ['$start', null],
      ['COUNT', 'my-own-key'],
      ['REMINDER', r7],
    ]);
  });

  it('reconciliation runs again a deadline job that completed without delivering its event', async () => {
    const { instanceId, deadlineId, dueAt } = await start();
    // the deadline's one pending job: its 7-day reminder
    const r7 = deadlineJobId(deadlineId, 'reminder', dueAt, 7);
    // As a delivery skipped in error left it: the job completed, no event in the history, no next job.
    const job = await queue.getJob(r7);
    expect(job).toBeDefined();
    const k = queue.keys;
    const redis = t.app.get<Redis>(REDIS);
    await redis
      .multi()
      .zrem(k.delayed, r7)
      .zadd(k.completed, Date.now(), r7)
      .hset(queue.toKey(r7), 'finishedOn', String(Date.now()), 'returnvalue', JSON.stringify('skipped: refused'))
      .exec();
    expect(await queue.getJobState(r7)).toBe('completed');

    // day 23.5: the 7-day reminder's time has passed, the 1-day one's not yet
    t.clock.advance({ days: 23, hours: 12 });
    expect((await fire(deadlineId)).filter((f) => f.jobId === r7)).toEqual([]);
    expect(await events(instanceId, 'REMINDER')).toEqual([]);
    const report = await t.app.get(DeadlineReconciler).reconcile();
    expect(report.readded).toBeGreaterThanOrEqual(1);
    // the re-added job is due at once: the in-process worker delivers it (bounded wait for its completion)
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      if ((await queue.getJobState(r7)) === 'completed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await queue.getJobState(r7)).toBe('completed');
    await relay.drain();
    expect(await events(instanceId, 'REMINDER')).toEqual([
      expect.objectContaining({ actor_role: 'system', idempotency_key: r7 }),
    ]);
    expect((await notifications(instanceId, 'reminder')).filter((n) => n.user_id === officer.id)).toHaveLength(1);
    // the delivered reminder planned the next one; reconciling again adds nothing
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      if ((await queue.getJobState(deadlineJobId(deadlineId, 'reminder', dueAt, 1))) === 'delayed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await t.app.get(DeadlineReconciler).reconcile()).readded).toBe(0);
  });

  it('a delivery the procedure refuses is recorded with a reason; a concurrent change is retried, never skipped', () => {
    expect(
      refusalReason(
        new DomainException(ErrorCode.CONFLICT, 'A concurrent request changed this procedure; retry.', {
          reason: ErrorReason.CONCURRENT_UPDATE,
        }),
      ),
    ).toBeNull();
    expect(refusalReason(new Error('connection reset'))).toBeNull();
    expect(
      refusalReason(new DomainException(ErrorCode.CONFLICT, 'closed', { state: 'finished', acceptedEvents: [] })),
    ).toBe('procedure-closed');
    expect(
      refusalReason(new DomainException(ErrorCode.CONFLICT, 'not now', { state: 'x', acceptedEvents: ['COUNT'] })),
    ).toBe('event-not-accepted');
    expect(refusalReason(new DomainException(ErrorCode.NOT_FOUND, 'gone'))).toBe('procedure-missing');
  });
});
