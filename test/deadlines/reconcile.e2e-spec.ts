/**
 * Redis loses everything (the keys of this app's prefix are deleted — never FLUSHALL: the test
 * Redis is shared) with 1,000 open deadlines: reconciliation puts every job back from PostgreSQL
 * and each fires once. Also: stale jobs removed, unprocessed deadline.sync rows re-run, failed
 * jobs of open deadlines retried.
 */
import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import {
  deadlineJobId,
  planDeadlineJobs,
  type DeadlineJobData,
  type DeadlineRow,
} from '../../src/deadlines/deadline-jobs';
import { DeadlineReconciler } from '../../src/deadlines/deadline-reconciler.service';
import { DEADLINE_ROW_COLUMNS, DeadlineScheduler } from '../../src/deadlines/deadline-scheduler.service';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { counterDefinition } from '../engine/counter.definition';
import { fireDue } from '../support/due-jobs';
import { DeliveryFaults } from '../support/fault-hooks';

process.env.RECONCILE_EVERY_MS = '0';
process.env.DEADLINE_BACKOFF_MS = '10';
process.env.DEADLINE_JOB_ATTEMPTS = '3';
process.env.DEADLINE_CONCURRENCY = '6';

const officer: Actor = { id: 'officer-reconcile', role: 'legal_officer', memberState: null, actingFor: null };
const manager: Actor = { id: 'manager-reconcile', role: 'manager', memberState: null, actingFor: null };

describe('deadline reconciliation (real PostgreSQL and Redis)', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let relay: OutboxRelay;
  let scheduler: DeadlineScheduler;
  let reconciler: DeadlineReconciler;
  let queue: Queue<DeadlineJobData>;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    engine = t.app.get(WorkflowEngine);
    relay = t.app.get(OutboxRelay);
    scheduler = t.app.get(DeadlineScheduler);
    reconciler = t.app.get(DeadlineReconciler);
    queue = scheduler.queue;
    ds = t.dataSource;
    await reconciler.reconcile(); // let the start-up run finish
  });
  afterAll(() => t.close());

  /** What a Redis restart without persistence does to this app: every key under its prefix gone. */
  const loseRedis = async () => {
    let cursor = '0';
    do {
      const [next, keys] = await t.redis.scan(cursor, 'MATCH', `${t.redisPrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await t.redis.unlink(...keys);
    } while (cursor !== '0');
  };
  const startMany = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 5) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(5, n - i) }, () =>
          engine.start({ definitionId: 'test-counter', input: {}, actor: officer }),
        ),
      );
      ids.push(...batch.map((r) => r.instanceId));
    }
    await relay.drain();
    return ids;
  };
  const countEvents = async (type: string) =>
    (
      await ds.query(
        `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM workflow_event WHERE type = $1`,
        [type],
      )
    )[0] as { n: number; keys: number };
  const finishAll = async (ids: string[]) => {
    for (let i = 0; i < ids.length; i += 5) {
      await Promise.all(
        ids
          .slice(i, i + 5)
          .map((instanceId) => engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer })),
      );
    }
    await relay.drain();
  };

  it('puts back the one job of each of 1,000 open deadlines after Redis lost them all; each fires once', async () => {
    const ids = await startMany(1000);
    expect(await queue.getDelayedCount()).toBe(1000);

    await loseRedis();
    expect(await queue.getDelayedCount()).toBe(0);

    const logged: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation(function (this: Logger, message: unknown) {
      logged.push(String(message));
    });
    let report;
    try {
      report = await reconciler.reconcile();
    } finally {
      spy.mockRestore();
    }
    expect(report).toMatchObject({ checked: 1000, readded: 1000, removed: 0, retried: 0 });
    expect(logged.find((l) => l.startsWith('reconciled deadlines:'))).toMatch(
      /^reconciled deadlines: 1000 jobs re-added, 0 removed \(1000 open deadlines, \d+ ms\)$/,
    );
    process.stdout.write(`reconcile of 1,000 deadlines after a Redis loss: ${report.durationMs} ms\n`);
    expect(await queue.getDelayedCount()).toBe(1000);
    // the re-added jobs are exactly the planned ones (the first reminder: nothing ran yet), with delays from the clock
    const rows: DeadlineRow[] = await ds.query(
      `SELECT ${DEADLINE_ROW_COLUMNS} FROM deadline WHERE status = 'open' ORDER BY id LIMIT 1`,
    );
    const [plan] = planDeadlineJobs(rows[0], t.clock.now());
    const job = await queue.getJob(plan.id);
    expect(job!.data).toEqual(plan.data);
    expect(job!.opts.delay).toBe(plan.data.at - t.clock.now().getTime());

    // reconciling again adds nothing
    expect(await reconciler.reconcile()).toMatchObject({ readded: 0, removed: 0 });

    t.clock.advance({ days: 23 });
    const r7 = await fireDue(t);
    expect(r7).toHaveLength(1000);
    expect(r7.every((f) => f.state === 'completed' && f.result?.startsWith('done: REMINDER'))).toBe(true);
    // each reminder that ran added its deadline's next job: still one pending job per deadline
    expect(await queue.getDelayedCount()).toBe(1000);
    const next = await queue.getJob(deadlineJobId(rows[0].id, 'reminder', new Date(rows[0].due_at).getTime(), 1));
    expect(await next!.getState()).toBe('delayed');

    // Redis is lost between two reminders: the reconciler rebuilds the NEXT job of each deadline, not the one that ran
    await loseRedis();
    expect(await reconciler.reconcile()).toMatchObject({ checked: 1000, readded: 1000, removed: 0 });
    expect(await queue.getDelayedCount()).toBe(1000);
    expect((await queue.getDelayed(0, -1)).every((j) => j.data.kind === 'reminder' && j.data.daysBefore === 1)).toBe(
      true,
    );
    t.clock.advance({ days: 6 });
    expect((await fireDue(t)).filter((f) => f.result?.startsWith('done: REMINDER'))).toHaveLength(1000);
    t.clock.advance({ days: 1 });
    expect((await fireDue(t)).filter((f) => f.result?.startsWith('done: DEADLINE_PASSED'))).toHaveLength(1000);
    expect(await fireDue(t)).toEqual([]);
    // the deadlines stay open (overdue) with nothing left to fire: no job in Redis
    expect(await queue.getDelayedCount()).toBe(0);
    expect(await countEvents('REMINDER')).toEqual({ n: 2000, keys: 2000 });
    expect(await countEvents('DEADLINE_PASSED')).toEqual({ n: 1000, keys: 1000 });

    // Redis loses everything again, the completed jobs too: what already ran is not run again
    await loseRedis();
    expect(await reconciler.reconcile()).toMatchObject({ checked: 1000, readded: 0 });
    expect(await fireDue(t)).toEqual([]);
    expect(await countEvents('DEADLINE_PASSED')).toEqual({ n: 1000, keys: 1000 });

    await finishAll(ids);
    expect(await queue.getDelayedCount()).toBe(0);
    // 1,000 procedures started and driven through their deadlines (5,000 transactions and 3,000
    // jobs): a minute on a quiet machine, over ten at a load average of 25 on two cores
  }, 1_500_000);

  it('removes jobs whose deadline closed or moved when the removal was lost', async () => {
    const [a, b] = await startMany(2);
    const rowsOf = async (instanceId: string): Promise<DeadlineRow[]> =>
      ds.query(`SELECT ${DEADLINE_ROW_COLUMNS} FROM deadline WHERE instance_id = $1`, [instanceId]);
    const [openA] = await rowsOf(a);
    const [openB] = await rowsOf(b);
    const now = t.clock.now();

    // a: the procedure moves on, then its old jobs come back (a removal that never happened)
    await engine.apply({ instanceId: a, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
    await scheduler.add(planDeadlineJobs(openA, now), now);
    // b: the deadline is extended, then the jobs of the old due time come back
    const newDue = new Date(new Date(openB.due_at).getTime() + 5 * 86_400_000);
    await engine.extendDeadline({
      instanceId: b,
      deadlineKey: 'counting',
      dueAt: newDue,
      reason: 'More time',
      actor: manager,
    });
    await relay.drain();
    await scheduler.add(planDeadlineJobs(openB, now), now);
    // and every job of its current period at once, as scheduling did before one job per deadline
    const [currentB] = await rowsOf(b);
    await scheduler.add(planDeadlineJobs(currentB, now), now);
    expect(await queue.getDelayedCount()).toBe(9);

    // left: the one next job of b
    expect(await reconciler.reconcile()).toMatchObject({ readded: 0, removed: 8 });
    const left = (await queue.getDelayed()).map((j) => j.id).sort();
    expect(left).toEqual([deadlineJobId(openB.id, 'reminder', newDue.getTime(), 7)]);
    await finishAll([b]);
  });

  it('re-runs deadline.sync rows a crashed relay left unprocessed', async () => {
    relay.register('deadline.sync', () => Promise.reject(new Error('relay crashed')));
    let instanceId: string;
    try {
      [instanceId] = await startMany(1);
    } finally {
      scheduler.onModuleInit(); // the real handler again
    }
    const [row] = await ds.query(
      `SELECT processed_at, attempts FROM outbox_message WHERE instance_id = $1 AND kind = 'deadline.sync'`,
      [instanceId],
    );
    expect(row).toMatchObject({ processed_at: null, attempts: 1 });
    expect(await queue.getDelayedCount()).toBe(0);

    const report = await reconciler.reconcile();
    expect(report).toMatchObject({ outboxRerun: 1, readded: 0, removed: 0 });
    expect(await queue.getDelayedCount()).toBe(1);
    const [after] = await ds.query(
      `SELECT processed_at FROM outbox_message WHERE instance_id = $1 AND kind = 'deadline.sync'`,
      [instanceId],
    );
    expect(after.processed_at).not.toBeNull();
    await finishAll([instanceId]);
  });

  it('retries a failed job of a deadline still open', async () => {
    const [instanceId] = await startMany(1);
    t.app.get(DeliveryFaults).set(() => {
      throw new Error('database unreachable');
    });
    t.clock.advance({ days: 23 });
    let jobId: string;
    try {
      const [failed] = await fireDue(t);
      expect(failed).toMatchObject({ state: 'failed', result: 'database unreachable' });
      jobId = failed.jobId;
    } finally {
      t.app.get(DeliveryFaults).set(null);
    }
    expect(await reconciler.reconcile()).toMatchObject({ retried: 1, readded: 0, removed: 0 });
    // the retried job is waiting again: the worker takes it at once
    await waitFor(
      'the retried job to complete',
      async () => (await queue.getJobState(jobId)) === 'completed',
      30_000,
      20,
    );
    const job = await queue.getJob(jobId);
    expect(job!.returnvalue).toMatch(/^done: REMINDER/);
    await finishAll([instanceId]);
  });
});
