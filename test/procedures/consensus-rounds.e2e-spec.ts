import { SYSTEM_ACTOR } from '../../src/common/actors';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { bearer, signedIn, tokenFor, type TestUser } from '../support/auth';
import { draftUpTo } from '../support/drafts';
import { createTestApp, type TestApp } from '../support/test-app';

const STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
const DAY = 86_400_000;

interface MatrixRound {
  outcome: string;
  objections: { memberState: string; text: string }[];
  reservations: { memberState: string; text: string }[];
  states: { memberState: string; position: string; text: string | null }[];
  superseded: { memberState: string; position: string; text: string | null; supersededAt: string }[];
  joined: { memberState: string; at: string }[];
  left: { memberState: string; at: string; reason: string }[];
  closedEarly: { by: string; reason: string; at: string } | null;
  settledBySilence: boolean;
  silenceProcedure: boolean;
  mustAnswer: string[];
}

/**
 * Consensus rounds on the real database, through HTTP and the engine: full rounds, a manager's
 * early close, position changes, membership changes reaching open rounds, silence as a rule.
 */
describe('consensus rounds (HTTP, engine, real PostgreSQL)', () => {
  let t: TestApp;
  let officerUser: TestUser;
  let reviewerUser: TestUser;
  let managerUser: TestUser;
  let adminUser: TestUser;
  const approvers: Record<string, TestUser> = {};

  beforeAll(async () => {
    t = await createTestApp();
    officerUser = (await signedIn(t.app, { role: 'legal_officer' })).user;
    reviewerUser = (await signedIn(t.app, { role: 'legal_officer' })).user;
    managerUser = (await signedIn(t.app, { role: 'manager' })).user;
    adminUser = (await signedIn(t.app, { role: 'admin' })).user;
    for (const s of STATES) approvers[s] = (await signedIn(t.app, { role: 'approver', memberState: s })).user;
  });
  afterAll(() => t.close());

  // tokens issued now: tests move the clock
  const token = (u: TestUser) => tokenFor(t.app, u);
  const send = async (id: string, u: TestUser, type: string, payload: object = {}) => {
    const auth = bearer(await token(u));
    const res = await t.http().post(`/instances/${id}/events`).set(auth).send({ type, payload });
    return res;
  };
  const answer = async (id: string, state: string, body: object) => {
    const auth = bearer(await token(approvers[state]));
    const res = await t.http().post(`/approvals/${id}/answer`).set(auth).send(body);
    return res;
  };
  const matrix = async (id: string): Promise<MatrixRound[]> =>
    (
      await t
        .http()
        .get(`/instances/${id}/approvals`)
        .set(bearer(await token(managerUser)))
        .expect(200)
    ).body.approvalRounds as MatrixRound[];
  const stateOf = async (id: string) =>
    (await t.dataSource.query(`SELECT state_path FROM workflow_instance WHERE id = $1`, [id]))[0].state_path as string;
  const eventCount = async (id: string) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM workflow_event WHERE instance_id = $1`, [id]))[0]
      .n as number;
  const today = () => t.clock.now().toISOString().slice(0, 10);
  /** The officer who writes the drafts, as the documents module records the author. */
  const author = () => ({ id: officerUser.id, role: 'legal_officer' as const, memberState: null, actingFor: null });
  /** The response, after checking its status (the body is shown when it differs). */
  const ok = async (pending: Promise<{ status: number; body: unknown }>, status = 200) => {
    const res = await pending;
    if (res.status !== status) throw new Error(`Expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res;
  };

  /** A model-memorandum amendment whose version 1 waits for the coordinators' positions. */
  async function atApproval(): Promise<string> {
    const res = await t
      .http()
      .post('/instances')
      .set(bearer(await token(officerUser)))
      .send({
        definitionId: 'model-memorandum-amendment',
        input: { proposedBy: 'Secretariat', rationale: 'The 2025 SCO partner status' },
      })
      .expect(201);
    const id = res.body.instance.id as string;
    await ok(send(id, officerUser, 'START_DRAFTING'), 200);
    await draftUpTo(t.app, id, author(), 1);
    await ok(send(id, officerUser, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }), 200);
    await ok(send(id, reviewerUser, 'APPROVE_REVIEW'), 200);
    await t.app.get(WorkflowEngine).apply({
      instanceId: id,
      type: 'DEADLINE_PASSED',
      payload: { deadlineKey: 'circulation' },
      actor: SYSTEM_ACTOR,
    });
    await ok(send(id, officerUser, 'SUBMIT_TO_COORDINATORS', { draftVersion: 1 }), 200);
    return id;
  }

  it('full rounds: an objection keeps the round open; when every state has answered it returns with every objection and reservation', async () => {
    const id = await atApproval();
    await ok(answer(id, 'IN', { draftVersion: 1, kind: 'object', text: 'Art. 5 unacceptable' }), 200);
    expect(await stateOf(id)).toBe('cnc_approval');
    // the others are still asked
    const inbox = await t
      .http()
      .get('/approvals/inbox')
      .set(bearer(await token(approvers.KZ)))
      .expect(200);
    expect(inbox.body.items.map((i: { instanceId: string }) => i.instanceId)).toContain(id);
    for (const s of STATES.filter((x) => x !== 'IN')) {
      const body =
        s === 'PK'
          ? { draftVersion: 1, kind: 'object', text: 'Art. 9 unclear' }
          : s === 'KZ'
            ? { draftVersion: 1, kind: 'agree_with_reservation', text: 'Art. 4 as read by KZ' }
            : { draftVersion: 1, kind: 'agree' };
      await ok(answer(id, s, body), 200);
    }
    expect(await stateOf(id)).toBe('consolidation');
    const [round] = await matrix(id);
    expect(round.outcome).toBe('objected');
    expect(round.objections).toEqual([
      { memberState: 'IN', text: 'Art. 5 unacceptable' },
      { memberState: 'PK', text: 'Art. 9 unclear' },
    ]);
    expect(round.reservations).toEqual([{ memberState: 'KZ', text: 'Art. 4 as read by KZ' }]);
    const refused = await send(id, officerUser, 'SUBMIT_TO_COORDINATORS', { draftVersion: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/objected to by IN \("Art. 5 unacceptable"\), PK \("Art. 9 unclear"\)/);
  });

  it('position changes: an objection lifted through the answer endpoint stays in the matrix as superseded', async () => {
    const id = await atApproval();
    await ok(answer(id, 'RU', { draftVersion: 1, kind: 'object', text: 'Art. 2' }), 200);
    await ok(answer(id, 'RU', { draftVersion: 1, kind: 'agree_with_reservation', text: 'Art. 2 as read by RU' }), 200);
    const [round] = await matrix(id);
    expect(round.states.find((s) => s.memberState === 'RU')).toMatchObject({
      position: 'agree_with_reservation',
      text: 'Art. 2 as read by RU',
    });
    expect(round.superseded).toEqual([
      expect.objectContaining({ memberState: 'RU', position: 'object', text: 'Art. 2' }),
    ]);
    for (const s of STATES.filter((x) => x !== 'RU')) await ok(answer(id, s, { draftVersion: 1, kind: 'agree' }), 200);
    expect(await stateOf(id)).toBe('submitted_for_adoption');
    // a settled round takes no change
    const late = await answer(id, 'RU', { draftVersion: 1, kind: 'object', text: 'Too late' });
    expect(late.status).toBe(409);
    // reservations at adoption: the adoption record lists the final round's reservations
    await ok(send(id, officerUser, 'SUBMIT_FOR_ADOPTION', { body: 'chs' }), 200);
    const view = await t
      .http()
      .get(`/instances/${id}`)
      .set(bearer(await token(officerUser)))
      .expect(200);
    expect(view.body.context.adoption.reservations).toEqual([{ memberState: 'RU', text: 'Art. 2 as read by RU' }]);
  });

  it('a manager closes a round early only once it cannot reach consensus, with a reason; others are refused and nothing is written', async () => {
    const id = await atApproval();
    const before = await eventCount(id);
    for (const u of [officerUser, approvers.RU]) {
      const res = await send(id, u, 'CLOSE_ROUND', { reason: 'No consensus possible' });
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/CLOSE_ROUND needs the role manager/);
    }
    const early = await send(id, managerUser, 'CLOSE_ROUND', { reason: 'No consensus possible' });
    expect(early.status).toBe(409);
    expect(early.body.message).toBe(
      'Round 1 can still reach consensus (no member state objects): it stays open until every state has answered or the deadline passes.',
    );
    const noReason = await send(id, managerUser, 'CLOSE_ROUND', {});
    expect(noReason.status).toBe(400);
    expect(await eventCount(id)).toBe(before);

    await ok(answer(id, 'CN', { draftVersion: 1, kind: 'object', text: 'Art. 1 contradicts the Charter' }), 200);
    await ok(send(id, managerUser, 'CLOSE_ROUND', { reason: 'CN objects on principle; no point waiting' }), 200);
    expect(await stateOf(id)).toBe('consolidation');
    const [round] = await matrix(id);
    expect(round.closedEarly).toMatchObject({
      by: managerUser.id,
      reason: 'CN objects on principle; no point waiting',
    });
    expect(round.objections).toEqual([{ memberState: 'CN', text: 'Art. 1 contradicts the Charter' }]);
  });

  it('membership: a state that joins is added to the open round with a full period; one that leaves is removed with the reason', async () => {
    const id = await atApproval();
    await ok(answer(id, 'BY', { draftVersion: 1, kind: 'object', text: 'Art. 3' }), 200);
    t.clock.advance({ days: 20 });
    const [{ due_at: dueBefore }] = await t.dataSource.query(
      `SELECT due_at FROM deadline WHERE instance_id = $1 AND key = 'cnc_approval' AND status = 'open'`,
      [id],
    );
    const admin = await token(adminUser);
    const kz = (await t.http().get('/reference/member-states/KZ').set(bearer(admin)).expect(200)).body.data as Record<
      string,
      unknown
    >;
    await t
      .http()
      .post('/reference/member-states/LA')
      .set(bearer(admin))
      .send({
        data: { ...kz, code: 'LA', name_en: 'Laos', name_ru: 'Лаос', name_zh: '老挝' },
        note: 'Admitted as a member state (test record)',
        validFrom: today(),
        create: true,
      })
      .expect(201);
    let [round] = await matrix(id);
    expect(round.joined).toEqual([{ memberState: 'LA', at: expect.any(String) }]);
    expect(round.states.map((s) => s.memberState)).toContain('LA');
    const [deadline] = await t.dataSource.query(
      `SELECT due_at, extensions FROM deadline WHERE instance_id = $1 AND key = 'cnc_approval' AND status = 'open'`,
      [id],
    );
    // the full 30-day period from the day LA joined: the deadline moved later, never earlier
    expect(new Date(deadline.due_at).getTime()).toBe(t.clock.now().getTime() + 30 * DAY);
    expect(new Date(deadline.due_at).getTime()).toBeGreaterThan(new Date(dueBefore).getTime());
    expect(deadline.extensions).toEqual([
      expect.objectContaining({ by: 'system', reason: expect.stringMatching(/^LA joined round 1/) }),
    ]);

    // BY leaves: removed with the reason; its objection is set aside, kept in the record
    await t
      .http()
      .post('/reference/member-states/BY/end')
      .set(bearer(admin))
      .send({ note: 'Ceased to be a member state (test record)', validTo: today() })
      .expect(200);
    [round] = await matrix(id);
    expect(round.left).toEqual([
      {
        memberState: 'BY',
        at: expect.any(String),
        reason: expect.stringMatching(
          /^BY ceased to be a member state on .*Ceased to be a member state \(test record\)/,
        ),
      },
    ]);
    expect(round.superseded).toEqual([expect.objectContaining({ memberState: 'BY', position: 'object' })]);
    expect(round.states.map((s) => s.memberState)).not.toContain('BY');

    // every state of the electorate of now answers; consensus waits for LA
    for (const s of STATES.filter((x) => x !== 'BY')) await ok(answer(id, s, { draftVersion: 1, kind: 'agree' }), 200);
    expect(await stateOf(id)).toBe('cnc_approval');
    approvers.LA = (await signedIn(t.app, { role: 'approver', memberState: 'LA' })).user;
    await ok(answer(id, 'LA', { draftVersion: 1, kind: 'agree' }), 200);
    expect(await stateOf(id)).toBe('submitted_for_adoption');

    // the reference history keeps who ended BY and why
    const history = await t.http().get('/reference/member-states/BY/history').set(bearer(admin)).expect(200);
    expect(history.body[history.body.length - 1]).toMatchObject({
      endedBy: adminUser.id,
      endNote: 'Ceased to be a member state (test record)',
    });
    const again = await t
      .http()
      .post('/reference/member-states/BY/end')
      .set(bearer(admin))
      .send({ note: 'again', validTo: today() });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/has already ended/);
  });

  it('silence as a rule: a 1(e) protocol with a basis uses it; the state that objected to the previous version must answer; every view says silence settled it', async () => {
    const engine = t.app.get(WorkflowEngine);
    const started = await t
      .http()
      .post('/instances')
      .set(bearer(await token(officerUser)))
      .send({
        definitionId: 'memorandum-amendment',
        input: {
          partner: 'TR',
          memorandumId: 'mem-TR',
          basis: { document: 'model_memorandum', decisionNumber: 'CFM-7', date: '2024-12-01' },
        },
      })
      .expect(201);
    const id = started.body.instance.id as string;
    await ok(
      send(id, officerUser, 'COMPLETE_GAP_ANALYSIS', { findings: 'Art. 3 predates the model', provisions: ['art. 3'] }),
    );
    await draftUpTo(t.app, id, author(), 1);
    await ok(send(id, officerUser, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
    // the former checkbox is refused, with the field named, and nothing is written
    const before = await eventCount(id);
    const box = await send(id, reviewerUser, 'APPROVE_REVIEW', { silenceProcedure: false });
    expect(box.status).toBe(400);
    expect(box.body.message).toMatch(/silenceProcedure/);
    expect(await eventCount(id)).toBe(before);
    await ok(send(id, reviewerUser, 'APPROVE_REVIEW'));
    let [round] = await matrix(id);
    expect(round.silenceProcedure).toBe(true);
    await ok(answer(id, 'IN', { draftVersion: 1, kind: 'object', text: 'Art. 3 (2)' }));
    await engine.apply({
      instanceId: id,
      type: 'DEADLINE_PASSED',
      payload: { deadlineKey: 'consensus' },
      actor: SYSTEM_ACTOR,
    });
    // an objection stands at the deadline: back to drafting, silence not applied
    expect(await stateOf(id)).toBe('drafting');
    await draftUpTo(t.app, id, author(), 2);
    await ok(send(id, officerUser, 'SUBMIT_FOR_REVIEW', { draftVersion: 2 }));
    await ok(send(id, reviewerUser, 'APPROVE_REVIEW'));
    await engine.apply({
      instanceId: id,
      type: 'DEADLINE_PASSED',
      payload: { deadlineKey: 'consensus' },
      actor: SYSTEM_ACTOR,
    });
    expect(await stateOf(id)).toBe('consensus');
    const rounds = await matrix(id);
    round = rounds[1];
    expect(round).toMatchObject({ outcome: 'open', mustAnswer: ['IN'] });
    expect(round.states.find((s) => s.memberState === 'IN')?.position).toBe('no_answer');
    expect(round.states.filter((s) => s.position === 'silence')).toHaveLength(STATES.length - 1);
    await ok(answer(id, 'IN', { draftVersion: 2, kind: 'agree' }));
    expect(await stateOf(id)).toBe('agreed');
    round = (await matrix(id))[1];
    expect(round).toMatchObject({ outcome: 'consensus', settledBySilence: true });
    const view = await t
      .http()
      .get(`/instances/${id}`)
      .set(bearer(await token(officerUser)))
      .expect(200);
    expect(view.body.context.rounds[1]).toMatchObject({ settledBySilence: true, mustAnswer: ['IN'] });
  });
});
