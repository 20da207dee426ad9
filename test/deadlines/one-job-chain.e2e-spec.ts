/**
 * One pending job per open deadline, and bursts delivered in groups, against real PostgreSQL and
 * Redis with the test-counter procedure (a 30-day deadline, reminders 7 and 1 days before) and a
 * fake clock: Redis holds exactly one job per open deadline (counted key by key); the chain
 * reminder -> next reminder -> due delivers each event once; an extension and a closing re-plan the
 * one job; reconciliation rebuilds one job per deadline; deadlines due at one instant are applied
 * in groups (one engine transaction for several instances), every event once, and a member of a
 * group that is refused or fails does not block, lose or duplicate the others.
 */
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DomainException, ErrorCode, ErrorReason } from '../../src/common/domain.exception';
import { deadlineJobId, type DeadlineJobData } from '../../src/deadlines/deadline-jobs';
import { DeadlineReconciler } from '../../src/deadlines/deadline-reconciler.service';
import { DeadlineScheduler } from '../../src/deadlines/deadline-scheduler.service';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { createUser } from '../support/auth';
import { fireDue } from '../support/due-jobs';
import { EngineFaults } from '../support/fault-hooks';
import { createTestApp, type TestApp } from '../support/test-app';
import { counterDefinition } from '../engine/counter.definition';

process.env.RECONCILE_EVERY_MS = '0';
process.env.DEADLINE_BACKOFF_MS = '20';

const DAY = 86_400_000;

describe('one pending job per open deadline; bursts delivered in groups (real PostgreSQL and Redis, fake clock)', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let relay: OutboxRelay;
  let scheduler: DeadlineScheduler;
  let reconciler: DeadlineReconciler;
  let queue: Queue<DeadlineJobData>;
  let ds: DataSource;
  let officer: Actor;
  let manager: Actor;

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
    const o = await createUser(t.app, { role: 'legal_officer' });
    const m = await createUser(t.app, { role: 'manager' });
    officer = { id: o.id, role: 'legal_officer', memberState: null, actingFor: null };
    manager = { id: m.id, role: 'manager', memberState: null, actingFor: null };
  });
  afterAll(() => t.close());
  afterEach(async () => {
    t.app.get(EngineFaults).set(null);
    jest.restoreAllMocks();
    // close what a test left open, so the next one starts with an empty queue
    const open: { instance_id: string }[] = await ds.query(
      `SELECT DISTINCT instance_id FROM deadline WHERE status = 'open'`,
    );
    for (const { instance_id } of open)
      await engine.apply({ instanceId: instance_id, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
  });

  const startMany = async (n: number) => {
    const out: { instanceId: string; deadlineId: string; dueAt: number }[] = [];
    for (let i = 0; i < n; i += 5) {
      const started = await Promise.all(
        Array.from({ length: Math.min(5, n - i) }, () =>
          engine.start({ definitionId: 'test-counter', input: {}, actor: officer }),
        ),
      );
      for (const r of started) {
        const [d] = await ds.query(`SELECT id, due_at FROM deadline WHERE instance_id = $1 AND status = 'open'`, [
          r.instanceId,
        ]);
        out.push({ instanceId: r.instanceId, deadlineId: d.id as string, dueAt: new Date(d.due_at).getTime() });
      }
    }
    await relay.drain();
    return out;
  };
  /** The deadline job hashes held in Redis under this app's queue, any state (counted key by key). */
  const jobKeys = async (): Promise<string[]> => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, page] = await t.redis.scan(cursor, 'MATCH', `${queue.toKey('dl-')}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...page.filter((k) => !k.endsWith(':logs') && !k.endsWith(':lock')));
    } while (cursor !== '0');
    return keys;
  };
  const pendingIds = async () => (await queue.getJobs(['delayed', 'wait', 'prioritized'])).map((j) => j.id!).sort();
  const events = (instanceId: string) =>
    ds.query<{ type: string; idempotency_key: string }[]>(
      `SELECT type, idempotency_key FROM workflow_event WHERE instance_id = $1 AND actor_role = 'system' ORDER BY seq`,
      [instanceId],
    );
  const loseRedis = async () => {
    let cursor = '0';
    do {
      const [next, keys] = await t.redis.scan(cursor, 'MATCH', `${t.redisPrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await t.redis.unlink(...keys);
    } while (cursor !== '0');
  };

  it('holds exactly one job per open deadline in Redis, and walks reminder -> next reminder -> due, each delivered once', async () => {
    const started = await startMany(10);
    const [{ instanceId, deadlineId, dueAt }] = started;
    const r7 = deadlineJobId(deadlineId, 'reminder', dueAt, 7);
    const r1 = deadlineJobId(deadlineId, 'reminder', dueAt, 1);
    const due = deadlineJobId(deadlineId, 'due', dueAt);
    // one job hash per deadline, nothing else of a deadline anywhere in the queue
    expect(await jobKeys()).toHaveLength(10);
    expect(await pendingIds()).toEqual(started.map((s) => deadlineJobId(s.deadlineId, 'reminder', s.dueAt, 7)).sort());

    t.clock.advance({ days: 23 });
    const first = await fireDue(t);
    expect(first.filter((f) => f.jobId === r7)).toEqual([
      expect.objectContaining({ state: 'completed', result: expect.stringMatching(/^done: REMINDER/) }),
    ]);
    // the reminder that ran added the next one; still one pending job per deadline
    expect(await pendingIds()).toEqual(started.map((s) => deadlineJobId(s.deadlineId, 'reminder', s.dueAt, 1)).sort());
    const next = await queue.getJob(r1);
    expect(next!.data.at).toBe(dueAt - DAY);
    expect(next!.opts.delay).toBe(dueAt - DAY - t.clock.now().getTime());

    // handling a settled job again (a retry after a crash) changes nothing and plans nothing twice
    expect(await scheduler.advance([deadlineId])).toBe(1);
    await scheduler.sync(deadlineId);
    expect((await pendingIds()).filter((id) => id.includes(deadlineId))).toEqual([r1]);

    t.clock.advance({ days: 6 });
    expect((await fireDue(t)).filter((f) => f.jobId.includes(deadlineId)).map((f) => f.result?.split(' ')[1])).toEqual([
      'REMINDER',
    ]);
    expect((await pendingIds()).filter((id) => id.includes(deadlineId))).toEqual([due]);

    t.clock.advance({ days: 1 });
    expect((await fireDue(t)).filter((f) => f.jobId.includes(deadlineId)).map((f) => f.result?.split(' ')[1])).toEqual([
      'DEADLINE_PASSED',
    ]);
    // nothing left to fire for an overdue deadline that stays open
    expect(await pendingIds()).toEqual([]);
    expect(await fireDue(t)).toEqual([]);
    expect(await events(instanceId)).toEqual([
      { type: 'REMINDER', idempotency_key: r7 },
      { type: 'REMINDER', idempotency_key: r1 },
      { type: 'DEADLINE_PASSED', idempotency_key: due },
    ]);
    const [counts] = await ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM workflow_event WHERE actor_role = 'system' AND instance_id = ANY($1::uuid[])`,
      [started.map((s) => s.instanceId)],
    );
    expect(counts).toEqual({ n: 30, keys: 30 });
  });

  it('an extension and a closing re-plan the one job', async () => {
    const [{ instanceId, deadlineId, dueAt }] = await startMany(1);
    t.clock.advance({ days: 23 });
    await fireDue(t);
    await relay.drain();
    expect(await pendingIds()).toEqual([deadlineJobId(deadlineId, 'reminder', dueAt, 1)]);

    // extended by 10 days after the 7-day reminder ran: the new period's 7-day reminder is next
    const newDue = dueAt + 10 * DAY;
    await engine.extendDeadline({
      instanceId,
      deadlineKey: 'counting',
      dueAt: new Date(newDue),
      reason: 'Holidays',
      actor: manager,
    });
    await relay.drain();
    expect(await pendingIds()).toEqual([deadlineJobId(deadlineId, 'reminder', newDue, 7)]);
    // nothing of the old period is left in Redis (the completed 7-day reminder included)
    expect((await jobKeys()).filter((k) => k.endsWith(`-${dueAt}`))).toEqual([]);
    expect(await jobKeys()).toEqual([queue.toKey(deadlineJobId(deadlineId, 'reminder', newDue, 7))]);

    await engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
    expect(await pendingIds()).toEqual([]);
  });

  it('reconciliation after a Redis loss rebuilds exactly one job per open deadline', async () => {
    const started = await startMany(6);
    // three of them are past their first reminder
    t.clock.advance({ days: 23 });
    await fireDue(t);
    await loseRedis();
    expect(await jobKeys()).toEqual([]);
    const report = await reconciler.reconcile();
    expect(report).toMatchObject({ checked: 6, readded: 6, removed: 0 });
    expect(await jobKeys()).toHaveLength(6);
    expect(await pendingIds()).toEqual(started.map((s) => deadlineJobId(s.deadlineId, 'reminder', s.dueAt, 1)).sort());
    // a second pass finds nothing to do; every reminder delivered once
    expect(await reconciler.reconcile()).toMatchObject({ readded: 0, removed: 0 });
    expect(await fireDue(t)).toEqual([]);
    const [n] = await ds.query(
      `SELECT count(*)::int AS n FROM workflow_event WHERE type = 'REMINDER' AND instance_id = ANY($1::uuid[])`,
      [started.map((s) => s.instanceId)],
    );
    expect(n.n).toBe(6);
  });

  it('applies a burst due at one instant in groups, one transaction for several instances, every event once', async () => {
    const started = await startMany(40);
    expect(new Set(started.map((s) => s.dueAt)).size).toBe(1);
    const applyMany = jest.spyOn(engine, 'applyMany');
    t.clock.advance({ days: 23 });
    const fired = await fireDue(t);
    expect(fired).toHaveLength(40);
    expect(fired.every((f) => f.state === 'completed' && f.result?.startsWith('done: REMINDER'))).toBe(true);
    // at least one group carried several instances' events in one transaction
    const sizes = applyMany.mock.calls.map(([cmds]) => cmds.length);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(40);
    const rows: { instance_id: string; n: number; keys: number; seq_ok: boolean }[] = await ds.query(
      `SELECT e.instance_id, count(*)::int AS n, count(DISTINCT e.idempotency_key)::int AS keys,
              bool_and(e.seq = 2) AS seq_ok
         FROM workflow_event e WHERE e.type = 'REMINDER' AND e.instance_id = ANY($1::uuid[]) GROUP BY e.instance_id`,
      [started.map((s) => s.instanceId)],
    );
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.n === 1 && r.keys === 1 && r.seq_ok)).toBe(true);
    // each instance's chain stays its own: event 2 follows event 1 of the same instance
    const [broken] = await ds.query(
      `SELECT count(*)::int AS n FROM workflow_event e JOIN workflow_event p ON p.instance_id = e.instance_id AND p.seq = e.seq - 1
        WHERE e.type = 'REMINDER' AND e.instance_id = ANY($1::uuid[]) AND e.prev_hash <> p.hash`,
      [started.map((s) => s.instanceId)],
    );
    expect(broken.n).toBe(0);
    // and the next job of each is planned
    expect(await pendingIds()).toEqual(started.map((s) => deadlineJobId(s.deadlineId, 'reminder', s.dueAt, 1)).sort());
  });

  it('a member of a group that is refused or fails blocks, loses and duplicates none of the others', async () => {
    const started = await startMany(20);
    const refusedOne = started[3].instanceId;
    const failingOne = started[11].instanceId;
    let failures = 0;
    t.app.get(EngineFaults).set((point, command) => {
      if (point !== 'after-lock' || command.type !== 'REMINDER') return;
      if (command.instanceId === refusedOne)
        throw new DomainException(ErrorCode.CONFLICT, 'This procedure is closed and accepts no further events.', {
          reason: ErrorReason.STAGE_REFUSES_EVENT,
          acceptedEvents: [],
        });
      // a database failure twice: the group it is in falls back to one by one, then BullMQ retries it
      if (command.instanceId === failingOne && failures < 2) {
        failures++;
        throw new Error('connection reset');
      }
    });
    const applyMany = jest.spyOn(engine, 'applyMany');
    t.clock.advance({ days: 23 });
    const fired = await fireDue(t);
    expect(applyMany.mock.calls.some(([cmds]) => cmds.length > 1)).toBe(true);
    expect(failures).toBe(2);
    const byInstance = new Map(started.map((s) => [deadlineJobId(s.deadlineId, 'reminder', s.dueAt, 7), s.instanceId]));
    for (const f of fired) {
      expect(f.state).toBe('completed');
      if (byInstance.get(f.jobId) === refusedOne) expect(f.result).toMatch(/^refused: REMINDER procedure-closed/);
      else expect(f.result).toMatch(/^done: REMINDER/);
    }
    expect(fired).toHaveLength(20);
    const rows: { instance_id: string; n: number }[] = await ds.query(
      `SELECT instance_id, count(*)::int AS n FROM workflow_event WHERE type = 'REMINDER' AND instance_id = ANY($1::uuid[]) GROUP BY instance_id`,
      [started.map((s) => s.instanceId)],
    );
    expect(rows).toHaveLength(19);
    expect(rows.every((r) => r.n === 1 && r.instance_id !== refusedOne)).toBe(true);
    const refusals: { instance_id: string; reason: string }[] = await ds.query(
      `SELECT instance_id, reason FROM deadline_refusal WHERE instance_id = ANY($1::uuid[])`,
      [started.map((s) => s.instanceId)],
    );
    expect(refusals).toEqual([{ instance_id: refusedOne, reason: 'procedure-closed' }]);
    // the refused reminder is settled too: every deadline moves on to its next job
    expect(await pendingIds()).toEqual(started.map((s) => deadlineJobId(s.deadlineId, 'reminder', s.dueAt, 1)).sort());
  });
});
