/**
 * The `deadlines` queue against real PostgreSQL and Redis, with the small test-counter procedure
 * (one state with a 30-day deadline, reminders 7 and 1 days before): scheduling from the outbox,
 * idempotency, leaving a state, extensions, delivery through the engine, and a crash after the
 * engine applied the event.
 */
import type { Job, Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DeadlineDelivery } from '../../src/deadlines/deadline-delivery.service';
import { deadlineJobId, type DeadlineJobData } from '../../src/deadlines/deadline-jobs';
import { DeadlineReconciler } from '../../src/deadlines/deadline-reconciler.service';
import { DeadlineScheduler } from '../../src/deadlines/deadline-scheduler.service';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { createUser, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { counterDefinition } from '../engine/counter.definition';
import { fireDue } from '../support/due-jobs';
import { DeliveryFaults, EngineFaults } from '../support/fault-hooks';
import { SYSTEM_ACTOR } from '../../src/common/actors';
import { DomainException, ErrorCode, ErrorReason } from '../../src/common/domain.exception';

process.env.RECONCILE_EVERY_MS = '0';
process.env.DEADLINE_BACKOFF_MS = '20';

const DAY = 86_400_000;

describe('deadline scheduling (real PostgreSQL and Redis, fake clock)', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let relay: OutboxRelay;
  let scheduler: DeadlineScheduler;
  let delivery: DeadlineDelivery;
  let queue: Queue<DeadlineJobData>;
  let ds: DataSource;
  let officer: Actor;
  let manager: TestUser;
  let officerUser: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    engine = t.app.get(WorkflowEngine);
    relay = t.app.get(OutboxRelay);
    scheduler = t.app.get(DeadlineScheduler);
    delivery = t.app.get(DeadlineDelivery);
    queue = scheduler.queue;
    ds = t.dataSource;
    officerUser = await createUser(t.app, { role: 'legal_officer' });
    manager = await createUser(t.app, { role: 'manager' });
    officer = { id: officerUser.id, role: 'legal_officer', memberState: null, actingFor: null };
  });
  afterAll(() => t.close());
  afterEach(() => {
    t.app.get(DeliveryFaults).set(null);
    t.app.get(EngineFaults).set(null);
  });
  const rejection = async (p: Promise<unknown>): Promise<DomainException> => {
    const e: unknown = await p.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DomainException);
    return e as DomainException;
  };

  const start = async () => {
    const r = await engine.start({ definitionId: 'test-counter', input: {}, actor: officer });
    await relay.drain();
    const [d] = await ds.query(`SELECT id, due_at FROM deadline WHERE instance_id = $1 AND status = 'open'`, [
      r.instanceId,
    ]);
    return { instanceId: r.instanceId, deadlineId: d.id as string, dueAt: new Date(d.due_at).getTime() };
  };
  /** Ids and states of every job of a deadline held in Redis (any state). */
  const jobsOf = async (deadlineId: string) => {
    const jobs = await queue.getJobs(['delayed', 'wait', 'active', 'completed', 'failed', 'prioritized']);
    const mine = jobs.filter((j) => j?.id?.startsWith(`dl-${deadlineId}-`));
    return Object.fromEntries(await Promise.all(mine.map(async (j) => [j.id!, await j.getState()] as const)));
  };
  const events = (instanceId: string, type: string) =>
    ds.query<{ seq: number; idempotency_key: string }[]>(
      `SELECT seq, idempotency_key FROM workflow_event WHERE instance_id = $1 AND type = $2 ORDER BY seq`,
      [instanceId, type],
    );
  const notifications = (instanceId: string) =>
    ds.query<{ user_id: string; kind: string; subject: string }[]>(
      `SELECT user_id, kind, subject FROM notification WHERE instance_id = $1 ORDER BY created_at, kind`,
      [instanceId],
    );
  const fire = async () => {
    const fired = await fireDue(t);
    await relay.drain();
    return fired;
  };

  it('keeps ONE job per open deadline in Redis: the first reminder, with its id from the deadline and its delay from the clock', async () => {
    const { deadlineId, dueAt } = await start();
    const r7 = deadlineJobId(deadlineId, 'reminder', dueAt, 7);
    expect(await jobsOf(deadlineId)).toEqual({ [r7]: 'delayed' });
    const now = t.clock.now().getTime();
    const job = await queue.getJob(r7);
    expect(Math.round((job!.opts.delay ?? 0) / DAY)).toBe(23);
    expect(job!.data.at - now).toBe(23 * DAY);
    expect(job!.data).toMatchObject({
      deadlineId,
      deadlineKey: 'counting',
      kind: 'reminder',
      daysBefore: 7,
      dueAt,
    });

    // running the handler again (a re-run outbox row) schedules nothing twice
    await scheduler.sync(deadlineId);
    await scheduler.sync(deadlineId);
    expect(await jobsOf(deadlineId)).toEqual({ [r7]: 'delayed' });
  });

  it('leaving the state closes the deadline and removes its jobs', async () => {
    const { instanceId, deadlineId } = await start();
    expect(Object.keys(await jobsOf(deadlineId))).toHaveLength(1);
    await engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
    expect(await jobsOf(deadlineId)).toEqual({});
  });

  it('an extension moves the one job to the new due time', async () => {
    const { instanceId, deadlineId, dueAt } = await start();
    const newDue = dueAt + 10 * DAY;
    await engine.extendDeadline({
      instanceId,
      deadlineKey: 'counting',
      dueAt: new Date(newDue),
      reason: 'Holidays',
      actor: { id: manager.id, role: 'manager', memberState: null, actingFor: null },
    });
    await relay.drain();
    expect(await jobsOf(deadlineId)).toEqual({ [deadlineJobId(deadlineId, 'reminder', newDue, 7)]: 'delayed' });
    const first = await queue.getJob(deadlineJobId(deadlineId, 'reminder', newDue, 7));
    expect(first!.data.at).toBe(newDue - 7 * DAY);
    expect(first!.data.dueAt).toBe(newDue);
    await engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
  });

  it('delivers REMINDER and DEADLINE_PASSED through the engine once each, as the system, when the clock says so', async () => {
    const { instanceId, deadlineId, dueAt } = await start();
    const r7 = deadlineJobId(deadlineId, 'reminder', dueAt, 7);
    t.clock.advance({ days: 22 });
    expect((await fire()).filter((f) => f.jobId.includes(deadlineId))).toEqual([]);

    t.clock.advance({ days: 1 });
    const fired = (await fire()).filter((f) => f.jobId.includes(deadlineId));
    expect(fired).toEqual([
      {
        jobId: r7,
        name: 'REMINDER',
        state: 'completed',
        result: expect.stringMatching(/^done: REMINDER applied as event 2/),
      },
    ]);
    expect(await events(instanceId, 'REMINDER')).toEqual([{ seq: 2, idempotency_key: r7 }]);
    const [ev] = await ds.query(
      `SELECT actor_id, actor_role, payload FROM workflow_event WHERE instance_id = $1 AND seq = 2`,
      [instanceId],
    );
    expect(ev).toEqual({
      actor_id: 'system',
      actor_role: 'system',
      payload: { deadlineKey: 'counting', daysBefore: 7 },
    });
    expect(await notifications(instanceId)).toEqual([
      { user_id: officerUser.id, kind: 'reminder', subject: 'Counting is due' },
    ]);

    // firing again finds nothing due; the same job handled again changes nothing
    expect((await fire()).filter((f) => f.jobId.includes(deadlineId))).toEqual([]);
    const job = (await queue.getJob(r7)) as Job<DeadlineJobData>;
    expect(await delivery.handle(job)).toMatch(/^skipped: REMINDER already delivered/);
    await relay.drain();
    expect(await events(instanceId, 'REMINDER')).toHaveLength(1);
    expect(await notifications(instanceId)).toHaveLength(1);

    t.clock.advance({ days: 7 });
    const late = (await fire()).filter((f) => f.jobId.includes(deadlineId));
    expect(late.map((f) => [f.name, f.result?.split(':')[0]])).toEqual([
      ['REMINDER', 'skipped'], // the 1-day reminder's time and the due time went by together: no stale reminder
      ['DEADLINE_PASSED', 'done'],
    ]);
    expect(await events(instanceId, 'DEADLINE_PASSED')).toEqual([
      { seq: 3, idempotency_key: deadlineJobId(deadlineId, 'due', dueAt) },
    ]);
    expect((await notifications(instanceId)).filter((n) => n.kind === 'escalation')).toEqual([
      { user_id: manager.id, kind: 'escalation', subject: 'Counting is overdue' },
    ]);

    // the counter stays in its state (deadline open, overdue): reconciling re-adds nothing that already ran
    const report = await t.app.get(DeadlineReconciler).reconcile();
    expect(report.readded).toBe(0);
    expect((await fire()).filter((f) => f.jobId.includes(deadlineId))).toEqual([]);
    expect(await events(instanceId, 'DEADLINE_PASSED')).toHaveLength(1);
    await engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
  });

  it('a worker crashing after the engine applied the event: BullMQ retries, the effect happens once', async () => {
    const { instanceId, deadlineId, dueAt } = await start();
    let crashes = 0;
    t.app.get(DeliveryFaults).set((point, job) => {
      if (point === 'after-apply' && job.data.deadlineId === deadlineId && crashes++ === 0)
        throw new Error('worker killed');
    });
    t.clock.advance({ days: 23 });
    const fired = (await fire()).filter((f) => f.jobId.includes(deadlineId));
    expect(crashes).toBe(2);
    expect(fired).toEqual([
      {
        jobId: deadlineJobId(deadlineId, 'reminder', dueAt, 7),
        name: 'REMINDER',
        state: 'completed',
        result: expect.stringMatching(/^skipped: REMINDER already delivered/),
      },
    ]);
    const job = await queue.getJob(fired[0].jobId);
    expect(job!.attemptsMade).toBe(2); // the crashed attempt and the one that completed
    expect(await events(instanceId, 'REMINDER')).toHaveLength(1);
    expect(await notifications(instanceId)).toHaveLength(1);
    await engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
  });

  it('a concurrent update refusing the delivery: the job fails and BullMQ retries it, the event is applied once', async () => {
    const { instanceId, deadlineId, dueAt } = await start();
    // Every transaction attempt of the first delivery meets a unique violation (as when another
    // request wins the same row each time), so the engine gives up with CONCURRENT_UPDATE.
    let conflicts = 0;
    t.app.get(EngineFaults).set((point, command) => {
      if (point === 'after-lock' && command.instanceId === instanceId && command.type === 'REMINDER' && conflicts < 5) {
        conflicts++;
        throw Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
      }
    });
    const refused = await rejection(
      engine.apply({
        instanceId,
        type: 'REMINDER',
        payload: { deadlineKey: 'counting', daysBefore: 7 },
        actor: SYSTEM_ACTOR,
      }),
    );
    expect(refused.code).toBe(ErrorCode.CONFLICT);
    expect(refused.details).toEqual({ reason: ErrorReason.CONCURRENT_UPDATE });
    conflicts = 0;
    t.clock.advance({ days: 23 });
    const fired = (await fire()).filter((f) => f.jobId.includes(deadlineId));
    expect(conflicts).toBe(5);
    expect(fired).toEqual([
      {
        jobId: deadlineJobId(deadlineId, 'reminder', dueAt, 7),
        name: 'REMINDER',
        state: 'completed',
        result: expect.stringMatching(/^done: REMINDER applied as event/),
      },
    ]);
    const job = await queue.getJob(fired[0].jobId);
    expect(job!.attemptsMade).toBe(2); // the attempt refused by the concurrent update, and the retry
    expect(await events(instanceId, 'REMINDER')).toHaveLength(1);
    await engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
  });

  it('a job for a closed or moved deadline does nothing and says why', async () => {
    const { instanceId, deadlineId, dueAt } = await start();
    const r7 = (await queue.getJob(deadlineJobId(deadlineId, 'reminder', dueAt, 7))) as Job<DeadlineJobData>;
    // the due job as the chain will add it once the reminders ran
    const job = {
      ...r7,
      id: deadlineJobId(deadlineId, 'due', dueAt),
      data: { ...r7.data, kind: 'due', daysBefore: null, at: dueAt },
    } as unknown as Job<DeadlineJobData>;
    const moved = {
      ...job,
      id: deadlineJobId(deadlineId, 'due', dueAt - DAY),
      data: { ...job.data, dueAt: dueAt - DAY, at: dueAt - DAY },
    } as unknown as Job<DeadlineJobData>;
    expect(await delivery.handle(moved)).toMatch(/^skipped: deadline counting was moved/);
    const early = await delivery.handle(job);
    expect(early).toMatch(/^skipped: not due until/);
    await engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
    expect(await delivery.handle(job)).toBe('skipped: deadline counting is closed');
    expect(await events(instanceId, 'DEADLINE_PASSED')).toEqual([]);
  });
});
