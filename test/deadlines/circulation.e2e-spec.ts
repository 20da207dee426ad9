/**
 * The 30-day circulation of the real `regulation-amendment` procedure, driven through the engine
 * with a fake clock: reminders 7 and 1 days before reach only the approvers of member states that
 * have not answered, each once; the deadline escalates to the managers and moves the draft to
 * consolidation; leaving a stage removes its jobs.
 */
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { deadlineJobId, type DeadlineJobData } from '../../src/deadlines/deadline-jobs';
import { DeadlineScheduler } from '../../src/deadlines/deadline-scheduler.service';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { createUser, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { fireDue } from '../support/due-jobs';
import { draftUpTo } from '../support/drafts';

process.env.RECONCILE_EVERY_MS = '0';

const actor = (u: TestUser): Actor => ({ id: u.id, role: u.role, memberState: u.memberState, actingFor: null });

describe('regulation amendment: 30-day circulation with reminders and escalation', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let relay: OutboxRelay;
  let scheduler: DeadlineScheduler;
  let queue: Queue<DeadlineJobData>;
  let ds: DataSource;
  let drafter: TestUser,
    reviewer: TestUser,
    manager: TestUser,
    kz1: TestUser,
    kz2: TestUser,
    ru: TestUser,
    cn: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    engine = t.app.get(WorkflowEngine);
    relay = t.app.get(OutboxRelay);
    scheduler = t.app.get(DeadlineScheduler);
    queue = scheduler.queue;
    ds = t.dataSource;
    [drafter, reviewer, manager, kz1, kz2, ru, cn] = await Promise.all([
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'manager' }),
      createUser(t.app, { role: 'approver', memberState: 'KZ' }),
      createUser(t.app, { role: 'approver', memberState: 'KZ' }),
      createUser(t.app, { role: 'approver', memberState: 'RU' }),
      createUser(t.app, { role: 'approver', memberState: 'CN' }),
    ]);
  });
  afterAll(() => t.close());

  /** The deadline notices a user received (what the circulation itself tells them is checked apart). */
  const notificationsOf = (u: TestUser) =>
    ds.query<{ kind: string; subject: string }[]>(
      `SELECT kind, subject FROM notification WHERE user_id = $1 AND topic IN ('reminder', 'escalation') ORDER BY created_at, subject`,
      [u.id],
    );
  const jobIdsOf = async (deadlineId: string) => {
    const jobs = await queue.getJobs(['delayed', 'wait', 'active', 'completed', 'failed', 'prioritized']);
    return jobs.filter((j) => j?.id?.startsWith(`dl-${deadlineId}-`)).map((j) => j.id!);
  };
  const fire = async () => {
    const fired = await fireDue(t);
    await relay.drain();
    return fired.map((f) => `${f.name} ${f.result?.split(':')[0]}`);
  };

  it('runs the circulation to consolidation', async () => {
    // proposal -> drafting -> legal review (drafted by one officer, approved by another: four-eyes)
    const { instanceId } = await engine.start({
      definitionId: 'regulation-amendment',
      input: { proposedBy: 'Secretariat', rationale: 'Align the partner status rules' },
      actor: actor(drafter),
    });
    await engine.apply({ instanceId, type: 'START_DRAFTING', payload: {}, actor: actor(drafter) });
    await draftUpTo(t.app, instanceId, actor(drafter), 1);
    await engine.apply({ instanceId, type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: actor(drafter) });
    await relay.drain();
    const [review] = await ds.query(
      `SELECT id, due_at FROM deadline WHERE instance_id = $1 AND key = 'legal_review' AND status = 'open'`,
      [instanceId],
    );
    // one pending job per open deadline: the first reminder; the due job follows when it has run
    expect(await jobIdsOf(review.id)).toEqual([
      deadlineJobId(review.id, 'reminder', new Date(review.due_at).getTime(), 2),
    ]);
    await expect(
      engine.apply({ instanceId, type: 'APPROVE_REVIEW', payload: {}, actor: actor(drafter) }),
    ).rejects.toThrow(/Four-eyes/);
    const circulated = await engine.apply({ instanceId, type: 'APPROVE_REVIEW', payload: {}, actor: actor(reviewer) });
    expect(circulated.state).toBe('circulation');
    await relay.drain();

    // leaving legal review removed its jobs; the circulation has a 30-day deadline with two reminders
    expect(await jobIdsOf(review.id)).toEqual([]);
    const [circ] = await ds.query(
      `SELECT id, due_at, starts_at FROM deadline WHERE instance_id = $1 AND key = 'circulation' AND status = 'open'`,
      [instanceId],
    );
    const due = new Date(circ.due_at).getTime();
    expect(due - new Date(circ.starts_at).getTime()).toBe(30 * 86_400_000);
    expect(await jobIdsOf(circ.id)).toEqual([deadlineJobId(circ.id, 'reminder', due, 7)]);

    // every approver was told once that the version is circulated for comments
    for (const u of [kz1, kz2, ru, cn])
      expect(
        await ds.query(`SELECT topic FROM notification WHERE user_id = $1 AND instance_id = $2`, [u.id, instanceId]),
      ).toEqual([{ topic: 'version_circulated' }]);

    // day 5: RU answers
    t.clock.advance({ days: 5 });
    expect(await fire()).toEqual([]);
    await engine.apply({
      instanceId,
      type: 'RESPOND',
      payload: { draftVersion: 1, comments: 'No comments' },
      actor: actor(ru),
    });

    // day 23: the 7-day reminder reaches the states that have not answered (both KZ approvers, CN)
    t.clock.advance({ days: 18 });
    expect(await fire()).toEqual(['REMINDER done']);
    const r7 = 'Comments on draft version 1 are due in 7 day(s)';
    expect(await notificationsOf(kz1)).toEqual([{ kind: 'reminder', subject: r7 }]);
    expect(await notificationsOf(kz2)).toEqual([{ kind: 'reminder', subject: r7 }]);
    expect(await notificationsOf(cn)).toEqual([{ kind: 'reminder', subject: r7 }]);
    expect(await notificationsOf(ru)).toEqual([]);
    // the reminder that ran planned the next one: the 1-day reminder is the deadline's one pending job
    expect((await queue.getDelayed(0, -1)).filter((j) => j.id?.startsWith(`dl-${circ.id}-`)).map((j) => j.id)).toEqual([
      deadlineJobId(circ.id, 'reminder', due, 1),
    ]);

    // day 25: CN answers; day 29: the 1-day reminder reaches KZ only
    t.clock.advance({ days: 2 });
    await engine.apply({ instanceId, type: 'RESPOND', payload: { draftVersion: 1 }, actor: actor(cn) });
    t.clock.advance({ days: 4 });
    expect(await fire()).toEqual(['REMINDER done']);
    expect(await fire()).toEqual([]); // nothing twice
    const r1 = 'Comments on draft version 1 are due in 1 day(s)';
    expect(await notificationsOf(kz1)).toEqual([
      { kind: 'reminder', subject: r7 },
      { kind: 'reminder', subject: r1 },
    ]);
    expect(await notificationsOf(kz2)).toEqual([
      { kind: 'reminder', subject: r7 },
      { kind: 'reminder', subject: r1 },
    ]);
    expect(await notificationsOf(cn)).toEqual([{ kind: 'reminder', subject: r7 }]);
    expect(await notificationsOf(ru)).toEqual([]);
    expect(await notificationsOf(manager)).toEqual([]);

    // day 30: the deadline passes: the managers are told who did not answer, the draft goes to consolidation
    t.clock.advance({ days: 1 });
    expect(await fire()).toEqual(['DEADLINE_PASSED done']);
    const [row] = await ds.query(`SELECT state_path FROM workflow_instance WHERE id = $1`, [instanceId]);
    expect(row.state_path).toBe('consolidation');
    const escalations = await ds.query(
      `SELECT n.user_id, n.kind, n.subject, m.data FROM notification n JOIN notice m ON m.outbox_id = n.outbox_id
        WHERE n.instance_id = $1 AND n.kind = 'escalation'`,
      [instanceId],
    );
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({
      user_id: manager.id,
      subject: expect.stringMatching(/^Circulation of draft version 1 closed without answers from .*KZ/),
    });
    const unanswered: string[] = escalations[0].data.details.unanswered;
    expect(unanswered).toContain('KZ');
    expect(unanswered).not.toContain('RU');
    expect(unanswered).not.toContain('CN');

    // the circulation deadline is closed and its jobs are gone, the delivered ones included
    const [closed] = await ds.query(`SELECT status FROM deadline WHERE id = $1`, [circ.id]);
    expect(closed.status).toBe('closed');
    expect(await jobIdsOf(circ.id)).toEqual([]);
    const history = await ds.query(
      `SELECT type, actor_id, idempotency_key FROM workflow_event WHERE instance_id = $1 AND actor_id = 'system' ORDER BY seq`,
      [instanceId],
    );
    expect(history).toEqual([
      { type: 'REMINDER', actor_id: 'system', idempotency_key: deadlineJobId(circ.id, 'reminder', due, 7) },
      { type: 'REMINDER', actor_id: 'system', idempotency_key: deadlineJobId(circ.id, 'reminder', due, 1) },
      { type: 'DEADLINE_PASSED', actor_id: 'system', idempotency_key: deadlineJobId(circ.id, 'due', due) },
    ]);
  });
});
