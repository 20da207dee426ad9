import { WorkflowEngine } from '../../src/engine/engine.service';
import { bearer, signedIn, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { draftUpTo } from '../support/drafts';
import { NAMED_MEMBER_STATE_REFUSAL } from '../../src/auth/member-state-naming.guard';

const STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];

/**
 * Member-state approvals over HTTP on the real database: the state of an answer comes from the
 * caller's identity only; consensus is reached exactly once however the answers interleave.
 */
describe('approvals (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let officer: string;
  let reviewer: string;
  let manager: string;
  let officerUser: TestUser;
  let reviewerUser: TestUser;
  let managerUser: TestUser;
  const approvers: Record<string, { user: TestUser; token: string }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    ({ user: officerUser, token: officer } = await signedIn(t.app, { role: 'legal_officer' }));
    ({ user: reviewerUser, token: reviewer } = await signedIn(t.app, { role: 'legal_officer' }));
    ({ user: managerUser, token: manager } = await signedIn(t.app, { role: 'manager' }));
    for (const s of STATES) approvers[s] = await signedIn(t.app, { role: 'approver', memberState: s });
  });
  afterAll(() => t.close());

  const send = (id: string, token: string, type: string, payload: object = {}) =>
    t.http().post(`/instances/${id}/events`).set(bearer(token)).send({ type, payload });
  const eventCount = async (id: string) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM workflow_event WHERE instance_id = $1`, [id]))[0]
      .n as number;

  /** A model-memorandum amendment waiting for the coordinators' approval of version 1. */
  async function atApproval(): Promise<string> {
    // tokens issued now: tests move the clock
    officer = await tokenFor(t.app, officerUser);
    reviewer = await tokenFor(t.app, reviewerUser);
    manager = await tokenFor(t.app, managerUser);
    const res = await t
      .http()
      .post('/instances')
      .set(bearer(officer))
      .send({
        definitionId: 'model-memorandum-amendment',
        input: { proposedBy: 'Secretariat', rationale: 'The 2025 SCO partner status' },
      })
      .expect(201);
    const id = res.body.instance.id as string;
    await send(id, officer, 'START_DRAFTING').expect(200);
    await draftUpTo(t.app, id, { id: officerUser.id, role: 'legal_officer', memberState: null, actingFor: null }, 1);
    await send(id, officer, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(200);
    await send(id, reviewer, 'APPROVE_REVIEW').expect(200);
    // the circulation period ends: the scheduler's event, through the same engine path
    await t.app.get(WorkflowEngine).apply({
      instanceId: id,
      type: 'DEADLINE_PASSED',
      payload: { deadlineKey: 'circulation' },
      actor: { id: 'system', role: 'system', memberState: null, actingFor: null },
    });
    await send(id, officer, 'SUBMIT_TO_COORDINATORS', { draftVersion: 1 }).expect(200);
    return id;
  }

  it("shows the approver's inbox and records answers for the caller's own state only", async () => {
    const id = await atApproval();
    const inbox = await t.http().get('/approvals/inbox').set(bearer(approvers.KZ.token)).expect(200);
    expect(inbox.body.memberState).toBe('KZ');
    const item = inbox.body.items.find((i: { instanceId: string }) => i.instanceId === id);
    expect(item).toMatchObject({ question: 'position', draftVersion: 1, event: 'POSITION', stage: 'cnc_approval' });
    expect(item.daysLeft).toBe(30);

    await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.KZ.token))
      .send({ draftVersion: 1, kind: 'agree_with_reservation', text: 'Art. 4: reservation' })
      .expect(200);
    const matrix = await t.http().get(`/instances/${id}/approvals`).set(bearer(manager)).expect(200);
    const kz = matrix.body.approvalRounds[0].states.find((s: { memberState: string }) => s.memberState === 'KZ');
    expect(kz).toMatchObject({
      position: 'agree_with_reservation',
      text: 'Art. 4: reservation',
      by: approvers.KZ.user.id,
      actingFor: null,
      draftVersion: 1,
    });
    expect(
      matrix.body.approvalRounds[0].states.filter((s: { position: string }) => s.position === 'no_answer'),
    ).toHaveLength(9);
    // answered: no longer in KZ's inbox, and the same answer again is refused (a change must differ)
    const after = await t.http().get('/approvals/inbox').set(bearer(approvers.KZ.token)).expect(200);
    expect(after.body.items.find((i: { instanceId: string }) => i.instanceId === id)).toBeUndefined();
    const again = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.KZ.token))
      .send({ draftVersion: 1, kind: 'agree_with_reservation', text: 'Art. 4: reservation' })
      .expect(409);
    expect(again.body.message).toMatch(/KZ already holds this position in round 1/);
    expect(again.body.details).toMatchObject({ reason: 'BUSINESS_RULE' });
  });

  it('answers with the recorded event; the procedure as it stands only when asked (Prefer: return=representation)', async () => {
    const id = await atApproval();
    const short = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.CN.token))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(200);
    expect(short.body).toEqual({
      result: expect.objectContaining({ instanceId: id, type: 'POSITION', state: 'cnc_approval', replayed: false }),
    });
    expect(short.headers['preference-applied']).toBeUndefined();
    const full = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.IN.token))
      .set('Prefer', 'respond-async, return=representation')
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(200);
    expect(full.headers['preference-applied']).toBe('return=representation');
    expect(full.body.result).toMatchObject({ instanceId: id, type: 'POSITION', seq: short.body.result.seq + 1 });
    expect(full.body.instance).toMatchObject({ id, state: 'cnc_approval' });
    // return=minimal, or a preference this service does not know, is the short answer
    const minimal = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.IR.token))
      .set('Prefer', 'return=minimal')
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(200);
    expect(Object.keys(minimal.body)).toEqual(['result']);
  });

  it('refuses an answer on an outdated draft version with 409', async () => {
    const id = await atApproval();
    const res = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.IN.token))
      .send({ draftVersion: 2, kind: 'agree' })
      .expect(409);
    expect(res.body.message).toMatch(/version 2 is outdated: this round is on version 1/);
    expect(res.body.details).toMatchObject({ reason: 'STALE_VERSION', currentVersion: 1 });
  });

  it('refuses every attempt to answer for another state, and writes nothing', async () => {
    const id = await atApproval();
    const before = await eventCount(id);
    const ru = approvers.RU.token;
    // by body: naming a member state anywhere is refused with the one 403 sentence (before validation)
    const byBody = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(ru))
      .send({ draftVersion: 1, kind: 'object', text: 'x', memberState: 'CN' })
      .expect(403);
    expect(byBody.body.message).toBe(NAMED_MEMBER_STATE_REFUSAL);
    await send(id, ru, 'POSITION', { draftVersion: 1, kind: 'object', text: 'x', memberState: 'CN' }).expect(403);
    // by query and by header
    await t
      .http()
      .post(`/approvals/${id}/answer?memberState=CN`)
      .set(bearer(ru))
      .send({ draftVersion: 1, kind: 'object', text: 'x' })
      .expect(403);
    await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(ru))
      .set('X-Member-State', 'CN')
      .send({ draftVersion: 1, kind: 'object', text: 'x' })
      .expect(403);
    // other roles
    const officerTry = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(officer))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(403);
    expect(officerTry.body.message).toMatch(/approver/);
    await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(manager))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(403);
    await send(id, officer, 'POSITION', { draftVersion: 1, kind: 'agree' }).expect(403);
    await send(id, manager, 'POSITION', { draftVersion: 1, kind: 'agree' }).expect(403);
    // no token, a forged token
    await t.http().post(`/approvals/${id}/answer`).send({ draftVersion: 1, kind: 'agree' }).expect(401);
    await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer('not.a.token'))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(401);
    expect(await eventCount(id)).toBe(before);
    const matrix = await t.http().get(`/instances/${id}/approvals`).set(bearer(manager)).expect(200);
    expect(matrix.body.approvalRounds[0].states.every((s: { position: string }) => s.position === 'no_answer')).toBe(
      true,
    );
  });

  it('all ten states answering at the same moment on 20 instances: each answer once, consensus once per instance', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await atApproval());
    // fresh tokens at the current (advanced) clock
    const tokens: Record<string, string> = {};
    for (const s of STATES) tokens[s] = (await signedIn(t.app, { role: 'approver', memberState: s })).token;
    const answers = ids.flatMap((id) =>
      STATES.map((s) =>
        t.http().post(`/approvals/${id}/answer`).set(bearer(tokens[s])).send({ draftVersion: 1, kind: 'agree' }),
      ),
    );
    const results = await Promise.all(answers);
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    for (const id of ids) {
      const positions = await t.dataSource.query(
        `SELECT actor_member_state FROM workflow_event WHERE instance_id = $1 AND type = 'POSITION' ORDER BY seq`,
        [id],
      );
      expect(positions.map((p: { actor_member_state: string }) => p.actor_member_state).sort()).toEqual(STATES);
      const reached = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM workflow_event WHERE instance_id = $1 AND state_before = 'cnc_approval' AND state_after = 'submitted_for_adoption'`,
        [id],
      );
      expect(reached[0].n).toBe(1);
      const view = await t.http().get(`/instances/${id}`).set(bearer(manager)).expect(200);
      expect(view.body.state).toBe('submitted_for_adoption');
      expect((await t.http().get(`/instances/${id}/verify`).set(bearer(manager)).expect(200)).body.valid).toBe(true);
    }
    // 20 procedures brought to the round and 200 concurrent answers: a workload, not a unit; its
    // budget must hold on a machine kept busy by other work
  }, 300_000);

  it('an acting approver answers within the appointed period, with both identities kept, and not outside it', async () => {
    const id = await atApproval();
    const admin = (await signedIn(t.app, { role: 'admin' })).token;
    const absent = approvers.PK.user;
    const acting = await signedIn(t.app, { role: 'approver', memberState: 'PK' });
    const now = t.clock.now().getTime();
    await t
      .http()
      .post('/acting-appointments')
      .set(bearer(admin))
      .send({
        memberState: 'PK',
        actingUserId: acting.user.id,
        forUserId: absent.id,
        validFrom: new Date(now - 3_600_000).toISOString(),
        validTo: new Date(now + 86_400_000).toISOString(),
        reason: 'Leave',
      })
      .expect(201);
    await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(acting.token))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(200);
    const matrix = await t.http().get(`/instances/${id}/approvals`).set(bearer(manager)).expect(200);
    expect(
      matrix.body.approvalRounds[0].states.find((s: { memberState: string }) => s.memberState === 'PK'),
    ).toMatchObject({ by: acting.user.id, actingFor: absent.id });
    const [ev] = await t.dataSource.query(
      `SELECT actor_id, acting_for FROM workflow_event WHERE instance_id = $1 AND type = 'POSITION'`,
      [id],
    );
    expect(ev).toEqual({ actor_id: acting.user.id, acting_for: absent.id });

    // two days later the appointment has lapsed: an answer is the user's own, not acting-for
    const id2 = await atApproval();
    t.clock.advance({ days: 2 });
    const lateToken = await tokenFor(t.app, acting.user);
    await t
      .http()
      .post(`/approvals/${id2}/answer`)
      .set(bearer(lateToken))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(200);
    const [late] = await t.dataSource.query(
      `SELECT actor_id, acting_for FROM workflow_event WHERE instance_id = $1 AND type = 'POSITION'`,
      [id2],
    );
    expect(late).toEqual({ actor_id: acting.user.id, acting_for: null });
  });
  it('refuses an expired token and a revoked token, writing nothing', async () => {
    const id = await atApproval();
    const before = await eventCount(id);
    const { token, user } = await signedIn(t.app, { role: 'approver', memberState: 'UZ' });
    const admin = (await signedIn(t.app, { role: 'admin' })).token;
    await t
      .http()
      .post(`/users/${user.id}/revoke-tokens`)
      .set(bearer(admin))
      .expect((r) => expect([200, 201, 204]).toContain(r.status));
    const revoked = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(token))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(401);
    expect(revoked.body.message).toMatch(/revoked|sign in/i);
    const { token: shortLived } = await signedIn(t.app, { role: 'approver', memberState: 'UZ' });
    t.clock.advance({ hours: 2 });
    const expired = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(shortLived))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(401);
    expect(expired.body.message).toMatch(/expired/i);
    expect(await eventCount(id)).toBe(before);
    // tokens issued later are valid again
    t.clock.advance({ seconds: 1 });
  });
});
