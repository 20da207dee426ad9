/**
 * The cascade and the procedures that feed it, on the real engine and the real database: one open
 * 1(e) per memorandum (a further adoption adds its basis to the open one), findings of 1(a) linked
 * from either side at any time, and the 1(b) consent round asked of the treaty's Parties.
 */
import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException } from '../../src/common/domain.exception';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { InstancesService } from '../../src/instances/instances.service';
import { EvidenceService } from '../../src/record/evidence.service';
import { ReferenceService } from '../../src/reference/reference.service';
import { bearer, createUser, tokenFor } from '../support/auth';
import { draftUpTo } from '../support/drafts';
import { recordBodyAdopts } from '../support/reference-data';
import { createTestApp, type TestApp } from '../support/test-app';

const MEMBER_STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
const officer: Actor = { id: 'officer-1', role: 'legal_officer', memberState: null, actingFor: null };
const reviewer: Actor = { id: 'officer-2', role: 'legal_officer', memberState: null, actingFor: null };
const assessor: Actor = { id: 'officer-3', role: 'legal_officer', memberState: null, actingFor: null };
const approver = (state: string): Actor => ({
  id: `approver-${state}`,
  role: 'approver',
  memberState: state,
  actingFor: null,
});

interface Step {
  type: string;
  payload?: Record<string, unknown>;
  actor: Actor;
}

describe('the cascade and the procedures that feed it (real engine, real PostgreSQL)', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let relay: OutboxRelay;
  let reads: InstancesService;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    engine = t.app.get(WorkflowEngine);
    relay = t.app.get(OutboxRelay);
    reads = t.app.get(InstancesService);
    ds = t.dataSource;
    // the reference data say who adopts what; these tests adopt both texts by the Council of Foreign Ministers
    await recordBodyAdopts(t, 'cfm', ['regulation', 'model_memorandum']);
  });
  afterAll(() => t?.close());

  const today = () => t.clock.now().toISOString().slice(0, 10);

  const start = async (definitionId: string, input: Record<string, unknown>, actor: Actor = officer) =>
    (await engine.start({ definitionId, input, actor })).instanceId;

  const run = async (instanceId: string, steps: Step[]) => {
    for (const s of steps) {
      // the text sent to review is a saved version of the procedure's draft, written by the submitter
      const version = s.payload?.draftVersion;
      if (s.type === 'SUBMIT_FOR_REVIEW' && typeof version === 'number')
        await draftUpTo(t.app, instanceId, s.actor, version);
      await engine.apply({ instanceId, type: s.type, payload: s.payload ?? {}, actor: s.actor });
    }
  };

  const counts = async () => {
    const [r] = await ds.query<{ instances: string; events: string; outbox: string; links: string }[]>(
      `SELECT (SELECT count(*) FROM workflow_instance) AS instances, (SELECT count(*) FROM workflow_event) AS events,
              (SELECT count(*) FROM outbox_message) AS outbox, (SELECT count(*) FROM finding_link) AS links`,
    );
    return r;
  };

  /** The call is refused with this status and message, and nothing is written. */
  const refused = async (call: () => Promise<unknown>, status: number, message: RegExp | string) => {
    const before = await counts();
    const err: unknown = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainException);
    const body = (err as DomainException).toBody();
    expect(body.message).toMatch(message);
    expect(body.statusCode).toBe(status);
    expect(await counts()).toEqual(before);
  };

  /** A 1(c) or 1(d) driven to adoption by a decision naming the partners whose memoranda it affects. */
  const adopt = async (
    definitionId: 'regulation-amendment' | 'model-memorandum-amendment',
    decisionNumber: string,
    affectedPartners: string[],
  ) => {
    const id = await start(definitionId, { proposedBy: 'Secretariat', rationale: 'The 2025 merger of statuses' });
    await run(id, [
      { type: 'START_DRAFTING', actor: officer },
      { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer },
      { type: 'APPROVE_REVIEW', actor: reviewer },
      ...MEMBER_STATES.map((s) => ({
        type: 'RESPOND',
        payload: { draftVersion: 1, comments: null },
        actor: approver(s),
      })),
      { type: 'SUBMIT_TO_COORDINATORS', payload: { draftVersion: 1 }, actor: officer },
      ...MEMBER_STATES.map((s) => ({
        type: 'POSITION',
        payload: { draftVersion: 1, kind: 'agree' },
        actor: approver(s),
      })),
      { type: 'SUBMIT_FOR_ADOPTION', payload: { body: 'cfm' }, actor: officer },
      { type: 'RECORD_ADOPTION', payload: { decisionNumber, date: today(), affectedPartners }, actor: officer },
    ]);
    await relay.drain();
    return id;
  };

  const childOpenNotes = (parentId: string) =>
    ds.query<{ key: string; processed: boolean; last_error: string | null; note: string | null }[]>(
      `SELECT payload->>'key' AS key, processed_at IS NOT NULL AS processed, last_error, note
         FROM outbox_message WHERE instance_id = $1 AND kind = 'child.open' ORDER BY key`,
      [parentId],
    );

  const openAmendments = (memorandum: string) =>
    ds.query<{ id: string; parent_id: string | null }[]>(
      `SELECT id, parent_id FROM workflow_instance WHERE definition_id = 'memorandum-amendment' AND memorandum = $1 AND status = 'active'`,
      [memorandum],
    );

  describe('one open 1(e) per memorandum', () => {
    it('a second adoption (1(c) after 1(d)) adds its basis to the open 1(e) as an event on it, recorded in its history and shown in its view', async () => {
      const model = await adopt('model-memorandum-amendment', 'CFM-2026/9', ['KW']);
      const [opened] = await openAmendments('mem-KW');
      expect(opened.parent_id).toBe(model);
      await run(opened.id, [
        {
          type: 'COMPLETE_GAP_ANALYSIS',
          payload: { findings: 'Art. 3 cites 2008', provisions: ['art. 3'] },
          actor: officer,
        },
      ]);

      const regulation = await adopt('regulation-amendment', 'CHS-2026/4', ['KW']);
      // no second 1(e): the open one carries both bases
      expect(await openAmendments('mem-KW')).toEqual([opened]);
      expect(await childOpenNotes(regulation)).toEqual([
        {
          key: 'KW',
          processed: true,
          last_error: null,
          note: expect.stringContaining(
            `the memorandum's amendment procedure ${opened.id} is open; this adoption was added to it as a basis`,
          ),
        },
      ]);
      const history = await reads.history(opened.id, officer);
      const added = history.filter((e: { type: string }) => e.type === 'ADD_BASIS');
      expect(added).toEqual([
        expect.objectContaining({
          type: 'ADD_BASIS',
          actor: expect.objectContaining({ role: 'system' }),
          payload: { document: 'regulation', decisionNumber: 'CHS-2026/4', date: today(), procedureId: regulation },
          stateBefore: 'drafting',
          stateAfter: 'drafting',
        }),
      ]);
      const view = await reads.view(opened.id, officer);
      expect(view.state).toBe('drafting');
      expect((view.context as { bases: unknown[] }).bases).toEqual([
        expect.objectContaining({ document: 'model_memorandum', decisionNumber: 'CFM-2026/9', procedureId: null }),
        expect.objectContaining({ document: 'regulation', decisionNumber: 'CHS-2026/4', procedureId: regulation }),
      ]);
      // the legal officers are told
      const [notice] = await ds.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM outbox_message WHERE instance_id = $1 AND kind = 'notify' AND payload->'effect'->>'subject' LIKE '%CHS-2026/4%'`,
        [opened.id],
      );
      expect(Number(notice.n)).toBe(1);

      // delivered again (a relay restart): nothing added twice
      await ds.query(
        `UPDATE outbox_message SET processed_at = NULL, note = NULL WHERE instance_id = $1 AND kind = 'child.open'`,
        [regulation],
      );
      relay.kick();
      await relay.drain();
      const again = await reads.history(opened.id, officer);
      expect(again.filter((e: { type: string }) => e.type === 'ADD_BASIS')).toHaveLength(1);
    });

    it('an adoption naming a memorandum whose 1(e) was started by hand adds its basis to that one (1(d) after a manual start)', async () => {
      const manual = await start('memorandum-amendment', { partner: 'KH', memorandumId: 'mem-KH' });
      const model = await adopt('model-memorandum-amendment', 'CFM-2026/10', ['KH', 'MV']);
      const children = await ds.query<{ partner: string }[]>(
        `SELECT partner FROM workflow_instance WHERE parent_id = $1 ORDER BY partner`,
        [model],
      );
      expect(children).toEqual([{ partner: 'MV' }]);
      expect(await openAmendments('mem-KH')).toEqual([{ id: manual, parent_id: null }]);
      const view = await reads.view(manual, officer);
      expect(view.context).toMatchObject({
        basis: { document: 'model_memorandum', decisionNumber: 'CFM-2026/10' },
        bases: [{ document: 'model_memorandum', decisionNumber: 'CFM-2026/10', procedureId: model }],
      });
    });

    it('a manual start of a second 1(e) for the same memorandum is refused naming the open one, and nothing is written', async () => {
      const first = await start('memorandum-amendment', { partner: 'BH', memorandumId: 'mem-BH' });
      await refused(
        () => start('memorandum-amendment', { partner: 'BH', memorandumId: 'mem-BH' }),
        409,
        new RegExp(`An amendment of memorandum mem-BH is already open \\(procedure ${first}, stage "gap_analysis"\\)`),
      );
    });
  });

  describe('1(a) findings link from either side at any time', () => {
    const daysAhead = (n: number) => new Date(t.clock.now().getTime() + n * 86_400_000).toISOString().slice(0, 10);

    /** A 1(a) on two memoranda, each with one finding, driven to `completed` (final information approved). */
    const completedAnalysis = async () => {
      const id = await start('implementation-analysis', { title: 'Implementation of the memoranda, 2009-2026' });
      await run(id, [
        {
          type: 'SCOPE',
          payload: {
            criteria: ['Implementation of the memorandum obligations'],
            memoranda: ['mem-EG', 'mem-QA'],
            assignments: [
              { memorandumId: 'mem-EG', assignee: officer.id, dueAt: daysAhead(30) },
              { memorandumId: 'mem-QA', assignee: assessor.id, dueAt: daysAhead(30) },
            ],
          },
          actor: officer,
        },
        {
          type: 'ASSESSMENT_SUBMITTED',
          payload: {
            memorandumId: 'mem-EG',
            findings: [{ id: 'F-EG', text: 'Art. 5 is not applied', severity: 'medium', suggestedMeasure: '1(e)' }],
          },
          actor: officer,
        },
        {
          type: 'ASSESSMENT_SUBMITTED',
          payload: {
            memorandumId: 'mem-QA',
            findings: [
              { id: 'F-QA', text: 'The model lacks a review clause', severity: 'low', suggestedMeasure: '1(d)' },
            ],
          },
          actor: assessor,
        },
        { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer },
        { type: 'APPROVE_REVIEW', actor: reviewer },
        ...MEMBER_STATES.map((s) => ({
          type: 'RESPOND',
          payload: { draftVersion: 1, comments: null },
          actor: approver(s),
        })),
        { type: 'SUBMIT_FOR_APPROVAL', payload: { draftVersion: 1 }, actor: officer },
        ...MEMBER_STATES.map((s) => ({
          type: 'POSITION',
          payload: { draftVersion: 1, kind: 'agree' },
          actor: approver(s),
        })),
      ]);
      const view = await reads.view(id, officer);
      expect(view).toMatchObject({ state: 'completed', status: 'done' });
      return id;
    };

    it('links are made from the 1(a) side and from the 1(e) side after the analysis is completed, recorded as an event on both and shown on both views', async () => {
      const analysis = await completedAnalysis();
      const eg = await start('memorandum-amendment', { partner: 'EG', memorandumId: 'mem-EG' });
      const model = await start('model-memorandum-amendment', {
        proposedBy: 'Secretariat',
        rationale: 'Review clause',
      });

      // from the 1(a) side, over HTTP, by a legal officer
      const user = await createUser(t.app, { role: 'legal_officer' });
      const token = await tokenFor(t.app, user);
      const res = await t
        .http()
        .post(`/instances/${analysis}/finding-links`)
        .set(bearer(token))
        .send({ findingId: 'F-EG', procedureId: eg })
        .expect(200);
      expect(res.body.result).toMatchObject({ instanceId: analysis, type: '$finding_linked', state: 'completed' });
      expect(res.body.instance.findingLinks).toEqual([
        expect.objectContaining({
          analysisId: analysis,
          findingId: 'F-EG',
          procedureId: eg,
          procedureDefinitionId: 'memorandum-amendment',
          memorandumId: 'mem-EG',
          findingText: 'Art. 5 is not applied',
          linkedBy: user.id,
          linkedFrom: 'analysis',
        }),
      ]);
      // from the 1(d) side
      await engine.linkFinding({
        analysisId: analysis,
        findingId: 'F-QA',
        procedureId: model,
        from: 'procedure',
        actor: reviewer,
      });

      const analysisView = await reads.view(analysis, officer);
      expect(analysisView.state).toBe('completed');
      expect(analysisView.findingLinks.map((l) => [l.findingId, l.procedureId, l.linkedFrom])).toEqual([
        ['F-EG', eg, 'analysis'],
        ['F-QA', model, 'procedure'],
      ]);
      expect((await reads.view(eg, officer)).findingLinks).toEqual([
        expect.objectContaining({ analysisId: analysis, findingId: 'F-EG' }),
      ]);
      expect((await reads.view(model, officer)).findingLinks).toEqual([
        expect.objectContaining({ analysisId: analysis, findingId: 'F-QA', linkedBy: reviewer.id }),
      ]);
      // an event in each history, with the state unchanged, and the hash chains still verify
      const linked = async (id: string) =>
        (await reads.history(id, officer))
          .filter((e) => e.type === '$finding_linked')
          .map((e) => [e.payload, e.stateBefore, e.stateAfter]);
      expect(await linked(analysis)).toEqual([
        [
          { findingId: 'F-EG', procedureId: eg, definitionId: 'memorandum-amendment', from: 'analysis' },
          'completed',
          'completed',
        ],
        [
          { findingId: 'F-QA', procedureId: model, definitionId: 'model-memorandum-amendment', from: 'procedure' },
          'completed',
          'completed',
        ],
      ]);
      expect(await linked(eg)).toEqual([
        [
          {
            analysisId: analysis,
            findingId: 'F-EG',
            memorandumId: 'mem-EG',
            text: 'Art. 5 is not applied',
            from: 'analysis',
          },
          'gap_analysis',
          'gap_analysis',
        ],
      ]);
      for (const id of [analysis, eg, model])
        expect(await t.app.get(EvidenceService).verifySummary(id)).toMatchObject({ valid: true });
      // the final information report lists the links
      const [row] = await ds.query<{ n: string }[]>(`SELECT count(*) AS n FROM finding_link WHERE analysis_id = $1`, [
        analysis,
      ]);
      expect(Number(row.n)).toBe(2);

      // refusals, with nothing written
      await refused(
        () =>
          engine.linkFinding({
            analysisId: analysis,
            findingId: 'F-EG',
            procedureId: eg,
            from: 'procedure',
            actor: officer,
          }),
        409,
        /Finding F-EG is already linked to procedure/,
      );
      await refused(
        () =>
          engine.linkFinding({
            analysisId: analysis,
            findingId: 'F-XX',
            procedureId: eg,
            from: 'analysis',
            actor: officer,
          }),
        400,
        `There is no finding "F-XX" in the submitted assessments of analysis ${analysis}.`,
      );
      await refused(
        () =>
          engine.linkFinding({
            analysisId: eg,
            findingId: 'F-EG',
            procedureId: model,
            from: 'procedure',
            actor: officer,
          }),
        400,
        /is a memorandum-amendment; findings come from an implementation-analysis/,
      );
      const before = await counts();
      await t
        .http()
        .post(`/instances/${eg}/finding-links`)
        .set(bearer(token))
        .send({ findingId: 'F-EG', procedureId: model })
        .expect(400)
        .expect((r) =>
          expect(r.body.message).toMatch(/name the 1\(a\) analysis the finding belongs to \(analysisId\)/),
        );
      const approverUser = await createUser(t.app, { role: 'approver', memberState: 'KZ' });
      await t
        .http()
        .post(`/instances/${analysis}/finding-links`)
        .set(bearer(await tokenFor(t.app, approverUser)))
        .send({ findingId: 'F-QA', procedureId: eg })
        .expect(403);
      expect(await counts()).toEqual(before);
    });

    it('a 1(c), 1(d) or 1(e) started from a finding records it in its start payload and the link shows on both sides', async () => {
      const analysis = await completedAnalysis();
      const regulation = await start('regulation-amendment', {
        proposedBy: 'Secretariat',
        rationale: 'Findings of the 2026 analysis',
        fromFinding: { analysisId: analysis, findingId: 'F-QA' },
      });
      const [first] = await reads.history(regulation, officer);
      expect(first).toMatchObject({
        type: '$start',
        payload: { fromFinding: { analysisId: analysis, findingId: 'F-QA' } },
      });
      expect((await reads.view(regulation, officer)).findingLinks).toEqual([
        expect.objectContaining({ analysisId: analysis, findingId: 'F-QA', linkedFrom: 'start' }),
      ]);
      expect((await reads.view(analysis, officer)).findingLinks).toEqual([
        expect.objectContaining({ procedureId: regulation, findingId: 'F-QA', linkedFrom: 'start' }),
      ]);
      // a start from a finding that does not exist writes nothing
      await refused(
        () =>
          start('memorandum-amendment', {
            partner: 'QA',
            memorandumId: 'mem-QA',
            fromFinding: { analysisId: analysis, findingId: 'F-NONE' },
          }),
        400,
        /There is no finding "F-NONE"/,
      );
      await refused(
        () =>
          start('memorandum-amendment', {
            partner: 'QA',
            memorandumId: 'mem-QA',
            fromFinding: { analysisId: regulation, findingId: 'F-QA' },
          }),
        400,
        /input.fromFinding.analysisId: procedure .* is a regulation-amendment; findings come from an implementation-analysis/,
      );
    });
  });

  describe("1(b) consent belongs to the treaty's Parties", () => {
    /** A 1(b) up to the partner's request, consent required: ready to PROCEED. */
    const atRequest = async (partner: string, treatyId: string) => {
      const id = await start('treaty-accession', { partner, treatyId });
      await run(id, [
        {
          type: 'CONFIRM_ELIGIBILITY',
          payload: { note: 'Final clause read', source: 'Depositary copy', consentRequired: true },
          actor: officer,
        },
        { type: 'PACKAGE_SENT', payload: { sentOn: today(), channel: 'Note verbale' }, actor: officer },
        { type: 'REQUEST_RECEIVED', payload: { receivedOn: today(), reference: 'Note No. 1' }, actor: officer },
      ]);
      return id;
    };
    const proceed = (id: string) => engine.apply({ instanceId: id, type: 'PROCEED', payload: {}, actor: officer });
    const EXTREMISM = 'sco-convention-extremism-2017';

    it('where the treaty data do not know the Parties, the consent stage refuses to open and says what to record first; nothing is written', async () => {
      const shanghai = await atRequest('AZ', 'shanghai-convention-2001');
      await refused(
        () => proceed(shanghai),
        409,
        "Consent to accession belongs to the Parties of treaty shanghai-convention-2001, and the reference data do not know them. Record the Parties (each with the date it became party and a source, the list marked complete) as a new version of the treaty's reference data first, or record there that its final clause gives consent to the SCO member states.",
      );
      // the data know one Party of the 2017 convention (Russia, 2019), not the whole list
      const extremism = await atRequest('AZ', EXTREMISM);
      await refused(
        () => proceed(extremism),
        409,
        /do not know them \(recorded so far, not as a complete list: RU\)\. Record the Parties/,
      );
      expect((await reads.view(extremism, officer)).state).toBe('request_received');
    });

    it("the round's electorate is the treaty's Parties of that day, recorded as a new version of the treaty data; a member state that is not a Party is not asked", async () => {
      const reference = t.app.get(ReferenceService);
      const current = await reference.find('treaty', EXTREMISM, t.clock.now());
      expect(current?.data.parties).toEqual({
        complete: false,
        list: [{ code: 'RU', since: '2019-10-12', source: expect.stringContaining('mid.ru') }],
      });
      // a malformed list is refused with a sentence, and nothing is recorded
      await expect(
        reference.recordChange(
          'treaty',
          EXTREMISM,
          {
            ...current!.data,
            parties: { complete: true, list: [{ code: 'Kazakhstan', since: '2020-02-18', source: 'x' }] },
          },
          { by: 'admin-1', note: 'Parties', validFrom: t.clock.now() },
        ),
      ).rejects.toThrow(/data\.parties\.list\[0\]\.code/);
      const later = new Date(t.clock.now().getTime() + 365 * 86_400_000).toISOString().slice(0, 10);
      await reference.recordChange(
        'treaty',
        EXTREMISM,
        {
          ...current!.data,
          parties: {
            complete: true,
            list: [
              { code: 'RU', since: '2019-10-12', source: 'Russian MFA' },
              { code: 'KZ', since: '2020-02-18', source: 'Kazakhstan ratification law, 18 Feb 2020' },
              { code: 'CN', since: '2019-01-01', source: 'Depositary record' },
              // not yet a Party today: not asked
              { code: 'TJ', since: later, source: 'Depositary record' },
            ],
          },
        },
        { by: 'admin-1', note: 'Parties from the depositary record', validFrom: t.clock.now() },
      );
      const id = await atRequest('AM', EXTREMISM);
      await proceed(id);
      const view = await reads.view(id, officer);
      expect(view.state).toBe('member_consent');
      const ctx = view.context as {
        rounds: { electorate: string[] }[];
        consent: { givenBy: string; electorate: string[] };
      };
      expect(ctx.rounds[0].electorate).toEqual(['CN', 'KZ', 'RU']);
      expect(ctx.consent).toMatchObject({ givenBy: 'parties', electorate: ['CN', 'KZ', 'RU'] });
      const awaited = await ds.query<{ member_state: string }[]>(
        `SELECT member_state FROM awaiting_answer WHERE instance_id = $1 ORDER BY member_state`,
        [id],
      );
      expect(awaited.map((r) => r.member_state)).toEqual(['CN', 'KZ', 'RU']);
      await refused(
        () =>
          engine.apply({
            instanceId: id,
            type: 'POSITION',
            payload: { draftVersion: 1, kind: 'agree' },
            actor: approver('IN'),
          }),
        409,
        /IN is not among the member states of this round \(CN, KZ, RU\)/,
      );
      await run(
        id,
        ['CN', 'KZ', 'RU'].map((s) => ({
          type: 'POSITION',
          payload: { draftVersion: 1, kind: 'agree' },
          actor: approver(s),
        })),
      );
      expect((await reads.view(id, officer)).state).toBe('deposit');
    });

    it('where the final clause names the SCO member states (road-transport agreement, art. 23), they are the electorate', async () => {
      const id = await atRequest('NP', 'sco-agreement-road-transport-2014');
      await proceed(id);
      const ctx = (await reads.view(id, officer)).context as {
        rounds: { electorate: string[] }[];
        consent: { givenBy: string };
      };
      expect(ctx.rounds[0].electorate).toEqual(MEMBER_STATES);
      expect(ctx.consent.givenBy).toBe('member_states');
    });
  });
});
