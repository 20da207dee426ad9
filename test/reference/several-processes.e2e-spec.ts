/**
 * Several processes, one truth: two API processes and one worker process on one PostgreSQL and
 * one Redis. A member state added through the first API process takes part in a round of
 * comments opened through the second (which had read the reference data before), and the worker
 * reminds its approver.
 */
import type { Actor } from '../../workflows/kernel/types';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { ReferenceService } from '../../src/reference/reference.service';
import { bearer, createUser, signedIn, type TestUser } from '../support/auth';
import { FakeClock } from '../support/fake-clock';
import { fireDue } from '../support/due-jobs';
import { createTestApp, type TestApp } from '../support/test-app';
import { draftUpTo } from '../support/drafts';

process.env.RECONCILE_EVERY_MS = '0';

/** Polls `check` until it holds, up to `ms`. */
async function waitFor(check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('the outbox did not empty in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const actor = (u: TestUser): Actor => ({ id: u.id, role: u.role, memberState: u.memberState, actingFor: null });

describe('two API processes and a worker', () => {
  const clock = new FakeClock();
  let api1: TestApp;
  let api2: TestApp;
  let worker: TestApp;

  beforeAll(async () => {
    api1 = await createTestApp({ clock, env: { WORKERS_IN_PROCESS: 'false' } });
    const shared = { databaseUrl: api1.databaseUrl, clock };
    api2 = await createTestApp({ ...shared, env: { WORKERS_IN_PROCESS: 'false', REDIS_PREFIX: api1.redisPrefix } });
    worker = await createTestApp({ ...shared, env: { REDIS_PREFIX: api1.redisPrefix } });
  }, 300_000);
  afterAll(async () => {
    await worker?.close();
    await api2?.close();
    await api1?.close();
  });

  it('a member state added through one process is in the round opened through another, and reminded', async () => {
    // the second API process has its copy of the reference data before the change
    expect(await api2.app.get(ReferenceService).memberStateCodes()).not.toContain('XB');

    const admin = await signedIn(api1.app, { role: 'admin' });
    const [kz] = (await api1.app.get(ReferenceService).memberStates()).filter((s) => s.code === 'KZ');
    await api1
      .http()
      .post('/reference/member-states/XB')
      .set(bearer(admin.token))
      .send({ data: { ...kz.data, code: 'XB' }, note: 'joins', validFrom: '2020-01-01', create: true })
      .expect(201);
    const [drafter, reviewer, xb] = await Promise.all([
      createUser(api1.app, { role: 'legal_officer' }),
      createUser(api1.app, { role: 'legal_officer' }),
      createUser(api1.app, { role: 'approver', memberState: 'XB' }),
    ]);

    // the round is opened through the second API process
    const engine = api2.app.get(WorkflowEngine);
    const { instanceId } = await engine.start({
      definitionId: 'regulation-amendment',
      input: { proposedBy: 'Secretariat', rationale: 'A new member state' },
      actor: actor(drafter),
    });
    await engine.apply({ instanceId, type: 'START_DRAFTING', payload: {}, actor: actor(drafter) });
    await draftUpTo(api2.app, instanceId, actor(drafter), 1);
    await engine.apply({ instanceId, type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: actor(drafter) });
    const circulated = await engine.apply({ instanceId, type: 'APPROVE_REVIEW', payload: {}, actor: actor(reviewer) });
    expect(circulated.state).toBe('circulation');
    const [{ snapshot }] = await api2.dataSource.query(`SELECT snapshot FROM workflow_instance WHERE id = $1`, [
      instanceId,
    ]);
    const rounds = (snapshot.context.commentRounds ?? []) as { electorate: string[] }[];
    expect(rounds.at(-1)?.electorate).toContain('XB');

    // the worker schedules the circulation's reminders and sends the 7-day one to XB's approver
    // (every process runs an outbox relay: whichever claims a message handles it, so wait for the outbox to empty)
    const relay = worker.app.get(OutboxRelay);
    const outboxDone = () =>
      waitFor(async () => {
        await relay.drain();
        const [{ n }] = await worker.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox_message WHERE processed_at IS NULL`,
        );
        return n === 0;
      });
    await outboxDone();
    clock.advance({ days: 23 });
    const fired = await fireDue(worker);
    expect(fired.map((f) => f.name)).toContain('REMINDER');
    await outboxDone();
    // XB's approver was told of the circulation when it opened, and is now reminded
    const notes = await worker.dataSource.query(
      `SELECT kind, subject FROM notification WHERE user_id = $1 ORDER BY kind`,
      [xb.id],
    );
    expect(notes).toEqual([
      { kind: 'info', subject: "Draft version 1 is circulated for your state's comments" },
      { kind: 'reminder', subject: 'Comments on draft version 1 are due in 7 day(s)' },
    ]);
  }, 300_000);
});
