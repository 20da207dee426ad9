import type { Actor } from '../../workflows/kernel/types';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { bearer, signedIn, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { draftUpTo } from '../support/drafts';

const STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
const system: Actor = { id: 'system', role: 'system', memberState: null, actingFor: null };
const approver = (s: string): Actor => ({ id: `approver-${s}`, role: 'approver', memberState: s, actingFor: null });

describe("managers' dashboard (real PostgreSQL)", () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let officer: Actor;
  let reviewer: Actor;
  let managerUser: TestUser;
  let officerUser: TestUser;
  /** A token issued now: tests move the clock further than a token lives. */
  const as = async (u: TestUser) => bearer(await tokenFor(t.app, u));

  beforeAll(async () => {
    t = await createTestApp();
    engine = t.app.get(WorkflowEngine);
    const o = await signedIn(t.app, { role: 'legal_officer' });
    officer = o.actor;
    officerUser = o.user;
    reviewer = (await signedIn(t.app, { role: 'legal_officer' })).actor;
    managerUser = (await signedIn(t.app, { role: 'manager' })).user;
  });
  afterAll(() => t.close());

  async function toApproval(): Promise<string> {
    const { instanceId } = await engine.start({
      definitionId: 'model-memorandum-amendment',
      input: { proposedBy: 'Secretariat', rationale: 'SCO partner status' },
      actor: officer,
    });
    await engine.apply({ instanceId, type: 'START_DRAFTING', payload: {}, actor: officer });
    t.clock.advance({ days: 2 });
    await draftUpTo(t.app, instanceId, officer, 1);
    await engine.apply({ instanceId, type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer });
    t.clock.advance({ days: 1 });
    await engine.apply({ instanceId, type: 'APPROVE_REVIEW', payload: {}, actor: reviewer });
    await engine.apply({ instanceId, type: 'DEADLINE_PASSED', payload: { deadlineKey: 'circulation' }, actor: system });
    await engine.apply({ instanceId, type: 'SUBMIT_TO_COORDINATORS', payload: { draftVersion: 1 }, actor: officer });
    return instanceId;
  }

  it('counts by procedure and stage, shows who is holding items up and since when, overdue and due this week, and time per stage', async () => {
    const a = await toApproval();
    const b = await toApproval();
    for (const s of STATES.filter((x) => x !== 'IN' && x !== 'PK'))
      await engine.apply({
        instanceId: a,
        type: 'POSITION',
        payload: { draftVersion: 1, kind: 'agree' },
        actor: approver(s),
      });
    for (const s of STATES.filter((x) => x !== 'IN'))
      await engine.apply({
        instanceId: b,
        type: 'POSITION',
        payload: { draftVersion: 1, kind: 'agree' },
        actor: approver(s),
      });
    const rows = await t.dataSource.query(
      `SELECT instance_id, member_state FROM awaiting_answer ORDER BY member_state, instance_id`,
    );
    expect(rows.map((r: { member_state: string }) => r.member_state)).toEqual(['IN', 'IN', 'PK']);

    t.clock.advance({ days: 25 }); // a's round opened 28 days ago (due in 2 days), b's 25 days ago (due in 5)
    let res = await t
      .http()
      .get('/monitoring/dashboard')
      .set(await as(managerUser))
      .expect(200);
    const d = res.body;
    expect(d.totals).toMatchObject({ active: 2, done: 0, overdue: 0, dueThisWeek: 2 });
    const model = d.byProcedure.find((p: { definitionId: string }) => p.definitionId === 'model-memorandum-amendment');
    expect(model).toMatchObject({ measure: '1(d)', active: 2, done: 0, overdue: 0 });
    expect(model.stages).toEqual([
      expect.objectContaining({
        state: 'cnc_approval',
        count: 2,
        overdue: 0,
        label: expect.objectContaining({ en: 'Approval by the Council of National Coordinators' }),
      }),
    ]);
    expect(d.holdingUp).toEqual([
      expect.objectContaining({ memberState: 'IN', items: 2, days: 28, instanceIds: expect.arrayContaining([a, b]) }),
      expect.objectContaining({ memberState: 'PK', items: 1, days: 28, instanceIds: [a] }),
    ]);
    expect(d.dueThisWeekItems).toHaveLength(2);
    expect(d.dueThisWeekItems[0]).toMatchObject({ instanceId: a, deadlineKey: 'cnc_approval', daysLeft: 2 });
    const drafting = d.stageDurations.find((s: { state: string }) => s.state === 'drafting');
    expect(drafting).toMatchObject({ definitionId: 'model-memorandum-amendment', averageDays: 2, samples: 2 });

    // IN answers on b: consensus there; PK and IN still hold a up; a passes its deadline
    await engine.apply({
      instanceId: b,
      type: 'POSITION',
      payload: { draftVersion: 1, kind: 'agree' },
      actor: approver('IN'),
    });
    t.clock.advance({ days: 6 });
    res = await t
      .http()
      .get('/monitoring/dashboard?definition=model-memorandum-amendment')
      .set(await as(managerUser))
      .expect(200);
    expect(res.body.totals).toMatchObject({ active: 2, overdue: 1, dueThisWeek: 0 });
    expect(res.body.holdingUp.map((h: { memberState: string; items: number }) => [h.memberState, h.items])).toEqual([
      ['IN', 1],
      ['PK', 1],
    ]);
    expect(res.body.overdueItems).toEqual([
      expect.objectContaining({ instanceId: a, deadlineKey: 'cnc_approval', daysOverdue: 4 }),
    ]);
    expect(res.body.byProcedure).toHaveLength(1);
  });

  it('validates its filters and is for managers, administrators and legal officers', async () => {
    const bad = await t
      .http()
      .get('/monitoring/dashboard?partner=turkey')
      .set(await as(managerUser))
      .expect(400);
    expect(bad.body.message).toMatch(/partner must be a code/);
    const approverToken = (await signedIn(t.app, { role: 'approver', memberState: 'KZ' })).token;
    await t.http().get('/monitoring/dashboard').set(bearer(approverToken)).expect(403);
    await t.http().get('/monitoring/dashboard').expect(401);
  });

  it("lists a legal officer's own procedures with startedBy=me", async () => {
    const other = (await signedIn(t.app, { role: 'legal_officer' })).actor;
    const mine = await engine.start({
      definitionId: 'regulation-amendment',
      input: { proposedBy: 'RU', rationale: 'r' },
      actor: officer,
    });
    await engine.start({
      definitionId: 'regulation-amendment',
      input: { proposedBy: 'CN', rationale: 'r' },
      actor: other,
    });
    const res = await t
      .http()
      .get('/instances?startedBy=me&definition=regulation-amendment')
      .set(await as(officerUser))
      .expect(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([mine.instanceId]);
    await t
      .http()
      .get('/instances?startedBy=someone')
      .set(await as(officerUser))
      .expect(400);
  });
});
