import type { SnapshotFrom } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { lastRound, reservations } from '../kernel/consensus';
import { acceptedEventTypes, effectsOf, explainRefusal, statePaths } from '../kernel/inspect';
import { refuseCorrection } from '../kernel/corrections';
import { activeStateMeta } from '../kernel/inspect';
import { transitionNotices } from '../kernel/notices';
import { actors, draftFacts, eventsOf, explore, MEMBER_STATES, T0, world } from '../kernel/testing';
import { latestDateAt, memorandumAmendment as def, memorandumCorrections, signatoryOf } from './memorandum-amendment';
import { regulationAmendment } from './regulation-amendment';
import { normativeEvents } from './normative-amendment';
import {
  memorandumAmendmentEvents,
  type MemorandumAmendmentEvent,
  type MemorandumAmendmentInput,
} from './memorandum-amendment';

type Snapshot = SnapshotFrom<typeof def.machine>;

const ev = eventsOf(memorandumAmendmentEvents);
const normEv = eventsOf(normativeEvents);

const basis = { document: 'model_memorandum' as const, decisionNumber: '14', date: '2024-12-01' };
const regulationBasis = { document: 'regulation' as const, decisionNumber: 'CFM-7', date: '2025-01-02' };
const ADOPTING = '5f0c1c9e-1b7e-4c1a-9d53-3f4a2b8e9a10';
const input: MemorandumAmendmentInput = {
  partner: 'TR',
  memorandumId: 'mem-TR',
  basis,
  startedBy: 'officer-1',
  startedAt: T0,
};
const signed = (draftVersion: number, date = '2025-01-05') => ({
  draftVersion,
  date,
  place: 'Beijing',
  signatories: {
    forSco: {
      name: 'Nurlan Yermekbayev',
      capacity: 'Secretary-General of the SCO',
      fullPowers: { kind: 'decision' as const, reference: 'CHS Decision No. 21 of 4 July 2024' },
    },
    forPartner: {
      name: 'A. Partner',
      capacity: 'Ambassador to the PRC',
      fullPowers: {
        kind: 'instrument' as const,
        reference: 'Full powers, Ministry of Foreign Affairs, 2 January 2025',
      },
    },
  },
});

function eventsFor(s: Snapshot) {
  const c = s.context;
  const v = c.draftVersion ?? 1;
  const key = statePaths(s)[0];
  const out: MemorandumAmendmentEvent[] = [
    ev('COMPLETE_GAP_ANALYSIS', { findings: 'Art. 3 cites the 2008 Regulation', provisions: ['art. 3'] }),
    ev('CLOSE_NO_AMENDMENT', { findings: 'The memorandum already conforms' }),
    ev('SUBMIT_FOR_REVIEW', { draftVersion: c.draftVersion === null ? 1 : v + 1 }),
    ev('APPROVE_REVIEW', {}, actors.reviewer),
    ev('RETURN_TO_DRAFTING', { reason: 'Article 2 unclear' }, actors.reviewer),
    ev('SEND_TO_PARTNER', { draftVersion: v, reference: 'No. 2025/17' }),
    ev('PARTNER_ACCEPTED', { draftVersion: v }),
    ev('PARTNER_COUNTER_PROPOSAL', { draftVersion: v, text: 'Keep the 2013 wording of art. 3' }),
    ev('SIGNED', signed(v)),
    ev('NOTIFICATION_RECEIVED', { date: '2025-01-06' }),
    ev('ENTERED_INTO_FORCE', { mode: 'on_signature', date: '2025-01-05' }),
    ev('ENTERED_INTO_FORCE', { mode: 'on_notification', date: '2025-01-06' }),
    ev('WITHDRAW', { reason: 'Superseded' }, actors.manager),
    ev('ADD_BASIS', { ...regulationBasis, procedureId: ADOPTING }, actors.system),
    ev('REMINDER', { deadlineKey: key, daysBefore: 7 }, actors.system),
    ev('DEADLINE_PASSED', { deadlineKey: key }, actors.system),
    ev('CLOSE_ROUND', { reason: 'The round cannot reach consensus' }, actors.manager),
    ev('MEMBERSHIP_CHANGED', { reason: 'Membership changed' }, actors.system),
  ];
  const round = lastRound(c.rounds);
  if (round && round.outcome === 'open') {
    const pending = round.electorate.filter((x) => !round.positions[x]);
    if (pending[0]) {
      out.push(ev('POSITION', { draftVersion: v, kind: 'agree' }, actors.approver(pending[0])));
      if (pending.length === 3)
        out.push(
          ev(
            'POSITION',
            { draftVersion: v, kind: 'agree_with_reservation', text: 'Reservation on art. 4' },
            actors.approver(pending[0]),
          ),
        );
      if (pending.length === 2)
        out.push(
          ev('POSITION', { draftVersion: v, kind: 'object', text: 'Art. 5 unacceptable' }, actors.approver(pending[0])),
        );
    }
  }
  return out;
}

const abstract = (s: Snapshot) => {
  const c = s.context;
  const r = lastRound(c.rounds);
  const x = c.exchanges[c.exchanges.length - 1];
  return [
    Math.min(c.rounds.length, 2),
    r ? Object.keys(r.positions).length : -1,
    r ? Object.values(r.positions).some((p) => p.kind === 'object') : false,
    r?.outcome,
    r?.silenceProcedure,
    Math.min(c.exchanges.length, 2),
    x?.answer?.kind,
    !!c.signing,
    !!c.notification,
    c.bases?.length,
  ];
};

function run(start: MemorandumAmendmentInput = input) {
  let [s] = initialTransition(def.machine, start);
  return {
    get s() {
      return s;
    },
    step(e: MemorandumAmendmentEvent) {
      const [n, actions] = transition(def.machine, s, e);
      s = n;
      return effectsOf(actions);
    },
    /** Like `step`, and returns the notices the kernel writes for the transition (`transitionNotices`). */
    stepNotices(e: MemorandumAmendmentEvent) {
      const before = s;
      const effects = this.step(e);
      const notices = transitionNotices(
        { context: before.context, states: activeStateMeta(before) },
        { context: s.context, states: activeStateMeta(s) },
        { type: e.type, actor: e.actor, payload: e.payload, memberStates: e.world.memberStates },
      );
      return { effects, notices };
    },
    /** Asserts the event is refused and returns the reason. */
    refuse(e: MemorandumAmendmentEvent) {
      expect(s.can(e)).toBe(false);
      return explainRefusal(def, s, e);
    },
  };
}

/** Drives a fresh instance to the consensus stage on version 1. */
/** A protocol started by hand, with no adopted basis: its rounds need every state's express position. */
const noBasis: MemorandumAmendmentInput = {
  partner: 'LK',
  memorandumId: 'mem-LK',
  basis: null,
  startedBy: 'officer-1',
  startedAt: T0,
};

function toConsensus(opts: { start?: MemorandumAmendmentInput } = {}) {
  const r = run(opts.start ?? input);
  r.step(ev('COMPLETE_GAP_ANALYSIS', { findings: 'Art. 3 cites the 2008 Regulation', provisions: ['art. 3'] }));
  r.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
  r.step(ev('APPROVE_REVIEW', {}, actors.reviewer));
  expect(statePaths(r.s)).toEqual(['consensus']);
  return r;
}

function allAgree(r: ReturnType<typeof run>, v: number) {
  for (const st of MEMBER_STATES) r.step(ev('POSITION', { draftVersion: v, kind: 'agree' }, actors.approver(st)));
}

describe('memorandum-amendment (1(e))', () => {
  it('reaches every state, fires every declared transition and reaches every final state', () => {
    const x = explore(def, input, eventsFor, abstract);
    expect(x.unreached).toEqual([]);
    expect(x.unfired).toEqual([]);
    expect([...x.reachedFinals].sort()).toEqual(['in_force', 'no_amendment_needed', 'withdrawn']);
  });

  it('accepts exactly what the 1(c)/1(d) adoption emits as its start input, and files it under the partner', () => {
    const m = regulationAmendment.machine;
    let [s] = initialTransition(m, {
      proposedBy: 'RU',
      rationale: 'SCO partner status',
      startedBy: 'officer-1',
      startedAt: T0,
    });
    for (const e of [
      normEv('START_DRAFTING'),
      normEv('SUBMIT_FOR_REVIEW', { draftVersion: 1 }),
      normEv('APPROVE_REVIEW', {}, actors.reviewer),
      normEv('DEADLINE_PASSED', { deadlineKey: 'circulation' }, actors.system),
      normEv('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }),
      ...MEMBER_STATES.map((st) => normEv('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st))),
      normEv('SUBMIT_FOR_ADOPTION', { body: 'chs' }),
    ])
      [s] = transition(m, s, e);
    const [, actions] = transition(
      m,
      s,
      normEv('RECORD_ADOPTION', { decisionNumber: '14', date: '2025-01-06', affectedPartners: ['TR'] }),
    );
    const open = effectsOf(actions)[0] as { children: { definitionId: string; input: Record<string, unknown> }[] };
    expect(open.children[0].definitionId).toBe(def.id);
    const parsed = def.input.safeParse(open.children[0].input);
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    expect(def.businessKeys(parsed.data)).toEqual({
      partner: 'TR',
      memorandum: 'mem-TR',
      treaty: null,
      subject: '1e:TR',
    });
    // started by hand, without a basis
    expect(def.input.safeParse({ partner: 'LK', memorandumId: 'mem-LK' }).success).toBe(true);
    expect(def.input.safeParse({ partner: 'Sri Lanka', memorandumId: 'mem-LK' }).success).toBe(false);
  });

  it('drives the happy path to in force after the partner’s notification, and reports to the parent', () => {
    const r = toConsensus();
    allAgree(r, 1);
    expect(statePaths(r.s)).toEqual(['agreed']);
    expect(acceptedEventTypes(def, r.s)).toEqual(['ADD_BASIS', 'SEND_TO_PARTNER', 'WITHDRAW']);
    r.step(ev('SEND_TO_PARTNER', { draftVersion: 1, reference: 'No. 2025/17' }));
    r.step(ev('PARTNER_ACCEPTED', { draftVersion: 1 }));
    expect(statePaths(r.s)).toEqual(['signing']);
    r.step(ev('SIGNED', signed(1)));
    expect(statePaths(r.s)).toEqual(['entry_into_force']);
    r.step(ev('NOTIFICATION_RECEIVED', { date: '2025-01-06' }));
    r.step(ev('ENTERED_INTO_FORCE', { mode: 'on_notification', date: '2025-01-06' }));
    expect(r.s.status).toBe('done');
    expect(statePaths(r.s)).toEqual(['in_force']);
    const out = def.output?.(r.s.context, 'in_force');
    expect(out).toMatchObject({
      finalState: 'in_force',
      partner: 'TR',
      memorandumId: 'mem-TR',
      signing: {
        date: '2025-01-05',
        place: 'Beijing',
        signatories: {
          forSco: {
            name: 'Nurlan Yermekbayev',
            capacity: 'Secretary-General of the SCO',
            fullPowers: { kind: 'decision' },
          },
          forPartner: { capacity: 'Ambassador to the PRC', fullPowers: { kind: 'instrument' } },
        },
      },
      entryIntoForce: { mode: 'on_notification', date: '2025-01-06' },
    });
  });

  it('closes as no_amendment_needed when the gap analysis finds nothing to amend', () => {
    const r = run();
    r.step(ev('CLOSE_NO_AMENDMENT', { findings: 'The memorandum already conforms' }));
    expect(r.s.status).toBe('done');
    expect(def.output?.(r.s.context, 'no_amendment_needed')).toMatchObject({
      finalState: 'no_amendment_needed',
      signing: null,
      entryIntoForce: null,
    });
    expect(r.s.context.gapAnalysis).toMatchObject({ amendmentNeeded: false });
  });

  it('four-eyes on the author: the officer who saved a version of the protocol cannot approve it, whoever submitted it', () => {
    const r = run();
    r.step(ev('COMPLETE_GAP_ANALYSIS', { findings: 'f', provisions: ['art. 3'] }));
    // officer-1 saved versions 1 and 2; officer-2 submits version 2
    const w = { ...world, draft: draftFacts(2) };
    r.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 2 }, actors.reviewer, T0, w));
    expect(r.refuse(ev('APPROVE_REVIEW', {}, actors.officer, T0, w))).toBe(
      'Four-eyes rule: you wrote or edited draft versions 1, 2 since the last reviewed version, so you cannot review version 2; another legal officer must.',
    );
    r.step(ev('APPROVE_REVIEW', {}, actors.reviewer, T0, w));
    expect(statePaths(r.s)).toEqual(['consensus']);
    expect(lastRound(r.s.context.rounds)?.draftVersion).toBe(2);
  });

  it('applies four-eyes in legal review and requires a revised version after a return', () => {
    const r = run();
    r.step(ev('COMPLETE_GAP_ANALYSIS', { findings: 'f', provisions: ['art. 3'] }));
    r.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
    expect(r.refuse(ev('APPROVE_REVIEW'))).toMatch(/Four-eyes/);
    expect(r.refuse(ev('RETURN_TO_DRAFTING', { reason: 'x' }))).toMatch(/Four-eyes/);
    r.step(ev('RETURN_TO_DRAFTING', { reason: 'Article 2 unclear' }, actors.reviewer));
    expect(statePaths(r.s)).toEqual(['drafting']);
    expect(r.refuse(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }))).toBe(
      'Version 1 was returned by the legal review ("Article 2 unclear"): submit a revised version (2 or later).',
    );
    // the documents module's view of the draft is honoured
    const drifted = {
      memberStates: MEMBER_STATES,
      memoranda: [],
      bodies: [],
      draft: { latestVersion: 2, driftedArticles: ['art-3'], versions: draftFacts(2).versions },
    };
    expect(r.refuse(ev('SUBMIT_FOR_REVIEW', { draftVersion: 2 }, actors.officer, T0, drifted))).toMatch(
      /Russian and Chinese texts disagree/,
    );
    r.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 2 }));
    expect(statePaths(r.s)).toEqual(['legal_review']);
  });

  it('full rounds: keeps reservations, collects every view, returns the draft with all objections; a new version needs new positions', () => {
    const r = toConsensus({ start: noBasis });
    r.step(
      ev(
        'POSITION',
        { draftVersion: 1, kind: 'agree_with_reservation', text: 'KZ reserves on art. 4' },
        actors.approver('KZ'),
      ),
    );
    r.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('CN')));
    expect(r.refuse(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('CN')))).toMatch(
      /CN already holds this position/,
    );
    expect(r.refuse(ev('POSITION', { draftVersion: 2, kind: 'agree' }, actors.approver('RU')))).toMatch(
      /round is on draft version 1/,
    );
    expect(r.refuse(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.officer))).toMatch(
      /Only a member-state approver/,
    );
    r.step(ev('POSITION', { draftVersion: 1, kind: 'object', text: 'Art. 5 unacceptable' }, actors.approver('IN')));
    expect(statePaths(r.s)).toEqual(['consensus']);
    for (const st of MEMBER_STATES.filter((x) => !['KZ', 'CN', 'IN'].includes(x)))
      r.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st)));
    expect(statePaths(r.s)).toEqual(['drafting']);
    expect(r.s.context.returns[0]).toMatchObject({
      from: 'consensus',
      objections: [{ memberState: 'IN', text: 'Art. 5 unacceptable' }],
      reservations: [{ memberState: 'KZ', text: 'KZ reserves on art. 4' }],
    });
    const first = lastRound(r.s.context.rounds);
    expect(first).toMatchObject({
      outcome: 'objected',
      objection: { memberState: 'IN', reason: 'Art. 5 unacceptable' },
      silenceProcedure: false,
    });
    expect(r.refuse(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }))).toMatch(
      /Version 1 was objected to by a member state \("Objections: IN: Art. 5 unacceptable. Reservations: KZ: KZ reserves on art. 4."\)/,
    );
    r.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 2 }));
    r.step(ev('APPROVE_REVIEW', {}, actors.reviewer));
    const second = lastRound(r.s.context.rounds);
    expect(second).toMatchObject({ number: 2, draftVersion: 2, outcome: 'open', positions: {} });
    expect(r.s.context.rounds).toHaveLength(2);
    expect(reservations(r.s.context.rounds).map((p) => [p.memberState, p.text])).toEqual([
      ['KZ', 'KZ reserves on art. 4'],
    ]);
    allAgree(r, 2);
    expect(statePaths(r.s)).toEqual(['agreed']);
  });

  it('reminds only the states that have not answered, and escalates to the managers when the round is late', () => {
    const r = toConsensus({ start: noBasis });
    r.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('CN')));
    r.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('RU')));
    const [reminder] = r.step(ev('REMINDER', { deadlineKey: 'consensus', daysBefore: 7 }, actors.system));
    expect(reminder).toMatchObject({ type: 'effect.notify', kind: 'reminder' });
    expect(reminder?.type === 'effect.notify' && reminder.audience).toEqual({
      memberStates: MEMBER_STATES.filter((x) => x !== 'CN' && x !== 'RU'),
    });
    expect(r.refuse(ev('REMINDER', { deadlineKey: 'legal_review', daysBefore: 2 }, actors.system))).toMatch(
      /does not belong to the current stage/,
    );
    const [escalation] = r.step(ev('DEADLINE_PASSED', { deadlineKey: 'consensus' }, actors.system));
    expect(escalation).toMatchObject({
      kind: 'escalation',
      audience: { roles: ['manager'] },
      data: { pending: MEMBER_STATES.filter((x) => x !== 'CN' && x !== 'RU') },
    });
    // without the silence procedure the round stays open: a missing answer is not an agreement
    expect(statePaths(r.s)).toEqual(['consensus']);
    expect(lastRound(r.s.context.rounds)?.outcome).toBe('open');
  });

  it('silence as a rule: a protocol with an adopted basis counts the silent states as agreeing at the deadline, and says so', () => {
    const r = toConsensus();
    expect(lastRound(r.s.context.rounds)?.silenceProcedure).toBe(true);
    r.step(
      ev('POSITION', { draftVersion: 1, kind: 'agree_with_reservation', text: 'On art. 4' }, actors.approver('PK')),
    );
    const [info] = r.step(ev('DEADLINE_PASSED', { deadlineKey: 'consensus' }, actors.system));
    expect(info).toMatchObject({
      kind: 'info',
      audience: { roles: ['manager'] },
      data: { silent: MEMBER_STATES.filter((x) => x !== 'PK') },
    });
    expect(statePaths(r.s)).toEqual(['agreed']);
    const round = r.s.context.rounds[0];
    expect(round.outcome).toBe('consensus');
    expect(round.positions.RU).toMatchObject({ kind: 'silence', by: 'system' });
    expect(round.positions.PK).toMatchObject({ kind: 'agree_with_reservation', text: 'On art. 4' });
  });

  it('silence as a rule: no officer chooses it, and a protocol with no adopted basis never uses it', () => {
    // the officer's former checkbox is refused by the payload schema, with the field named
    expect(memorandumAmendmentEvents.APPROVE_REVIEW.payload.safeParse({ silenceProcedure: true }).success).toBe(false);
    const r = toConsensus({ start: noBasis });
    expect(lastRound(r.s.context.rounds)?.silenceProcedure).toBe(false);
    r.step(ev('DEADLINE_PASSED', { deadlineKey: 'consensus' }, actors.system));
    expect(statePaths(r.s)).toEqual(['consensus']);
    expect(lastRound(r.s.context.rounds)?.positions).toEqual({});
    expect(r.refuse(ev('DEADLINE_PASSED', { deadlineKey: 'gap_analysis' }, actors.system))).toMatch(/does not belong/);
  });

  it('sends only the agreed version, and loops back to drafting on the partner’s counter-proposal', () => {
    const r = toConsensus();
    allAgree(r, 1);
    expect(r.refuse(ev('SEND_TO_PARTNER', { draftVersion: 2 }))).toMatch(/Only version 1, agreed by the member states/);
    r.step(ev('SEND_TO_PARTNER', { draftVersion: 1 }));
    expect(statePaths(r.s)).toEqual(['with_partner']);
    expect(r.refuse(ev('PARTNER_ACCEPTED', { draftVersion: 2 }))).toMatch(/partner was sent version 1/);
    const [reminder] = r.step(ev('REMINDER', { deadlineKey: 'with_partner', daysBefore: 14 }, actors.system));
    expect(reminder).toMatchObject({ kind: 'reminder', audience: { roles: ['legal_officer'] } });
    const [escalation] = r.step(ev('DEADLINE_PASSED', { deadlineKey: 'with_partner' }, actors.system));
    expect(escalation).toMatchObject({ kind: 'escalation', audience: { roles: ['manager'] } });
    r.step(ev('PARTNER_COUNTER_PROPOSAL', { draftVersion: 1, text: 'Keep the 2013 wording of art. 3' }));
    expect(statePaths(r.s)).toEqual(['drafting']);
    expect(r.s.context.exchanges[0].answer).toMatchObject({
      kind: 'counter_proposal',
      text: 'Keep the 2013 wording of art. 3',
    });
    expect(r.refuse(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }))).toMatch(/countered by the partner/);
    // the changed text goes through review and the member states again
    r.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 2 }));
    r.step(ev('APPROVE_REVIEW', {}, actors.reviewer));
    allAgree(r, 2);
    r.step(ev('SEND_TO_PARTNER', { draftVersion: 2 }));
    r.step(ev('PARTNER_ACCEPTED', { draftVersion: 2 }));
    expect(statePaths(r.s)).toEqual(['signing']);
    expect(r.s.context.exchanges.map((x) => [x.draftVersion, x.answer?.kind])).toEqual([
      [1, 'counter_proposal'],
      [2, 'accepted'],
    ]);
    expect(r.s.context.rounds.map((x) => [x.draftVersion, x.outcome])).toEqual([
      [1, 'consensus'],
      [2, 'consensus'],
    ]);
  });

  describe('signing and entry into force', () => {
    function toSigning() {
      const r = toConsensus();
      allAgree(r, 1);
      r.step(ev('SEND_TO_PARTNER', { draftVersion: 1 }));
      r.step(ev('PARTNER_ACCEPTED', { draftVersion: 1 }));
      return r;
    }

    it('signatory: the signing record holds who signed, in what capacity and on what full powers, for each side', () => {
      const schema = def.events.SIGNED.payload;
      expect(schema.safeParse(signed(1)).success).toBe(true);
      const { place: _p, ...noPlace } = signed(1);
      const { date: _d, ...noDate } = signed(1);
      expect(schema.safeParse(noPlace).success).toBe(false);
      expect(schema.safeParse(noDate).success).toBe(false);
      expect(schema.safeParse({ ...signed(1), date: '2025-02-30' }).success).toBe(false);
      const partner = signed(1).signatories.forPartner;
      const sco = signed(1).signatories.forSco;
      const withSignatories = (forSco: unknown, forPartner: unknown) =>
        schema.safeParse({ ...signed(1), signatories: { forSco, forPartner } }).success;
      expect(withSignatories(undefined, partner)).toBe(false);
      // no capacity is assumed for the SCO's signatory: it is recorded like the partner's
      expect(withSignatories({ name: 'X' }, partner)).toBe(false);
      expect(withSignatories({ name: 'X', capacity: 'Secretary-General of the SCO' }, partner)).toBe(false);
      expect(withSignatories({ ...sco, name: ' ' }, partner)).toBe(false);
      expect(withSignatories(sco, { ...partner, fullPowers: { kind: 'instrument' } })).toBe(false);
      expect(withSignatories(sco, { ...partner, fullPowers: { kind: 'hearsay' } })).toBe(false);
      expect(
        withSignatories(sco, {
          name: 'The Minister',
          capacity: 'Minister of Foreign Affairs',
          fullPowers: { kind: 'ex_officio' },
        }),
      ).toBe(true);
      const { draftVersion: _v, ...noVersion } = signed(1);
      expect(schema.safeParse(noVersion).success).toBe(false);

      const r = toSigning();
      const deputy = {
        name: 'A. Deputy',
        capacity: 'Deputy Secretary-General of the SCO',
        fullPowers: { kind: 'decision' as const, reference: 'CHS Decision No. 30' },
      };
      r.step(ev('SIGNED', { ...signed(1), signatories: { forSco: deputy, forPartner: partner } }));
      expect(r.s.context.signing?.signatories).toEqual({ forSco: deputy, forPartner: partner });
    });

    it('signatory: records made before the capacity and full powers were kept read as they were', () => {
      expect(signatoryOf({ name: 'Nurlan Yermekbayev', title: 'Secretary-General of the SCO' })).toEqual({
        name: 'Nurlan Yermekbayev',
        capacity: 'Secretary-General of the SCO',
        fullPowers: null,
      });
      const now = signed(1).signatories.forPartner;
      expect(signatoryOf(now)).toEqual(now);
    });

    it('signing date: not before the adoption of the basis, nor before the member states agreed the text', () => {
      const r = toSigning();
      expect(r.refuse(ev('SIGNED', signed(1, '2024-11-30')))).toBe(
        'The signing date 2024-11-30 is before the adoption of the model Memorandum the protocol implements (decision 14 of 2024-12-01).',
      );
      expect(r.refuse(ev('SIGNED', signed(1, '2024-12-20')))).toBe(
        'The signing date 2024-12-20 is before the member states agreed the text (consensus reached 2025-01-06).',
      );
    });

    it('corrections of the signing record: known fields only, the same checks as the original, dependent dates follow', () => {
      const r = toSigning();
      const at = '2025-01-20T09:00:00.000Z';
      const refuse = (field: string, value: unknown) =>
        refuseCorrection(memorandumCorrections, field, r.s.context, value, at, world);
      expect(refuse('signing.date', '2025-01-06')).toMatch(/^No value of the signing date has been recorded yet/);
      r.step(ev('SIGNED', signed(1)));
      r.step(ev('ENTERED_INTO_FORCE', { mode: 'on_signature', date: '2025-01-05' }));
      expect(refuse('signing.witness', 'x')).toBe('There is no recorded fact "signing.witness" to correct.');
      expect(refuse('signing.date', '2024-11-30')).toMatch(/before the adoption of the model Memorandum/);
      expect(refuse('signing.date', '2025-01-22')).toBe(
        'The signing date (2025-01-22) is in the future: today is 2025-01-20 at the latest.',
      );
      expect(refuse('signing.date', '2025-01-06')).toBeNull();
      // a protocol in force on signature entered into force on the corrected signing date
      const corrected = memorandumCorrections['signing.date'].write(r.s.context, '2025-01-06');
      expect(corrected.entryIntoForce?.date).toBe('2025-01-06');
      expect(corrected.signing?.date).toBe('2025-01-06');
      expect(refuse('entryIntoForce.date', '2025-01-07')).toMatch(
        /enters into force on the signing date \(2025-01-05\)/,
      );
      expect(memorandumCorrections['signing.signatories.forSco'].value.safeParse({ name: 'X' }).success).toBe(false);
      const fixed = {
        ...signed(1).signatories.forSco,
        fullPowers: { kind: 'decision', reference: 'CHS Decision No. 22' },
      };
      expect(refuse('signing.signatories.forSco', fixed)).toBeNull();
      expect(refuse('basis.date', '2025-01-10')).toMatch(/^The signing date 2025-01-05 is before the adoption/);
    });

    it('records only the accepted version, on a date that has come', () => {
      const r = toSigning();
      expect(r.refuse(ev('SIGNED', signed(2)))).toMatch(/partner accepted version 1/);
      expect(r.refuse(ev('SIGNED', signed(1, '2025-01-08')))).toMatch(/signing date 2025-01-08 is in the future/);
      // the next calendar day somewhere on Earth is not the future
      expect(latestDateAt(T0)).toBe('2025-01-06');
      expect(latestDateAt('2025-01-06T12:00:00.000Z')).toBe('2025-01-07');
      r.step(ev('SIGNED', signed(1, '2025-01-06')));
      expect(statePaths(r.s)).toEqual(['entry_into_force']);
    });

    it('enters into force on signature only on the signing date', () => {
      const r = toSigning();
      r.step(ev('SIGNED', signed(1)));
      expect(r.refuse(ev('ENTERED_INTO_FORCE', { mode: 'on_signature', date: '2025-01-06' }))).toMatch(
        /enters into force on the signing date \(2025-01-05\)/,
      );
      r.step(ev('ENTERED_INTO_FORCE', { mode: 'on_signature', date: '2025-01-05' }));
      expect(statePaths(r.s)).toEqual(['in_force']);
      expect(r.s.context.notification).toBeNull();
    });

    it('enters into force after the partner’s notification, which cannot precede signing nor be recorded twice', () => {
      const r = toSigning();
      r.step(ev('SIGNED', signed(1)));
      expect(r.refuse(ev('ENTERED_INTO_FORCE', { mode: 'on_notification', date: '2025-01-06' }))).toMatch(
        /Record the partner's notification/,
      );
      expect(r.refuse(ev('NOTIFICATION_RECEIVED', { date: '2025-01-04' }))).toMatch(/cannot precede the signing/);
      r.step(ev('NOTIFICATION_RECEIVED', { date: '2025-01-06' }));
      expect(r.refuse(ev('NOTIFICATION_RECEIVED', { date: '2025-01-06' }))).toMatch(/already recorded/);
      expect(r.refuse(ev('ENTERED_INTO_FORCE', { mode: 'on_notification', date: '2025-01-05' }))).toMatch(
        /cannot precede the partner's notification/,
      );
      expect(r.refuse(ev('ENTERED_INTO_FORCE', { mode: 'on_notification', date: '2025-02-01' }))).toMatch(
        /has not happened yet/,
      );
      const [reminder] = r.step(ev('REMINDER', { deadlineKey: 'entry_into_force', daysBefore: 14 }, actors.system));
      expect(reminder).toMatchObject({
        kind: 'reminder',
        audience: { roles: ['legal_officer'] },
        data: { notificationReceived: true },
      });
      const [escalation] = r.step(ev('DEADLINE_PASSED', { deadlineKey: 'entry_into_force' }, actors.system));
      expect(escalation).toMatchObject({ kind: 'escalation', audience: { roles: ['manager'] } });
      r.step(ev('ENTERED_INTO_FORCE', { mode: 'on_notification', date: '2025-01-06' }));
      expect(statePaths(r.s)).toEqual(['in_force']);
    });
  });

  it('reminds the officers and escalates to the managers at the gap-analysis and legal-review deadlines', () => {
    const r = run();
    expect(r.step(ev('REMINDER', { deadlineKey: 'gap_analysis', daysBefore: 7 }, actors.system))[0]).toMatchObject({
      kind: 'reminder',
      audience: { roles: ['legal_officer'] },
    });
    expect(r.step(ev('DEADLINE_PASSED', { deadlineKey: 'gap_analysis' }, actors.system))[0]).toMatchObject({
      kind: 'escalation',
      audience: { roles: ['manager'] },
    });
    r.step(ev('COMPLETE_GAP_ANALYSIS', { findings: 'f', provisions: ['art. 3'] }));
    r.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
    expect(r.step(ev('REMINDER', { deadlineKey: 'legal_review', daysBefore: 2 }, actors.system))[0]).toMatchObject({
      kind: 'reminder',
      audience: { roles: ['legal_officer'] },
    });
    expect(r.step(ev('DEADLINE_PASSED', { deadlineKey: 'legal_review' }, actors.system))[0]).toMatchObject({
      kind: 'escalation',
      audience: { roles: ['manager'] },
    });
  });

  it('withdraws from an open stage with the reason and supersedes the open round', () => {
    const r = toConsensus();
    r.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('CN')));
    // during the member states' round withdrawal is a manager's act
    expect(r.refuse(ev('WITHDRAW', { reason: 'x' }))).toMatch(
      /^The member states are answering on draft version 1: during a member-state round only a manager may withdraw/,
    );
    const { effects, notices } = r.stepNotices(
      ev('WITHDRAW', { reason: 'The partner’s status changed' }, actors.manager),
    );
    // the machine only records who owed an answer; the kernel's transition notices tell them, once
    expect(effects).toEqual([]);
    const toStates = notices.filter((n) => n.audience.memberStates);
    expect(toStates).toHaveLength(1);
    expect(toStates[0]).toMatchObject({
      topic: 'withdrawn',
      audience: { memberStates: MEMBER_STATES.filter((s) => s !== 'CN') },
      data: { reason: 'The partner’s status changed', draftVersion: 1 },
    });
    expect(toStates[0].subject).toMatch(/on draft version 1 was awaited: no answer is needed any more$/);
    const toOfficers = notices.filter((n) => n.audience.procedureOfficers);
    expect(toOfficers).toHaveLength(1);
    expect(toOfficers[0]).toMatchObject({ topic: 'withdrawn', data: { reason: 'The partner’s status changed' } });
    expect(statePaths(r.s)).toEqual(['withdrawn']);
    expect(r.s.context.withdrawal).toMatchObject({ reason: 'The partner’s status changed', by: 'manager-1' });
    expect(lastRound(r.s.context.rounds)).toMatchObject({
      outcome: 'superseded',
      positions: { CN: { kind: 'agree' } },
    });
  });

  describe('one open 1(e) per memorandum', () => {
    it('a second adoption adds its basis to the open 1(e) in any open stage, once, and tells the legal officers', () => {
      const r = toConsensus();
      const effects = r.step(ev('ADD_BASIS', { ...regulationBasis, procedureId: ADOPTING }, actors.system));
      // a recorded event, not a change of stage: the round goes on
      expect(statePaths(r.s)).toEqual(['consensus']);
      expect(lastRound(r.s.context.rounds)?.outcome).toBe('open');
      expect(r.s.context.basis).toEqual(basis);
      expect(r.s.context.bases).toEqual([
        { ...basis, procedureId: null, addedAt: T0 },
        { ...regulationBasis, procedureId: ADOPTING, addedAt: T0 },
      ]);
      expect(effects).toHaveLength(1);
      expect(effects[0]).toMatchObject({ type: 'effect.notify', kind: 'info', audience: { roles: ['legal_officer'] } });
      expect((effects[0] as { subject: string }).subject).toMatch(
        /Regulation adopted by decision CFM-7 of 2025-01-02 also affects the memorandum with TR/,
      );
      // the same adoption delivered again is refused with its reason (the cascade records it)
      expect(r.refuse(ev('ADD_BASIS', { ...regulationBasis, procedureId: ADOPTING }, actors.system))).toBe(
        'The Regulation adopted by decision CFM-7 of 2025-01-02 is already a basis of this procedure.',
      );
      allAgree(r, 1);
      r.step(ev('SEND_TO_PARTNER', { draftVersion: 1 }));
      r.step(ev('PARTNER_ACCEPTED', { draftVersion: 1 }));
      r.step(ev('SIGNED', signed(1)));
      r.step(ev('ENTERED_INTO_FORCE', { mode: 'on_signature', date: '2025-01-05' }));
      expect(def.output?.(r.s.context, 'in_force')).toMatchObject({
        bases: [
          expect.objectContaining({ document: 'model_memorandum' }),
          expect.objectContaining({ document: 'regulation' }),
        ],
      });
    });

    it('a 1(e) started by hand without a basis gains one from an adoption, and with it the silence procedure', () => {
      const r = run({ partner: 'LK', memorandumId: 'mem-LK', basis: null, startedBy: 'officer-1', startedAt: T0 });
      expect(r.s.context.bases).toEqual([]);
      r.step(ev('ADD_BASIS', { ...regulationBasis, procedureId: ADOPTING }, actors.system));
      expect(r.s.context.basis).toEqual(regulationBasis);
      r.step(ev('COMPLETE_GAP_ANALYSIS', { findings: 'f', provisions: ['art. 1'] }));
      r.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
      r.step(ev('APPROVE_REVIEW', {}, actors.reviewer));
      expect(lastRound(r.s.context.rounds)?.silenceProcedure).toBe(true);
    });

    it('a closed 1(e) takes no basis, and only the system delivers one', () => {
      const r = toConsensus();
      r.step(ev('WITHDRAW', { reason: 'Superseded' }, actors.manager));
      expect(r.s.status).toBe('done');
      expect(acceptedEventTypes(def, r.s)).toEqual([]);
      expect(def.events.ADD_BASIS.roles).toEqual(['system']);
    });
  });
});
