import type { Actor } from '../../workflows/kernel/types';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { ReferenceService } from '../../src/reference/reference.service';
import { bearer, signedIn } from '../support/auth';
import { draftUpTo } from '../support/drafts';
import { createTestApp, type TestApp } from '../support/test-app';

const STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
const SYSTEM: Actor = { id: 'system', role: 'system', memberState: null, actingFor: null };

/**
 * Records and corrections on the real engine, HTTP and PostgreSQL: the adoption record (bodies
 * and what each adopts from the reference data, one submission, dates checked), corrections of a
 * recorded fact under four-eyes, withdrawal during a member-state round, the signing record.
 */
describe('records and corrections (real engine, HTTP, PostgreSQL)', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  const who: Record<'officer' | 'reviewer' | 'manager', { token: string; actor: Actor }> = {} as never;
  const approvers: Record<string, { token: string; actor: Actor }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    engine = t.app.get(WorkflowEngine);
    who.officer = await signedIn(t.app, { role: 'legal_officer' });
    who.reviewer = await signedIn(t.app, { role: 'legal_officer' });
    who.manager = await signedIn(t.app, { role: 'manager' });
    for (const s of STATES) approvers[s] = await signedIn(t.app, { role: 'approver', memberState: s });
  });
  afterAll(() => t?.close());

  const today = () => t.clock.now().toISOString().slice(0, 10);
  const send = (id: string, token: string, type: string, payload: object = {}) =>
    t.http().post(`/instances/${id}/events`).set(bearer(token)).send({ type, payload });
  const apply = (id: string, type: string, payload: object, actor: Actor) =>
    engine.apply({ instanceId: id, type, payload, actor });
  const written = async (id: string) => {
    const [r] = await t.dataSource.query<{ events: number; outbox: number }[]>(
      `SELECT (SELECT count(*)::int FROM workflow_event WHERE instance_id = $1) AS events,
              (SELECT count(*)::int FROM outbox_message WHERE instance_id = $1) AS outbox`,
      [id],
    );
    return r;
  };

  /** A 1(c) procedure whose circulation is open on version 1. */
  async function inCirculation(): Promise<string> {
    const { instanceId: id } = await engine.start({
      definitionId: 'regulation-amendment',
      input: { proposedBy: 'RU', rationale: 'The 2025 SCO partner status' },
      actor: who.officer.actor,
    });
    await apply(id, 'START_DRAFTING', {}, who.officer.actor);
    await draftUpTo(t.app, id, who.officer.actor, 1);
    await apply(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }, who.officer.actor);
    await apply(id, 'APPROVE_REVIEW', {}, who.reviewer.actor);
    return id;
  }

  /** A 1(c) procedure agreed by every coordinator, waiting for its submission. */
  async function agreed(): Promise<string> {
    const id = await inCirculation();
    await apply(id, 'DEADLINE_PASSED', { deadlineKey: 'circulation' }, SYSTEM);
    await apply(id, 'SUBMIT_TO_COORDINATORS', { draftVersion: 1 }, who.officer.actor);
    for (const s of STATES) await apply(id, 'POSITION', { draftVersion: 1, kind: 'agree' }, approvers[s].actor);
    return id;
  }

  it('adoption record: the bodies and what each adopts come from the versioned reference data (the CNC adopts nothing)', async () => {
    const bodies = await t.app.get(ReferenceService).bodyFacts(t.clock.now());
    const adopts = Object.fromEntries(bodies.map((b) => [b.id, b.adopts]));
    expect(adopts).toEqual({
      cfm: null,
      chg: null,
      chs: ['regulation'],
      cnc: [],
      'rats-ec': [],
      secretariat: [],
    });
    // a new version of the record, not an edit of the baseline: the baseline stays in the history
    const history = await t.app.get(ReferenceService).history('body', 'cnc');
    expect(history.map((v) => [v.version, v.data.adopts ?? 'absent'])).toEqual([
      [1, 'absent'],
      [2, []],
    ]);
  });

  it('adoption record: SUBMIT_FOR_ADOPTION to a body that does not adopt the text, or a second time, is refused with nothing written', async () => {
    const id = await agreed();
    const before = await written(id);
    const cnc = await send(id, who.officer.token, 'SUBMIT_FOR_ADOPTION', { body: 'cnc' }).expect(409);
    expect(cnc.body.message).toBe(
      'The Council of National Coordinators (cnc) does not adopt the Regulation on the status of dialogue partner (it adopts none of the documents of this roadmap); submit it to Council of Heads of State (chs).',
    );
    expect(cnc.body.details).toMatchObject({ reason: 'BUSINESS_RULE' });
    const unknown = await send(id, who.officer.token, 'SUBMIT_FOR_ADOPTION', { body: 'council-of-elders' }).expect(409);
    expect(unknown.body.message).toMatch(/^There is no body "council-of-elders" in the reference data/);
    await send(id, who.officer.token, 'SUBMIT_FOR_ADOPTION', { body: 'Council!' }).expect(400);
    expect(await written(id)).toEqual(before);

    await send(id, who.officer.token, 'SUBMIT_FOR_ADOPTION', { body: 'chs' }).expect(200);
    const again = await send(id, who.reviewer.token, 'SUBMIT_FOR_ADOPTION', { body: 'chs' }).expect(409);
    expect(again.body.message).toMatch(
      /^The draft was already submitted to chs on \d{4}-\d{2}-\d{2}; a wrongly recorded body is corrected/,
    );
    const view = (await t.http().get(`/instances/${id}`).set(bearer(who.officer.token)).expect(200)).body;
    expect(view.context.adoption).toMatchObject({ body: 'chs', submittedBy: who.officer.actor.id });
  });

  it('adoption record: a decision date before the consensus or in the future is refused; today is accepted', async () => {
    const id = await agreed();
    await apply(id, 'SUBMIT_FOR_ADOPTION', { body: 'chs' }, who.officer.actor);
    const before = await written(id);
    const old = await send(id, who.officer.token, 'RECORD_ADOPTION', { decisionNumber: '7', date: '1990-01-01' });
    expect(old.status).toBe(409);
    expect(old.body.message).toMatch(/^The decision date 1990-01-01 is before the consensus on the text \(reached/);
    const future = new Date(t.clock.now().getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
    const later = await send(id, who.officer.token, 'RECORD_ADOPTION', { decisionNumber: '7', date: future });
    expect(later.status).toBe(409);
    expect(later.body.message).toMatch(/^The decision date \(.*\) is in the future/);
    expect(await written(id)).toEqual(before);
    await send(id, who.officer.token, 'RECORD_ADOPTION', { decisionNumber: '7', date: today() }).expect(200);
  });

  it('corrections: proposed with a reason, refused for unknown facts and invalid values, confirmed only by a second officer; history keeps the original', async () => {
    const id = await agreed();
    await apply(id, 'SUBMIT_FOR_ADOPTION', { body: 'chs' }, who.officer.actor);
    await apply(id, 'RECORD_ADOPTION', { decisionNumber: '7', date: today() }, who.officer.actor);
    const propose = (token: string, body: object) =>
      t.http().post(`/instances/${id}/corrections`).set(bearer(token)).send(body);
    const before = await written(id);

    const listed = (await t.http().get(`/instances/${id}/corrections`).set(bearer(who.officer.token)).expect(200)).body;
    expect(listed.correctable.map((f: { field: string }) => f.field)).toEqual([
      'adoption.body',
      'adoption.decisionNumber',
      'adoption.date',
    ]);
    expect(listed.corrections).toEqual([]);

    const unknownField = await propose(who.officer.token, { field: 'adoption.signature', value: 'x', reason: 'typo' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toBe(
      'field: regulation-amendment records no fact "adoption.signature" that can be corrected; the correctable facts are adoption.body, adoption.decisionNumber, adoption.date.',
    );
    const badDate = await propose(who.officer.token, { field: 'adoption.date', value: '2025-02-30', reason: 'typo' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.message).toBe('value: must be a real calendar date');
    const early = await propose(who.officer.token, { field: 'adoption.date', value: '1990-01-01', reason: 'typo' });
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/^The decision date 1990-01-01 is before the consensus on the text/);
    const body = await propose(who.officer.token, { field: 'adoption.body', value: 'cnc', reason: 'typo' });
    expect(body.status).toBe(409);
    expect(body.body.message).toMatch(/^The Council of National Coordinators \(cnc\) does not adopt/);
    await propose(who.officer.token, { field: 'adoption.date', value: today(), reason: 'x' }).expect(409);
    await propose(approvers.KZ.token, { field: 'adoption.decisionNumber', value: '8', reason: 'x' }).expect(403);
    await propose(who.officer.token, { field: 'adoption.decisionNumber', value: '8' }).expect(400);
    expect(await written(id)).toEqual(before);

    // the decision number was 17, not 7: proposed, not yet in effect
    const proposed = await propose(who.officer.token, {
      field: 'adoption.decisionNumber',
      value: '17',
      reason: 'The signed decision reads No. 17 (certified copy of the Secretariat)',
    }).expect(200);
    const number = proposed.body.result.seq as number;
    expect(proposed.body.instance.context.adoption.decisionNumber).toBe('7');
    await propose(who.reviewer.token, { field: 'adoption.decisionNumber', value: '18', reason: 'x' }).expect(409);

    // four-eyes: the proposer cannot confirm; an approver cannot either
    const own = await t.http().post(`/instances/${id}/corrections/${number}/confirm`).set(bearer(who.officer.token));
    expect(own.status).toBe(409);
    expect(own.body.message).toBe(
      `Four-eyes rule: you proposed correction ${number}, so another officer must confirm it.`,
    );
    await t.http().post(`/instances/${id}/corrections/${number}/confirm`).set(bearer(approvers.KZ.token)).expect(403);
    await t.http().post(`/instances/${id}/corrections/abc/confirm`).set(bearer(who.reviewer.token)).expect(400);
    await t.http().post(`/instances/${id}/corrections/999/confirm`).set(bearer(who.reviewer.token)).expect(404);

    const confirmed = await t
      .http()
      .post(`/instances/${id}/corrections/${number}/confirm`)
      .set(bearer(who.reviewer.token))
      .expect(200);
    expect(confirmed.body.instance.context.adoption.decisionNumber).toBe('17');
    expect(confirmed.body.instance.status).toBe('done');
    await t.http().post(`/instances/${id}/corrections/${number}/confirm`).set(bearer(who.manager.token)).expect(409);

    // a second proposal, taken back by its proposer with a reason
    const second = await propose(who.officer.token, { field: 'adoption.date', value: today(), reason: 'x' });
    expect(second.status).toBe(409); // the same value: nothing to correct
    // two days back: the day before in UTC can still be the consensus day somewhere on Earth (UTC-12)
    const dated = new Date(t.clock.now().getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
    const p2 = await propose(who.manager.token, {
      field: 'adoption.date',
      value: dated,
      reason: 'Decided two days before',
    });
    expect(p2.status).toBe(409); // before the consensus, reached today
    expect(p2.body.message).toMatch(new RegExp(`^The decision date ${dated} is before the consensus on the text`));
    const p3 = (await propose(who.manager.token, { field: 'adoption.body', value: 'chs', reason: 'x' }).expect(409))
      .body.message;
    expect(p3).toBe('The body the draft was submitted to is already recorded as "chs"; a correction must change it.');

    const list = (await t.http().get(`/instances/${id}/corrections`).set(bearer(approvers.KZ.token)).expect(200)).body
      .corrections;
    expect(list).toEqual([
      expect.objectContaining({
        number,
        field: 'adoption.decisionNumber',
        label: 'the decision number',
        oldValue: '7',
        newValue: '17',
        reason: 'The signed decision reads No. 17 (certified copy of the Secretariat)',
        proposedBy: who.officer.actor.id,
        status: 'confirmed',
        decidedBy: who.reviewer.actor.id,
      }),
    ]);

    // the history keeps the original event and carries both steps of the correction
    const history = (await t.http().get(`/instances/${id}/history`).set(bearer(who.officer.token)).expect(200))
      .body as {
      type: string;
      payload: Record<string, unknown>;
    }[];
    expect(history.find((e) => e.type === 'RECORD_ADOPTION')?.payload).toMatchObject({ decisionNumber: '7' });
    expect(history.filter((e) => e.type.startsWith('$correction')).map((e) => [e.type, e.payload])).toEqual([
      [
        '$correction_proposed',
        {
          field: 'adoption.decisionNumber',
          label: 'the decision number',
          oldValue: '7',
          newValue: '17',
          reason: 'The signed decision reads No. 17 (certified copy of the Secretariat)',
        },
      ],
      [
        '$correction_confirmed',
        { correction: number, field: 'adoption.decisionNumber', oldValue: '7', newValue: '17' },
      ],
    ]);
    const verify = (await t.http().get(`/instances/${id}/verify`).set(bearer(who.officer.token)).expect(200)).body;
    expect(verify).toMatchObject({ valid: true });
  });

  it('corrections: a rejection needs a reason and leaves the record as it was', async () => {
    const id = await agreed();
    await apply(id, 'SUBMIT_FOR_ADOPTION', { body: 'chs' }, who.officer.actor);
    const proposed = await t
      .http()
      .post(`/instances/${id}/corrections`)
      .set(bearer(who.officer.token))
      .send({ field: 'adoption.body', value: 'cnc', reason: 'x' });
    expect(proposed.status).toBe(409);
    await apply(id, 'RECORD_ADOPTION', { decisionNumber: '7', date: today() }, who.officer.actor);
    const p = await t
      .http()
      .post(`/instances/${id}/corrections`)
      .set(bearer(who.officer.token))
      .send({ field: 'adoption.decisionNumber', value: '70', reason: 'Misread' })
      .expect(200);
    const n = p.body.result.seq as number;
    await t
      .http()
      .post(`/instances/${id}/corrections/${n}/reject`)
      .set(bearer(who.reviewer.token))
      .send({})
      .expect(400);
    const rejected = await t
      .http()
      .post(`/instances/${id}/corrections/${n}/reject`)
      .set(bearer(who.officer.token))
      .send({ reason: 'Taken back: the copy was of another decision' })
      .expect(200);
    expect(rejected.body.instance.context.adoption.decisionNumber).toBe('7');
    const [c] = (await t.http().get(`/instances/${id}/corrections`).set(bearer(who.manager.token)).expect(200)).body
      .corrections;
    expect(c).toMatchObject({ status: 'rejected', rejectionReason: 'Taken back: the copy was of another decision' });
  });

  it("withdrawal during a member-state round is a manager's act; each owing state's approvers are told", async () => {
    const id = await inCirculation();
    for (const s of ['BY', 'CN']) await apply(id, 'RESPOND', { draftVersion: 1, comments: null }, approvers[s].actor);
    const before = await written(id);
    const byOfficer = await send(id, who.officer.token, 'WITHDRAW', { reason: 'Superseded' }).expect(409);
    expect(byOfficer.body.message).toBe(
      'The member states are answering on draft version 1: during a member-state round only a manager may withdraw the procedure, with a reason, and IN, IR, KG, KZ, PK, RU, TJ, UZ, which still owe an answer, will be told. Ask a manager.',
    );
    expect(await written(id)).toEqual(before);
    await send(id, who.manager.token, 'WITHDRAW', {}).expect(400);
    const done = await send(id, who.manager.token, 'WITHDRAW', { reason: 'Superseded by the 2025 reform' }).expect(200);
    expect(done.body.instance.context.withdrawal).toMatchObject({
      reason: 'Superseded by the 2025 reform',
      by: who.manager.actor.id,
      owedBy: ['IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'],
    });
    await t.app.get(OutboxRelay).drain();
    // every notification the withdrawal sent to a member state's people: one per owing state's approver, no more
    const told = await t.dataSource.query<
      { member_state: string; subject: string; data: { details: { reason: string; owing: string[] } } }[]
    >(
      `SELECT u.member_state, n.subject, m.data FROM notification n JOIN app_user u ON u.id = n.user_id
         JOIN notice m ON m.outbox_id = n.outbox_id
        WHERE n.instance_id = $1 AND u.member_state IS NOT NULL
          AND (m.data->>'seq')::int = (SELECT max(seq) FROM workflow_event WHERE instance_id = $1)
        ORDER BY u.member_state`,
      [id],
    );
    expect(told.map((n) => n.member_state)).toEqual(['IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ']);
    expect(told[0].subject).toBe(
      "The procedure was withdrawn while your state's answer on draft version 1 was awaited: no answer is needed any more",
    );
    expect(told[0].data.details.reason).toBe('Superseded by the 2025 reform');
    expect(told[0].data.details.owing).toEqual(['IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ']);
    // each told approver sees it in their own notifications
    const inbox = (await t.http().get('/notifications').set(bearer(approvers.KZ.token)).expect(200)).body;
    expect(JSON.stringify(inbox)).toMatch(/The procedure was withdrawn while your state's answer/);
  });

  /** A 1(e) procedure of a memorandum whose protocol the partner has accepted, waiting for its signing. */
  async function signed1e(partner: string, memorandumId: string): Promise<string> {
    // the adoptions of the tests above opened a 1(e) for each memorandum: continue that one, or start one
    await t.app.get(OutboxRelay).drain();
    const [open] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM workflow_instance WHERE definition_id = 'memorandum-amendment' AND memorandum = $1 AND status = 'active'`,
      [memorandumId],
    );
    const id =
      open?.id ??
      (
        await engine.start({
          definitionId: 'memorandum-amendment',
          input: { partner, memorandumId },
          actor: who.officer.actor,
        })
      ).instanceId;
    await apply(
      id,
      'COMPLETE_GAP_ANALYSIS',
      { findings: 'Art. 3 predates the new model', provisions: ['art. 3'] },
      who.officer.actor,
    );
    await draftUpTo(t.app, id, who.officer.actor, 1);
    await apply(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }, who.officer.actor);
    await apply(id, 'APPROVE_REVIEW', {}, who.reviewer.actor);
    for (const s of STATES) await apply(id, 'POSITION', { draftVersion: 1, kind: 'agree' }, approvers[s].actor);
    await apply(id, 'SEND_TO_PARTNER', { draftVersion: 1, reference: 'Note No. 5' }, who.officer.actor);
    await apply(id, 'PARTNER_ACCEPTED', { draftVersion: 1 }, who.officer.actor);
    return id;
  }

  const SIGNATORIES = {
    forSco: {
      name: 'A. Deputy',
      capacity: 'Deputy Secretary-General of the SCO',
      fullPowers: { kind: 'decision', reference: 'CHS Decision No. 30 authorising the signature' },
    },
    forPartner: {
      name: 'The Minister',
      capacity: 'Minister of Foreign Affairs',
      fullPowers: { kind: 'ex_officio' },
    },
  };

  it('signatory: the signing record holds who signed, in what capacity and on what full powers; shown in the record and its export', async () => {
    const [m] = await t.app.get(ReferenceService).memoranda(t.clock.now());
    const id = await signed1e(m.partner, m.memorandumId);
    const noPowers = { ...SIGNATORIES, forPartner: { name: 'The Minister', capacity: 'Minister of Foreign Affairs' } };
    const before = await written(id);
    await send(id, who.officer.token, 'SIGNED', {
      draftVersion: 1,
      date: today(),
      place: 'Beijing',
      signatories: noPowers,
    }).expect(400);
    expect(await written(id)).toEqual(before);
    await send(id, who.officer.token, 'SIGNED', {
      draftVersion: 1,
      date: today(),
      place: 'Beijing',
      signatories: SIGNATORIES,
    }).expect(200);

    const record = (await t.http().get(`/instances/${id}/record`).set(bearer(approvers.KZ.token)).expect(200)).body;
    expect(record.signing).toMatchObject({ date: today(), place: 'Beijing', signatories: SIGNATORIES });
    const html = (
      await t
        .http()
        .get(`/instances/${id}/record/export?format=html&lang=en`)
        .set(bearer(who.officer.token))
        .expect(200)
    ).text;
    expect(html).toContain('A. Deputy, Deputy Secretary-General of the SCO');
    expect(html).toContain('authorised by CHS Decision No. 30 authorising the signature');
    expect(html).toContain('The Minister, Minister of Foreign Affairs');
    expect(html).toContain('by virtue of office (Vienna Convention on the Law of Treaties, art. 7(2))');
    const ru = (
      await t
        .http()
        .get(`/instances/${id}/record/export?format=html&lang=ru`)
        .set(bearer(who.officer.token))
        .expect(200)
    ).text;
    expect(ru).toContain('в силу должности');
    const pdf = await t
      .http()
      .get(`/instances/${id}/record/export?format=pdf&lang=zh`)
      .set(bearer(who.officer.token))
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
  });

  it('signatory: an instance recorded before capacity and full powers were kept reads correctly, and a correction completes it', async () => {
    const [, m] = await t.app.get(ReferenceService).memoranda(t.clock.now());
    const id = await signed1e(m.partner, m.memorandumId);
    await apply(
      id,
      'SIGNED',
      { draftVersion: 1, date: today(), place: 'Astana', signatories: SIGNATORIES },
      who.officer.actor,
    );
    // the signing record as the earlier definition wrote it: a fixed title, no full powers
    await t.dataSource.query(
      `UPDATE workflow_instance SET snapshot = jsonb_set(snapshot, '{context,signing,signatories}', $2::jsonb) WHERE id = $1`,
      [
        id,
        JSON.stringify({
          forSco: { name: 'Zhang Ming', title: 'Secretary-General of the SCO' },
          forPartner: { name: 'The Minister', title: 'Minister of Foreign Affairs' },
        }),
      ],
    );
    const record = (await t.http().get(`/instances/${id}/record`).set(bearer(who.officer.token)).expect(200)).body;
    expect(record.signing.signatories).toEqual({
      forSco: { name: 'Zhang Ming', capacity: 'Secretary-General of the SCO', fullPowers: null },
      forPartner: { name: 'The Minister', capacity: 'Minister of Foreign Affairs', fullPowers: null },
    });
    const html = (
      await t.http().get(`/instances/${id}/record/export?lang=en`).set(bearer(who.officer.token)).expect(200)
    ).text;
    expect(html).toContain('Zhang Ming, Secretary-General of the SCO');
    expect(html).toContain('full powers not recorded');
    // the view still reads the procedure, and the next stage still works on it
    await t.http().get(`/instances/${id}`).set(bearer(who.officer.token)).expect(200);

    // the full powers, found later in the archive, are added by a correction under four-eyes
    const complete = {
      name: 'Zhang Ming',
      capacity: 'Secretary-General of the SCO',
      fullPowers: { kind: 'decision', reference: 'CHS decision authorising the Secretary-General to sign' },
    };
    const p = await t
      .http()
      .post(`/instances/${id}/corrections`)
      .set(bearer(who.officer.token))
      .send({ field: 'signing.signatories.forSco', value: complete, reason: 'Full powers found in the archive' })
      .expect(200);
    await t
      .http()
      .post(`/instances/${id}/corrections/${p.body.result.seq}/confirm`)
      .set(bearer(who.manager.token))
      .expect(200);
    const after = (await t.http().get(`/instances/${id}/record`).set(bearer(who.officer.token)).expect(200)).body;
    expect(after.signing.signatories.forSco).toEqual(complete);
    expect(after.corrections).toEqual([
      expect.objectContaining({
        field: 'signing.signatories.forSco',
        oldValue: { name: 'Zhang Ming', title: 'Secretary-General of the SCO' },
        newValue: complete,
        status: 'confirmed',
      }),
    ]);
    const exported = (
      await t.http().get(`/instances/${id}/record/export?lang=en`).set(bearer(who.officer.token)).expect(200)
    ).text;
    expect(exported).toContain('Full powers found in the archive');
    expect(exported).toContain('confirmed by');
  });

  it('corrections: shown in the export of the record, with the original value and the review', async () => {
    const id = await agreed();
    await apply(id, 'SUBMIT_FOR_ADOPTION', { body: 'chs' }, who.officer.actor);
    await apply(id, 'RECORD_ADOPTION', { decisionNumber: '7', date: today() }, who.officer.actor);
    const p = await t
      .http()
      .post(`/instances/${id}/corrections`)
      .set(bearer(who.reviewer.token))
      .send({ field: 'adoption.decisionNumber', value: '17', reason: 'The signed decision reads No. 17' })
      .expect(200);
    let html = (await t.http().get(`/instances/${id}/record/export?lang=en`).set(bearer(who.officer.token)).expect(200))
      .text;
    expect(html).toContain('Decision No. 7 of');
    expect(html).toContain('awaiting review by a second officer');
    await t
      .http()
      .post(`/instances/${id}/corrections/${p.body.result.seq}/confirm`)
      .set(bearer(who.officer.token))
      .expect(200);
    html = (await t.http().get(`/instances/${id}/record/export?lang=en`).set(bearer(who.officer.token)).expect(200))
      .text;
    expect(html).toContain('Decision No. 17 of');
    expect(html).toContain('The signed decision reads No. 17');
    expect(html).toMatch(/<td>[^<]*<p[^>]*>7<\/p>/);
  });
});
