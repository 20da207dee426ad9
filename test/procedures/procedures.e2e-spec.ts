/**
 * The six direction-1 procedures end to end, through the real engine on the real database:
 * each one from start to its main final state, the 1(d) -> 1(e) cascade through the outbox,
 * a withdrawal mid-circulation, and a procedure that survives a restart of the application.
 */
import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { WorkflowEngine } from '../../src/engine/engine.service';
import type { ApplyResult } from '../../src/engine/engine.types';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { EvidenceService } from '../../src/record/evidence.service';
import { InstancesService } from '../../src/instances/instances.service';
import { ReferenceService } from '../../src/reference/reference.service';
import type { MemorandumRef } from '../../src/reference/reference.types';
import { FakeClock } from '../support/fake-clock';
import { draftUpTo } from '../support/drafts';
import { recordBodyAdopts } from '../support/reference-data';
import { createTestApp, type TestApp } from '../support/test-app';

const MEMBER_STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];

const officer: Actor = { id: 'officer-1', role: 'legal_officer', memberState: null, actingFor: null };
const reviewer: Actor = { id: 'officer-2', role: 'legal_officer', memberState: null, actingFor: null };
const assessor: Actor = { id: 'officer-3', role: 'legal_officer', memberState: null, actingFor: null };
const manager: Actor = { id: 'manager-1', role: 'manager', memberState: null, actingFor: null };
const system: Actor = { id: 'system', role: 'system', memberState: null, actingFor: null };
const admin: Actor = { id: 'admin-1', role: 'admin', memberState: null, actingFor: null };
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
  /** State expected right after this event. */
  state?: string;
}

/** One step per member state. */
const everyState = (
  type: string,
  payload: (state: string, i: number) => Record<string, unknown>,
  last?: string,
): Step[] =>
  MEMBER_STATES.map((s, i) => ({
    type,
    payload: payload(s, i),
    actor: approver(s),
    state: i === MEMBER_STATES.length - 1 ? last : undefined,
  }));

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Driving procedures through one app: start, apply steps, check the record. */
class Driver {
  readonly engine: WorkflowEngine;
  readonly relay: OutboxRelay;
  readonly reads: InstancesService;
  readonly evidence: EvidenceService;
  readonly reference: ReferenceService;
  readonly ds: DataSource;

  constructor(readonly t: TestApp) {
    this.engine = t.app.get(WorkflowEngine);
    this.relay = t.app.get(OutboxRelay);
    this.reads = t.app.get(InstancesService);
    this.evidence = t.app.get(EvidenceService);
    this.reference = t.app.get(ReferenceService);
    this.ds = t.dataSource;
  }

  today(): string {
    return dayOf(this.t.clock.now());
  }

  daysAhead(n: number): string {
    return dayOf(new Date(this.t.clock.now().getTime() + n * 86_400_000));
  }

  async start(definitionId: string, input: Record<string, unknown>, actor: Actor = officer): Promise<string> {
    const r = await this.engine.start({ definitionId, input, actor });
    expect(r).toMatchObject({ seq: 1, status: 'active', replayed: false });
    return r.instanceId;
  }

  async run(instanceId: string, steps: Step[]): Promise<ApplyResult[]> {
    const results: ApplyResult[] = [];
    for (const s of steps) {
      // an officer sends on a version saved in the procedure's draft (every version written by `officer`)
      const v = s.payload?.draftVersion;
      if (s.actor.role === 'legal_officer' && typeof v === 'number')
        await draftUpTo(this.t.app, instanceId, officer, v);
      let r: ApplyResult;
      try {
        r = await this.engine.apply({ instanceId, type: s.type, payload: s.payload ?? {}, actor: s.actor });
      } catch (err) {
        throw new Error(`${s.type} by ${s.actor.id} refused: ${(err as Error).message}`, { cause: err });
      }
      expect(r.replayed).toBe(false);
      if (s.state) expect({ type: s.type, state: r.state }).toEqual({ type: s.type, state: s.state });
      results.push(r);
    }
    return results;
  }

  async openDeadlines(instanceId: string): Promise<number> {
    const [{ n }] = await this.ds.query(
      `SELECT count(*)::int AS n FROM deadline WHERE instance_id = $1 AND status = 'open'`,
      [instanceId],
    );
    return n as number;
  }

  async openDeadlineKeys(instanceId: string): Promise<string[]> {
    const rows: { key: string }[] = await this.ds.query(
      `SELECT key FROM deadline WHERE instance_id = $1 AND status = 'open' ORDER BY key`,
      [instanceId],
    );
    return rows.map((r) => r.key);
  }

  /**
   * The instance is closed in `finalState`, its history holds exactly `$start` and then every
   * applied event in order (each starting where the previous one ended), the hash chain verifies,
   * and no deadline is left open.
   */
  async expectFinished(instanceId: string, finalState: string, applied: Step[]): Promise<void> {
    const view = await this.reads.view(instanceId, officer);
    expect(view).toMatchObject({
      state: finalState,
      status: 'done',
      outcome: finalState,
      acceptedEvents: [],
      deadlines: [],
    });
    const history = await this.reads.history(instanceId, admin);
    expect(history.map((h: { type: string }) => h.type)).toEqual(['$start', ...applied.map((s) => s.type)]);
    expect(history.map((h: { seq: number }) => h.seq)).toEqual(history.map((_: unknown, i: number) => i + 1));
    expect(history.map((h: { actor: { id: string } }) => h.actor.id)).toEqual([
      history[0].actor.id,
      ...applied.map((s) => s.actor.id),
    ]);
    for (let i = 1; i < history.length; i++) {
      expect(history[i].stateBefore).toBe(history[i - 1].stateAfter);
      expect(history[i].prevHash).toBe(history[i - 1].hash);
    }
    expect(history[history.length - 1].stateAfter).toBe(finalState);
    expect(view.seq).toBe(history.length);
    expect(await this.evidence.verifySummary(instanceId)).toMatchObject({
      valid: true,
      checked: history.length,
      firstBrokenSeq: null,
      reason: null,
    });
    expect(await this.openDeadlines(instanceId)).toBe(0);
  }
}

// ------------------------------------------------------------------------------------------------
// Event sequences

/** 1(c) / 1(d): from the proposal to the adoption. */
function normativeToAdoption(d: Driver, affectedPartners?: string[], body = 'cfm'): Step[] {
  return [
    { type: 'START_DRAFTING', actor: officer, state: 'drafting' },
    { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer, state: 'legal_review' },
    {
      type: 'RETURN_TO_DRAFTING',
      payload: { reason: 'Article 4 does not match the Charter wording' },
      actor: reviewer,
      state: 'drafting',
    },
    { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 2 }, actor: officer, state: 'legal_review' },
    { type: 'REMINDER', payload: { deadlineKey: 'legal_review', daysBefore: 2 }, actor: system, state: 'legal_review' },
    { type: 'APPROVE_REVIEW', actor: reviewer, state: 'circulation' },
    ...everyState(
      'RESPOND',
      (s, i) => ({ draftVersion: 2, comments: i % 3 === 0 ? `Comments of ${s} on article 2` : null }),
      'consolidation',
    ),
    // version 3 consolidates the comments: reviewed by a second officer, and marked so for the coordinators
    { type: 'CONFIRM_CHANGES', payload: { draftVersion: 3 }, actor: reviewer, state: 'consolidation' },
    {
      type: 'SUBMIT_TO_COORDINATORS',
      payload: { draftVersion: 3, consolidation: true },
      actor: officer,
      state: 'cnc_approval',
    },
    ...everyState(
      'POSITION',
      (s) =>
        s === 'KZ'
          ? { draftVersion: 3, kind: 'agree_with_reservation', text: 'On the translation of art. 5' }
          : { draftVersion: 3, kind: 'agree' },
      'submitted_for_adoption',
    ),
    { type: 'SUBMIT_FOR_ADOPTION', payload: { body }, actor: officer, state: 'submitted_for_adoption' },
    {
      type: 'RECORD_ADOPTION',
      payload: { decisionNumber: 'CFM-2026/7', date: d.today(), ...(affectedPartners ? { affectedPartners } : {}) },
      actor: officer,
      state: 'adopted',
    },
  ];
}

/** 1(e): from the gap analysis to the entry into force after the partner's notification. */
function memorandumToForce(d: Driver): Step[] {
  return [
    {
      type: 'COMPLETE_GAP_ANALYSIS',
      payload: { findings: 'Art. 3 and 7 predate the new model', provisions: ['art. 3', 'art. 7'] },
      actor: officer,
      state: 'drafting',
    },
    { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer, state: 'legal_review' },
    { type: 'APPROVE_REVIEW', payload: {}, actor: reviewer, state: 'consensus' },
    ...everyState('POSITION', () => ({ draftVersion: 1, kind: 'agree' }), 'agreed'),
    {
      type: 'SEND_TO_PARTNER',
      payload: { draftVersion: 1, reference: 'Note verbale No. 2026/114' },
      actor: officer,
      state: 'with_partner',
    },
    {
      type: 'PARTNER_ACCEPTED',
      payload: { draftVersion: 1, reference: 'Note No. 55' },
      actor: officer,
      state: 'signing',
    },
    {
      type: 'SIGNED',
      payload: {
        draftVersion: 1,
        date: d.today(),
        place: 'Beijing',
        signatories: {
          forSco: {
            name: 'The Secretary-General',
            capacity: 'Secretary-General of the SCO',
            fullPowers: { kind: 'decision', reference: 'CHS decision authorising the signature' },
          },
          forPartner: {
            name: 'The Ambassador',
            capacity: 'Ambassador to the PRC',
            fullPowers: { kind: 'instrument', reference: 'Full powers of the Ministry of Foreign Affairs' },
          },
        },
      },
      actor: officer,
      state: 'entry_into_force',
    },
    {
      type: 'NOTIFICATION_RECEIVED',
      payload: { date: d.today(), reference: 'Note No. 61' },
      actor: officer,
      state: 'entry_into_force',
    },
    {
      type: 'ENTERED_INTO_FORCE',
      payload: { mode: 'on_notification', date: d.today() },
      actor: officer,
      state: 'in_force',
    },
  ];
}

/** 1(f): from the first plan version to completion. */
function planToCompletion(d: Driver): Step[] {
  const activities = [
    { id: 'pol-1', direction: 2, title: 'Political consultations at deputy minister level' },
    { id: 'eco-1', direction: 3, title: 'Business forum on transport corridors', due: d.daysAhead(200) },
    { id: 'brief-1', direction: 4, title: 'Briefing by the RATS Executive Committee' },
  ];
  return [
    {
      type: 'SEND_TO_PARTNER',
      payload: { draftVersion: 1, activities },
      actor: officer,
      state: 'partner_consultation',
    },
    {
      type: 'PARTNER_COMMENTS',
      payload: { draftVersion: 1, comments: 'Add a cultural week' },
      actor: officer,
      state: 'partner_consultation',
    },
    {
      type: 'PARTNER_AGREED',
      payload: { draftVersion: 1, remarks: 'Agreed as it stands after consultations' },
      actor: officer,
      state: 'partner_consultation',
    },
    { type: 'CONFIRM_CHANGES', payload: { draftVersion: 1 }, actor: reviewer, state: 'partner_consultation' },
    { type: 'SUBMIT_TO_COORDINATORS', payload: { draftVersion: 1 }, actor: officer, state: 'coordinators_consensus' },
    ...everyState('POSITION', () => ({ draftVersion: 1, kind: 'agree' }), 'approved'),
    { type: 'START_IMPLEMENTATION', actor: officer, state: 'in_implementation' },
    {
      type: 'PROGRESS_REVIEW',
      payload: {
        statuses: [
          { activityId: 'pol-1', status: 'done' },
          { activityId: 'eco-1', status: 'in_progress' },
          { activityId: 'brief-1', status: 'not_started' },
        ],
      },
      actor: officer,
      state: 'in_implementation',
    },
    {
      type: 'PROGRESS_REVIEW',
      payload: {
        statuses: [
          { activityId: 'pol-1', status: 'done' },
          { activityId: 'eco-1', status: 'done' },
          { activityId: 'brief-1', status: 'postponed', note: 'Moved to the next plan' },
        ],
        summary: 'All activities closed',
      },
      actor: officer,
      state: 'in_implementation',
    },
    {
      type: 'COMPLETE',
      payload: { summary: 'Plan implemented; the briefing moves to the next plan' },
      actor: manager,
      state: 'completed',
    },
  ];
}

// ------------------------------------------------------------------------------------------------

describe('direction-1 procedures end to end (real engine, real PostgreSQL)', () => {
  let t: TestApp;
  let d: Driver;
  let memoranda: MemorandumRef[];

  beforeAll(async () => {
    t = await createTestApp();
    d = new Driver(t);
    memoranda = await d.reference.memoranda(t.clock.now());
    await recordBodyAdopts(t, 'cfm', ['model_memorandum']);
  });
  afterAll(() => t?.close());

  it('runs at a moment when the ten member states and at least 14 memoranda are in the reference data', async () => {
    expect(await d.reference.memberStateCodes(t.clock.now())).toEqual(MEMBER_STATES);
    expect(memoranda.length).toBeGreaterThanOrEqual(14);
    expect(memoranda.map((m) => m.memorandumId)).toEqual(memoranda.map((m) => `mem-${m.partner}`));
  });

  describe('each procedure from start to its final state', () => {
    it('1(a) implementation analysis: scoping, parallel assessments, review, comments, approval -> completed', async () => {
      const [m1, m2] = memoranda;
      const id = await d.start('implementation-analysis', { title: 'Implementation of the memoranda, 2009-2025' });
      // a procedure a finding can be linked to
      const linked = await d.start('memorandum-amendment', { partner: m1.partner, memorandumId: m1.memorandumId });

      const scoping: Step[] = [
        {
          type: 'SCOPE',
          payload: {
            criteria: ['Participation in SCO events', 'Implementation of the memorandum obligations'],
            memoranda: [m1.memorandumId, m2.memorandumId],
            assignments: [
              { memorandumId: m1.memorandumId, assignee: officer.id, dueAt: d.daysAhead(30) },
              { memorandumId: m2.memorandumId, assignee: assessor.id, dueAt: d.daysAhead(30) },
            ],
          },
          actor: officer,
          state: 'assessments',
        },
      ];
      await d.run(id, scoping);
      expect(await d.openDeadlineKeys(id)).toEqual(
        [`assessment:${m1.memorandumId}`, `assessment:${m2.memorandumId}`].sort(),
      );

      const rest: Step[] = [
        {
          type: 'REMINDER',
          payload: { deadlineKey: `assessment:${m2.memorandumId}`, daysBefore: 7 },
          actor: system,
          state: 'assessments',
        },
        {
          type: 'REASSIGN_ASSESSMENT',
          payload: { memorandumId: m2.memorandumId, assignee: reviewer.id, dueAt: d.daysAhead(45) },
          actor: manager,
          state: 'assessments',
        },
        {
          type: 'ASSESSMENT_SUBMITTED',
          payload: {
            memorandumId: m1.memorandumId,
            findings: [{ id: 'F1', text: 'Article 5 is not applied', severity: 'medium', suggestedMeasure: '1(e)' }],
          },
          actor: officer,
          state: 'assessments',
        },
        {
          type: 'ASSESSMENT_SUBMITTED',
          payload: { memorandumId: m2.memorandumId, findings: [] },
          actor: reviewer,
          state: 'consolidation',
        },
        { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer, state: 'internal_review' },
        { type: 'APPROVE_REVIEW', payload: {}, actor: reviewer, state: 'comments' },
        { type: 'REMINDER', payload: { deadlineKey: 'comments', daysBefore: 7 }, actor: system, state: 'comments' },
        ...everyState(
          'RESPOND',
          (s) => ({ draftVersion: 1, comments: s === 'CN' ? 'Add the 2024 figures' : null }),
          'finalisation',
        ),
        { type: 'CONFIRM_CHANGES', payload: { draftVersion: 2 }, actor: reviewer, state: 'finalisation' },
        {
          type: 'SUBMIT_FOR_APPROVAL',
          payload: { draftVersion: 2, consolidation: true },
          actor: officer,
          state: 'approval',
        },
        ...everyState('POSITION', () => ({ draftVersion: 2, kind: 'agree' }), 'completed'),
      ];
      const link = rest.findIndex((step) => step.type === 'SUBMIT_FOR_REVIEW');
      await d.run(id, rest.slice(0, link));
      // a finding links only to an existing 1(c), 1(d) or 1(e) procedure: refused with nothing written
      await expect(
        d.engine.linkFinding({
          analysisId: id,
          findingId: 'F1',
          procedureId: '00000000-0000-4000-8000-000000000000',
          from: 'analysis',
          actor: officer,
        }),
      ).rejects.toThrow('procedureId: there is no procedure with id "00000000-0000-4000-8000-000000000000".');
      // (another partner than the 1(b) test's: one open 1(b) per partner and treaty)
      const treaty = await d.start('treaty-accession', {
        partner: m2.partner,
        treatyId: 'sco-agreement-road-transport-2014',
      });
      await expect(
        d.engine.linkFinding({
          analysisId: id,
          findingId: 'F1',
          procedureId: treaty,
          from: 'analysis',
          actor: officer,
        }),
      ).rejects.toThrow(
        /is a treaty-accession; a finding feeds one of regulation-amendment, model-memorandum-amendment, memorandum-amendment/,
      );
      await d.engine.linkFinding({
        analysisId: id,
        findingId: 'F1',
        procedureId: linked,
        from: 'analysis',
        actor: officer,
      });
      await d.run(id, rest.slice(link));
      // the link is an event in the analysis' history, between the steps it came between
      await d.expectFinished(id, 'completed', [
        ...scoping,
        ...rest.slice(0, link),
        { type: '$finding_linked', actor: officer },
        ...rest.slice(link),
      ]);
      const view = await d.reads.view(id, officer);
      const ctx = view.context as { assessments: Record<string, { status: string; assignee: string }> };
      expect(ctx.assessments[m2.memorandumId]).toMatchObject({ status: 'submitted', assignee: reviewer.id });
      expect(view.findingLinks).toEqual([expect.objectContaining({ findingId: 'F1', procedureId: linked })]);
      const closed = await d.ds.query(`SELECT key FROM deadline WHERE instance_id = $1 ORDER BY key, created_at`, [id]);
      expect(closed.map((r: { key: string }) => r.key)).toEqual(
        expect.arrayContaining([
          `assessment:${m1.memorandumId}`,
          `assessment:${m2.memorandumId}`,
          'internal_review',
          'comments',
          'approval',
        ]),
      );
    });

    it('1(b) treaty accession: eligibility, outreach, follow-ups, request, member consent, deposit -> acceded', async () => {
      const partner = memoranda[0].partner;
      const id = await d.start('treaty-accession', { partner, treatyId: 'sco-agreement-road-transport-2014' });
      const steps: Step[] = [
        {
          type: 'CONFIRM_ELIGIBILITY',
          payload: {
            note: 'Art. 23 opens the Agreement to any state',
            source: 'Depositary copy, SCO Secretariat',
            consentRequired: true,
            accessionArticle: '23',
            depositary: 'SCO Secretariat',
          },
          actor: officer,
          state: 'outreach',
        },
        {
          type: 'PACKAGE_SENT',
          payload: { sentOn: d.today(), channel: 'Note verbale through the embassy in Beijing' },
          actor: officer,
          state: 'outreach',
        },
        {
          type: 'PARTNER_CONSIDERING',
          payload: { note: 'The Ministry of Transport is studying the Agreement' },
          actor: officer,
          state: 'considering',
        },
        {
          type: 'FOLLOW_UP',
          payload: { contactedOn: d.today(), note: 'Meeting with the embassy' },
          actor: officer,
          state: 'considering',
        },
        {
          type: 'REQUEST_RECEIVED',
          payload: { receivedOn: d.today(), reference: 'Note No. 12/2026' },
          actor: officer,
          state: 'request_received',
        },
        { type: 'PROCEED', payload: {}, actor: officer, state: 'member_consent' },
        ...everyState('POSITION', () => ({ draftVersion: 1, kind: 'agree' }), 'deposit'),
        {
          type: 'INSTRUMENT_DEPOSITED',
          payload: { depositary: 'SCO Secretariat', date: d.today() },
          actor: officer,
          state: 'acceded',
        },
      ];
      await d.run(id, steps.slice(0, 3));
      const [before] = await d.ds.query(
        `SELECT id FROM deadline WHERE instance_id = $1 AND key = 'considering' AND status = 'open'`,
        [id],
      );
      await d.run(id, steps.slice(3, 4));
      // the follow-up re-enters `considering`: its deadline restarts as a new row
      const [after] = await d.ds.query(
        `SELECT id FROM deadline WHERE instance_id = $1 AND key = 'considering' AND status = 'open'`,
        [id],
      );
      expect(after.id).not.toBe(before.id);
      await d.run(id, steps.slice(4));
      await d.expectFinished(id, 'acceded', steps);
      expect((await d.reads.view(id, officer)).context).toMatchObject({
        consentRequired: true,
        deposit: { depositary: 'SCO Secretariat' },
        eligibility: { partnerHoldsMemorandum: true },
      });
    });

    it('1(c) regulation amendment: drafting, four-eyes review, circulation, coordinators, adoption -> adopted', async () => {
      const id = await d.start('regulation-amendment', {
        proposedBy: 'RU',
        rationale: 'Align the Regulation with the 2025 partner category',
      });
      const partner = memoranda[memoranda.length - 1].partner;
      const steps = normativeToAdoption(d, [partner], 'chs');
      await d.run(id, steps.slice(0, 2));
      // four-eyes: the drafter cannot approve his own version
      await expect(
        d.engine.apply({ instanceId: id, type: 'APPROVE_REVIEW', payload: {}, actor: officer }),
      ).rejects.toThrow(/Four-eyes/);
      await d.run(id, steps.slice(2));
      await d.expectFinished(id, 'adopted', steps);
      await d.relay.drain();
      // the officer named one affected partner: one 1(e) for it
      const children = await d.ds.query(
        `SELECT definition_id, partner, memorandum, parent_key FROM workflow_instance WHERE parent_id = $1`,
        [id],
      );
      expect(children).toEqual([
        { definition_id: 'memorandum-amendment', partner, memorandum: `mem-${partner}`, parent_key: partner },
      ]);
    });

    it('1(d) model memorandum amendment: the same stages -> adopted', async () => {
      const id = await d.start('model-memorandum-amendment', {
        proposedBy: 'Secretariat',
        rationale: 'New model after the 2025 merger of categories',
      });
      const partner = memoranda[0].partner;
      const steps = normativeToAdoption(d, [partner]);
      await d.run(id, steps);
      await d.expectFinished(id, 'adopted', steps);
      const view = await d.reads.view(id, officer);
      expect(view.context).toMatchObject({
        document: 'model_memorandum',
        affectedPartners: [partner],
        adoption: { body: 'cfm', decisionNumber: 'CFM-2026/7' },
      });
    });

    it('1(e) memorandum amendment: gap analysis, protocol, consensus, partner, signing, notification -> in_force', async () => {
      const m = memoranda[1];
      const id = await d.start('memorandum-amendment', { partner: m.partner, memorandumId: m.memorandumId });
      const steps = memorandumToForce(d);
      await d.run(id, steps);
      await d.expectFinished(id, 'in_force', steps);
      const view = await d.reads.view(id, officer);
      expect(view).toMatchObject({
        partner: m.partner,
        memorandum: m.memorandumId,
        subject: `1e:${m.partner}`,
        parentId: null,
      });
      expect(view.context).toMatchObject({
        entryIntoForce: { mode: 'on_notification', date: d.today() },
        signing: { draftVersion: 1 },
      });
    });

    it('1(f) interaction plan: consultation, coordinators, implementation with progress reviews -> completed', async () => {
      const partner = memoranda[2].partner;
      const id = await d.start('interaction-plan', { partner, title: `Interaction plan with ${partner}, 2026-2027` });
      const steps = planToCompletion(d);
      const idx = steps.findIndex((s) => s.type === 'PROGRESS_REVIEW');
      await d.run(id, steps.slice(0, idx));
      const [before] = await d.ds.query(
        `SELECT id FROM deadline WHERE instance_id = $1 AND key = 'in_implementation' AND status = 'open'`,
        [id],
      );
      await d.run(id, steps.slice(idx, idx + 1));
      // a progress review restarts the implementation period and its deadline
      const [after] = await d.ds.query(
        `SELECT id FROM deadline WHERE instance_id = $1 AND key = 'in_implementation' AND status = 'open'`,
        [id],
      );
      expect(after.id).not.toBe(before.id);
      await d.run(id, steps.slice(idx + 1));
      await d.expectFinished(id, 'completed', steps);
      expect((await d.reads.view(id, officer)).context).toMatchObject({
        period: { number: 3 },
        approval: { draftVersion: 1 },
        completion: { by: manager.id },
      });
    });
  });

  it('cascade: an adopted 1(d) naming no partners opens one 1(e) per memorandum in force, once; a finished child is reported to the closed parent and skipped', async () => {
    // one open 1(e) per memorandum: those the tests above left open are withdrawn first
    const stillOpen: { id: string }[] = await d.ds.query(
      `SELECT id FROM workflow_instance WHERE definition_id = 'memorandum-amendment' AND status = 'active'`,
    );
    for (const o of stillOpen)
      await d.engine.apply({
        instanceId: o.id,
        type: 'WITHDRAW',
        payload: { reason: 'Superseded by the new model memorandum' },
        actor: manager,
      });
    const parentId = await d.start('model-memorandum-amendment', {
      proposedBy: 'CN',
      rationale: 'Model memorandum for the new partner category',
    });
    const steps = normativeToAdoption(d);
    await d.run(parentId, steps);
    await d.expectFinished(parentId, 'adopted', steps);

    await d.relay.drain();
    await d.relay.drain();
    type ChildRow = {
      id: string;
      definition_id: string;
      partner: string;
      memorandum: string;
      subject: string;
      parent_id: string;
      parent_key: string;
      state_path: string;
      status: string;
    };
    const childrenOf = async (): Promise<ChildRow[]> =>
      d.ds.query(
        `SELECT id, definition_id, partner, memorandum, subject, parent_id, parent_key, state_path, status FROM workflow_instance WHERE parent_id = $1 ORDER BY parent_key`,
        [parentId],
      );
    const children = await childrenOf();
    const expected = [...memoranda].sort((a, b) => a.partner.localeCompare(b.partner));
    expect(expected.length).toBeGreaterThanOrEqual(14);
    expect(children).toHaveLength(expected.length);
    expect(children.map((c) => ({ partner: c.partner, memorandum: c.memorandum, key: c.parent_key }))).toEqual(
      expected.map((m) => ({ partner: m.partner, memorandum: m.memorandumId, key: m.partner })),
    );
    for (const c of children) {
      expect(c).toMatchObject({
        definition_id: 'memorandum-amendment',
        parent_id: parentId,
        subject: `1e:${c.partner}`,
        state_path: 'gap_analysis',
        status: 'active',
      });
      expect(await d.openDeadlineKeys(c.id)).toEqual(['gap_analysis']);
    }
    const view = await d.reads.view(children[0].id, officer);
    expect(view.context).toMatchObject({
      basis: { document: 'model_memorandum', decisionNumber: 'CFM-2026/7', date: d.today() },
    });

    // the relay again, and the open messages delivered once more (as after a crash): no duplicates
    await d.relay.drain();
    await d.ds.query(`UPDATE outbox_message SET processed_at = NULL WHERE instance_id = $1 AND kind = 'child.open'`, [
      parentId,
    ]);
    expect(await d.relay.drain()).toBeGreaterThanOrEqual(expected.length);
    expect((await childrenOf()).map((c) => c.id)).toEqual(children.map((c) => c.id));

    const parentHistory = await d.reads.history(parentId, admin);

    // one child through the silence procedure to in_force, another closed with no amendment needed
    const [first, second] = children;
    const toAgreed: Step[] = [
      {
        type: 'COMPLETE_GAP_ANALYSIS',
        payload: { findings: 'Art. 2 follows the old model', provisions: ['art. 2'] },
        actor: officer,
        state: 'drafting',
      },
      { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer, state: 'legal_review' },
      // a protocol implementing an adopted model: its round uses the silence procedure by the definition's rule
      { type: 'APPROVE_REVIEW', payload: {}, actor: reviewer, state: 'consensus' },
      { type: 'POSITION', payload: { draftVersion: 1, kind: 'agree' }, actor: approver('RU'), state: 'consensus' },
      {
        type: 'POSITION',
        payload: { draftVersion: 1, kind: 'agree_with_reservation', text: 'Art. 2 (2)' },
        actor: approver('CN'),
        state: 'consensus',
      },
    ];
    await d.run(first.id, toAgreed);
    await d.relay.drain();
    t.clock.advance({ days: 31 });
    const afterSilence: Step[] = [
      { type: 'DEADLINE_PASSED', payload: { deadlineKey: 'consensus' }, actor: system, state: 'agreed' },
      ...memorandumToForce(d).slice(MEMBER_STATES.length + 3),
    ];
    expect(afterSilence[1].type).toBe('SEND_TO_PARTNER');
    await d.run(first.id, afterSilence);
    await d.expectFinished(first.id, 'in_force', [...toAgreed, ...afterSilence]);
    const round = (
      (await d.reads.view(first.id, officer)).context as {
        rounds: { outcome: string; positions: Record<string, { kind: string }> }[];
      }
    ).rounds[0];
    expect(round.outcome).toBe('consensus');
    expect(Object.values(round.positions).filter((p) => p.kind === 'silence')).toHaveLength(MEMBER_STATES.length - 2);

    const closeIt: Step[] = [
      {
        type: 'CLOSE_NO_AMENDMENT',
        payload: { findings: 'The memorandum already conforms to the new model' },
        actor: manager,
        state: 'no_amendment_needed',
      },
    ];
    await d.run(second.id, closeIt);
    await d.expectFinished(second.id, 'no_amendment_needed', closeIt);

    await d.relay.drain();
    await d.relay.drain();
    // CHILD_DONE was delivered (the messages ran without error) and refused by the adopted parent: nothing recorded
    const done: { child: string }[] = await d.ds.query(
      `SELECT payload->>'childId' AS child, payload->>'finalState' AS final, processed_at IS NOT NULL AS processed, last_error FROM outbox_message WHERE kind = 'child.done' AND payload->>'parentId' = $1`,
      [parentId],
    );
    const byChild = (a: { child: string }, b: { child: string }) =>
      a.child < b.child ? -1 : a.child > b.child ? 1 : 0;
    expect([...done].sort(byChild)).toEqual(
      [
        { child: first.id, final: 'in_force', processed: true, last_error: null },
        { child: second.id, final: 'no_amendment_needed', processed: true, last_error: null },
      ].sort(byChild),
    );
    expect(await d.reads.history(parentId, admin)).toEqual(parentHistory);
    expect(await d.evidence.verifySummary(parentId)).toMatchObject({ valid: true, checked: parentHistory.length });
    const parentView = await d.reads.view(parentId, officer);
    expect(parentView).toMatchObject({ state: 'adopted', status: 'done' });
    const byId = new Map(parentView.children.map((c: { id: string; state: string; status: string }) => [c.id, c]));
    expect(byId.get(first.id)).toMatchObject({ state: 'in_force', status: 'done' });
    expect(byId.get(second.id)).toMatchObject({ state: 'no_amendment_needed', status: 'done' });
    expect(parentView.children.filter((c: { status: string }) => c.status === 'active')).toHaveLength(
      expected.length - 2,
    );
  });

  it('withdrawal: a 1(c) withdrawn by a manager mid-circulation ends withdrawn and closes its deadlines', async () => {
    const id = await d.start('regulation-amendment', {
      proposedBy: 'KZ',
      rationale: 'Clarify the rights of dialogue partners',
    });
    const steps: Step[] = [
      { type: 'START_DRAFTING', actor: officer, state: 'drafting' },
      { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer, state: 'legal_review' },
      { type: 'APPROVE_REVIEW', actor: reviewer, state: 'circulation' },
      {
        type: 'RESPOND',
        payload: { draftVersion: 1, comments: 'Not timely' },
        actor: approver('IN'),
        state: 'circulation',
      },
      { type: 'RESPOND', payload: { draftVersion: 1 }, actor: approver('PK'), state: 'circulation' },
    ];
    const applied = await d.run(id, steps);
    expect(await d.openDeadlineKeys(id)).toEqual(['circulation']);
    const withdraw: Step[] = [
      {
        type: 'WITHDRAW',
        payload: { reason: 'Superseded by the Council decision of 2026' },
        actor: manager,
        state: 'withdrawn',
      },
    ];
    const [w] = await d.run(id, withdraw);
    await d.expectFinished(id, 'withdrawn', [...steps, ...withdraw]);
    const rows = await d.ds.query(
      `SELECT key, status, opened_by_seq, closed_by_seq FROM deadline WHERE instance_id = $1 ORDER BY opened_by_seq`,
      [id],
    );
    expect(rows).toEqual([
      { key: 'legal_review', status: 'closed', opened_by_seq: applied[1].seq, closed_by_seq: applied[2].seq },
      { key: 'circulation', status: 'closed', opened_by_seq: applied[2].seq, closed_by_seq: w.seq },
    ]);
    expect((await d.reads.view(id, officer)).context).toMatchObject({
      withdrawal: { reason: 'Superseded by the Council decision of 2026', by: manager.id },
    });
    await expect(
      d.engine.apply({ instanceId: id, type: 'RESPOND', payload: { draftVersion: 1 }, actor: approver('RU') }),
    ).rejects.toThrow(/closed \(withdrawn\)/);
    await d.relay.drain();
    expect(await d.ds.query(`SELECT count(*)::int AS n FROM workflow_instance WHERE parent_id = $1`, [id])).toEqual([
      { n: 0 },
    ]);
  });
});

describe('a procedure survives a restart of the application (shared database)', () => {
  let first: TestApp | undefined;
  let second: TestApp | undefined;
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('1(f) driven halfway on one app is completed on a second app over the same database', async () => {
    const clock = new FakeClock();
    first = await createTestApp({ freshDatabase: false, clock });
    const d1 = new Driver(first);
    const [m] = await d1.reference.memoranda(clock.now());
    const id = await d1.start('interaction-plan', { partner: m.partner });
    const steps = planToCompletion(d1);
    // halfway: in the coordinators' round, half of the states have answered
    const half = steps.findIndex((s) => s.type === 'POSITION') + MEMBER_STATES.length / 2;
    await d1.run(id, steps.slice(0, half));
    const before = await d1.reads.view(id, officer);
    expect(before).toMatchObject({ state: 'coordinators_consensus', status: 'active', seq: half + 1 });
    await first.close();
    first = undefined;

    clock.advance({ days: 2 });
    second = await createTestApp({ freshDatabase: false, clock });
    const d2 = new Driver(second);
    const resumed = await d2.reads.view(id, officer);
    expect(resumed).toMatchObject({
      state: before.state,
      seq: before.seq,
      context: before.context,
      deadlines: [expect.objectContaining({ key: 'coordinators_consensus' })],
    });
    expect(await d2.evidence.verifySummary(id)).toMatchObject({ valid: true, checked: half + 1 });
    await d2.run(id, steps.slice(half));
    await d2.expectFinished(id, 'completed', steps);
    const history = await d2.reads.history(id, admin);
    // the second half was recorded after the restart, on the moved clock
    expect(new Date(history[half + 1].at).getTime() - new Date(history[half].at).getTime()).toBeGreaterThanOrEqual(
      2 * 86_400_000,
    );
  });
});
