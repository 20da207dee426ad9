import type { SnapshotFrom } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { lastRound, reservations } from '../kernel/consensus';
import { acceptedEventTypes, activeStateMeta, effectsOf, explainRefusal, statePaths } from '../kernel/inspect';
import { actors, eventsOf, explore, MEMBER_STATES, T0 } from '../kernel/testing';
import { isReviewed } from '../kernel/review';
import { reenteredStates } from '../kernel/xstate-fence';
import { interactionPlan as def } from './interaction-plan';
import { interactionPlanEvents, type InteractionPlanEvent } from './interaction-plan';

type Snapshot = SnapshotFrom<typeof def.machine>;

const ev = eventsOf(interactionPlanEvents);

const input = { partner: 'AZ', title: 'Interaction plan 2025-2027', startedBy: 'officer-1', startedAt: T0 };
const activities = [
  {
    id: 'a1',
    direction: 2 as const,
    title: 'Meeting of the Council of National Coordinators with the partner’s representatives',
  },
  { id: 'a2', direction: 3 as const, title: 'Seminar on transport connectivity', due: '2025-10-01' },
  { id: 'a3', direction: 4 as const, title: 'Briefing by the RATS Executive Committee' },
];
const review = (
  status: 'not_started' | 'in_progress' | 'done' | 'postponed' | 'cancelled',
  ids = ['a1', 'a2', 'a3'],
) => ({
  statuses: ids.map((activityId) => ({ activityId, status })),
});

function eventsFor(s: Snapshot) {
  const c = s.context;
  const v = c.draftVersion ?? 1;
  const key = statePaths(s)[0];
  const out: InteractionPlanEvent[] = [
    ev('SEND_TO_PARTNER', { draftVersion: c.draftVersion === null ? 1 : v + 1, activities }),
    ev('PARTNER_AGREED', { draftVersion: v }),
    ev('PARTNER_COMMENTS', { draftVersion: v, comments: 'Add a youth forum' }),
    ev('RETURN_TO_DRAFTING', { reason: 'Take up the partner’s comments' }),
    ev('CONFIRM_CHANGES', { draftVersion: v }, actors.reviewer),
    ev('SUBMIT_TO_COORDINATORS', { draftVersion: v }),
    ev('START_IMPLEMENTATION'),
    ev('PROGRESS_REVIEW', review('in_progress')),
    ev('PROGRESS_REVIEW', review('done')),
    ev('COMPLETE', { summary: 'All activities held' }),
    ev('WITHDRAW', { reason: 'Superseded' }, actors.manager),
    ev('REMINDER', { deadlineKey: key, daysBefore: 14 }, actors.system),
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
            { draftVersion: v, kind: 'agree_with_reservation', text: 'Reservation on a2' },
            actors.approver(pending[0]),
          ),
        );
      if (pending.length === 2)
        out.push(
          ev('POSITION', { draftVersion: v, kind: 'object', text: 'a3 out of scope' }, actors.approver(pending[0])),
        );
    }
  }
  return out;
}

const abstract = (s: Snapshot) => {
  const c = s.context;
  const r = lastRound(c.rounds);
  const x = c.consultations[c.consultations.length - 1];
  const answer = x?.answers[x.answers.length - 1];
  const lastReview = c.progressReviews[c.progressReviews.length - 1];
  return [
    Math.min(c.consultations.length, 2),
    answer?.kind,
    Math.min(c.rounds.length, 2),
    r ? Object.keys(r.positions).length : -1,
    r ? Object.values(r.positions).some((p) => p.kind === 'object') : false,
    r?.outcome,
    r?.silenceProcedure,
    Math.min(c.progressReviews.length, 2),
    lastReview ? lastReview.statuses.a1.status : null,
    isReviewed(c.reviews, c.draftVersion ?? 0),
  ];
};

function run(start: typeof input = input) {
  let [s] = initialTransition(def.machine, start);
  return {
    get s() {
      return s;
    },
    step(e: InteractionPlanEvent) {
      const [n, actions] = transition(def.machine, s, e);
      s = n;
      return effectsOf(actions);
    },
    refuse(e: InteractionPlanEvent) {
      expect(s.can(e)).toBe(false);
      return explainRefusal(def, s, e);
    },
  };
}

function toConsensus() {
  const r = run();
  r.step(ev('SEND_TO_PARTNER', { draftVersion: 1, activities }));
  r.step(ev('PARTNER_AGREED', { draftVersion: 1 }));
  r.step(ev('CONFIRM_CHANGES', { draftVersion: 1 }, actors.reviewer));
  r.step(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }));
  expect(statePaths(r.s)).toEqual(['coordinators_consensus']);
  return r;
}

function toImplementation() {
  const r = toConsensus();
  for (const st of MEMBER_STATES) r.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st)));
  expect(statePaths(r.s)).toEqual(['approved']);
  r.step(ev('START_IMPLEMENTATION'));
  expect(statePaths(r.s)).toEqual(['in_implementation']);
  return r;
}

describe('interaction-plan (1(f))', () => {
  it('reaches every state, fires every declared transition and reaches every final state', () => {
    const x = explore(def, input, eventsFor, abstract);
    expect(x.unreached).toEqual([]);
    expect(x.unfired).toEqual([]);
    expect([...x.reachedFinals].sort()).toEqual(['completed', 'withdrawn']);
  });

  it('files the plan under its partner and validates the plan', () => {
    expect(def.businessKeys(def.input.parse({ partner: 'AZ' }))).toEqual({
      partner: 'AZ',
      memorandum: null,
      treaty: null,
      subject: '1f:AZ',
    });
    const p = def.events.SEND_TO_PARTNER.payload;
    expect(p.safeParse({ draftVersion: 1, activities }).success).toBe(true);
    expect(p.safeParse({ draftVersion: 1, activities: [] }).success).toBe(false);
    expect(
      p.safeParse({ draftVersion: 1, activities: [{ id: 'a1', direction: 1, title: 'Legal framework' }] }).success,
    ).toBe(false);
    expect(p.safeParse({ draftVersion: 1, activities: [activities[0], { ...activities[1], id: 'a1' }] }).success).toBe(
      false,
    );
    expect(p.safeParse({ draftVersion: 1, activities: [{ ...activities[1], due: '2025-13-01' }] }).success).toBe(false);
    expect(
      def.events.PROGRESS_REVIEW.payload.safeParse({
        statuses: [
          { activityId: 'a1', status: 'done' },
          { activityId: 'a1', status: 'done' },
        ],
      }).success,
    ).toBe(false);
    expect(def.events.COMPLETE.payload.safeParse({}).success).toBe(false);
  });

  it('consults the partner: comments keep it from the coordinators until it agrees, and may return the plan to drafting', () => {
    const r = run();
    r.step(ev('SEND_TO_PARTNER', { draftVersion: 1, activities }));
    expect(statePaths(r.s)).toEqual(['partner_consultation']);
    expect(r.refuse(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }))).toMatch(/AZ has not answered on version 1/);
    expect(r.refuse(ev('PARTNER_COMMENTS', { draftVersion: 2, comments: 'x' }))).toMatch(/consulted on version 1/);
    r.step(ev('PARTNER_COMMENTS', { draftVersion: 1, comments: 'Add a youth forum' }));
    expect(r.refuse(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }))).toMatch(
      /latest answer on version 1 is comments \("Add a youth forum"\)/,
    );
    r.step(ev('RETURN_TO_DRAFTING', { reason: 'Take up the youth forum' }));
    expect(statePaths(r.s)).toEqual(['drafting']);
    expect(r.refuse(ev('SEND_TO_PARTNER', { draftVersion: 1, activities }))).toMatch(
      /Version 1 was returned after the consultation with the partner/,
    );
    const v2 = [...activities, { id: 'a4', direction: 4 as const, title: 'Youth forum' }];
    r.step(ev('SEND_TO_PARTNER', { draftVersion: 2, activities: v2 }));
    r.step(ev('PARTNER_AGREED', { draftVersion: 2 }));
    expect(r.refuse(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }))).toMatch(/Version 2 is the one consulted/);
    r.step(ev('CONFIRM_CHANGES', { draftVersion: 2 }, actors.reviewer));
    r.step(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 2 }));
    expect(statePaths(r.s)).toEqual(['coordinators_consensus']);
    // every version's activities and every answer are kept
    expect(r.s.context.plans.map((p) => [p.draftVersion, p.activities.length])).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(r.s.context.consultations.map((c) => c.answers.map((a) => a.kind))).toEqual([['comments'], ['agreed']]);
  });

  it('every version sent to the member states was reviewed: the coordinators get a plan version confirmed by a second officer who wrote none of it', () => {
    const r = run();
    r.step(ev('SEND_TO_PARTNER', { draftVersion: 1, activities }));
    r.step(ev('PARTNER_AGREED', { draftVersion: 1 }));
    expect(r.refuse(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }))).toMatch(
      /Version 1 has not been reviewed: another legal officer, who wrote none of its changes, must confirm them/,
    );
    // officer-1 saved version 1: confirming it is refused to them
    expect(r.refuse(ev('CONFIRM_CHANGES', { draftVersion: 1 }))).toMatch(
      /Four-eyes rule: you wrote or edited draft version 1/,
    );
    expect(r.refuse(ev('CONFIRM_CHANGES', { draftVersion: 2 }, actors.reviewer))).toMatch(
      /Version 1 is the one consulted with the partner/,
    );
    r.step(ev('CONFIRM_CHANGES', { draftVersion: 1 }, actors.reviewer));
    expect(r.s.context.reviews).toEqual([
      { draftVersion: 1, by: 'officer-2', at: T0, decision: 'approved', reason: null, kind: 'confirm_changes' },
    ]);
    expect(r.refuse(ev('CONFIRM_CHANGES', { draftVersion: 1 }, actors.reviewer))).toMatch(/already been reviewed/);
    r.step(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }));
    expect(statePaths(r.s)).toEqual(['coordinators_consensus']);
  });

  it('reminds the officers and escalates to the managers during the consultation', () => {
    const r = run();
    r.step(ev('SEND_TO_PARTNER', { draftVersion: 1, activities }));
    const [reminder] = r.step(ev('REMINDER', { deadlineKey: 'partner_consultation', daysBefore: 7 }, actors.system));
    expect(reminder).toMatchObject({ kind: 'reminder', audience: { roles: ['legal_officer'] } });
    const [escalation] = r.step(ev('DEADLINE_PASSED', { deadlineKey: 'partner_consultation' }, actors.system));
    expect(escalation).toMatchObject({
      kind: 'escalation',
      audience: { roles: ['manager'] },
      data: { partnerAnswer: null },
    });
    expect(r.refuse(ev('DEADLINE_PASSED', { deadlineKey: 'drafting' }, actors.system))).toMatch(
      /does not belong to the current stage/,
    );
  });

  it('full rounds: keeps reservations, collects every view, and returns the plan with every objection', () => {
    const r = toConsensus();
    r.step(ev('POSITION', { draftVersion: 1, kind: 'agree_with_reservation', text: 'On a2' }, actors.approver('UZ')));
    const [reminder] = r.step(ev('REMINDER', { deadlineKey: 'coordinators_consensus', daysBefore: 7 }, actors.system));
    expect(reminder?.type === 'effect.notify' && reminder.audience).toEqual({
      memberStates: MEMBER_STATES.filter((x) => x !== 'UZ'),
    });
    expect(
      r.refuse(
        ev('POSITION', { draftVersion: 1, kind: 'agree_with_reservation', text: 'On a2' }, actors.approver('UZ')),
      ),
    ).toMatch(/UZ already holds this position/);
    r.step(
      ev('POSITION', { draftVersion: 1, kind: 'object', text: 'a3 is outside the mandate' }, actors.approver('IR')),
    );
    expect(statePaths(r.s)).toEqual(['coordinators_consensus']);
    for (const st of MEMBER_STATES.filter((x) => x !== 'UZ' && x !== 'IR'))
      r.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st)));
    expect(statePaths(r.s)).toEqual(['drafting']);
    expect(lastRound(r.s.context.rounds)).toMatchObject({
      outcome: 'objected',
      objection: { memberState: 'IR', reason: 'a3 is outside the mandate' },
    });
    expect(r.refuse(ev('SEND_TO_PARTNER', { draftVersion: 1, activities }))).toMatch(
      /objected to by a member state \("Objections: IR: a3 is outside the mandate. Reservations: UZ: On a2."\)/,
    );
    r.step(ev('SEND_TO_PARTNER', { draftVersion: 2, activities: activities.slice(0, 2) }));
    r.step(ev('PARTNER_AGREED', { draftVersion: 2 }));
    r.step(ev('CONFIRM_CHANGES', { draftVersion: 2 }, actors.reviewer));
    r.step(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 2 }));
    expect(lastRound(r.s.context.rounds)).toMatchObject({
      number: 2,
      draftVersion: 2,
      positions: {},
      mustAnswer: ['IR'],
    });
    expect(reservations(r.s.context.rounds).map((p) => [p.memberState, p.text])).toEqual([['UZ', 'On a2']]);
    // silence never counts for the state that objected to the previous version: it must answer
    const [info, escalation] = r.step(ev('DEADLINE_PASSED', { deadlineKey: 'coordinators_consensus' }, actors.system));
    expect(info).toMatchObject({ kind: 'info', data: { silent: MEMBER_STATES.filter((x) => x !== 'IR') } });
    expect(escalation).toMatchObject({ kind: 'escalation', data: { pending: ['IR'] } });
    expect(statePaths(r.s)).toEqual(['coordinators_consensus']);
    r.step(ev('POSITION', { draftVersion: 2, kind: 'agree' }, actors.approver('IR')));
    expect(statePaths(r.s)).toEqual(['approved']);
    expect(lastRound(r.s.context.rounds)).toMatchObject({ outcome: 'consensus', settledBySilence: true });
  });

  it('silence as a rule: the coordinators round uses it without any choice, approves at the deadline and records the silent states', () => {
    expect(
      interactionPlanEvents.SUBMIT_TO_COORDINATORS.payload.safeParse({ draftVersion: 1, silenceProcedure: true })
        .success,
    ).toBe(false);
    const r = toConsensus();
    expect(lastRound(r.s.context.rounds)?.silenceProcedure).toBe(true);
    r.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('CN')));
    const [info] = r.step(ev('DEADLINE_PASSED', { deadlineKey: 'coordinators_consensus' }, actors.system));
    expect(info).toMatchObject({
      kind: 'info',
      audience: { roles: ['manager'] },
      data: { silent: MEMBER_STATES.filter((x) => x !== 'CN') },
    });
    expect(statePaths(r.s)).toEqual(['approved']);
    expect(r.s.context.approval).toMatchObject({ draftVersion: 1 });
    expect(r.s.context.rounds[0].positions.KZ).toMatchObject({ kind: 'silence' });
    expect(r.s.context.rounds[0].settledBySilence).toBe(true);
  });

  describe('implementation', () => {
    it('restarts the review period on each progress review by re-entering the state', () => {
      const r = toImplementation();
      expect(r.s.context.period).toEqual({ number: 1, startedAt: T0 });
      const later = '2025-04-01T09:00:00.000Z';
      const e = ev('PROGRESS_REVIEW', review('in_progress'), actors.officer, later);
      // the state value does not change; the engine learns of the restart from the transition taken
      expect(reenteredStates(def.machine, r.s, e)).toEqual(['in_implementation']);
      r.step(e);
      expect(statePaths(r.s)).toEqual(['in_implementation']);
      expect(r.s.context.period).toEqual({ number: 2, startedAt: later });
      expect(r.s.context.progressReviews[0]).toMatchObject({
        number: 1,
        period: 1,
        statuses: { a2: { status: 'in_progress', note: null } },
      });
      // the state still carries its deadline rule, which the engine creates anew on entry
      expect(activeStateMeta(r.s)[0].meta.deadline).toMatchObject({
        days: 90,
        remindBefore: [14, 1],
        escalateTo: ['manager'],
      });
    });

    it('requires a status for every activity of the approved plan and for nothing else', () => {
      const r = toImplementation();
      expect(r.refuse(ev('PROGRESS_REVIEW', review('done', ['a1', 'a2'])))).toBe(
        'The review must give the status of every activity; missing: a3.',
      );
      expect(r.refuse(ev('PROGRESS_REVIEW', review('done', ['a1', 'a2', 'a3', 'a9'])))).toBe(
        'Not activities of the approved plan: a9.',
      );
    });

    it('reminds the responsible officers of the review and escalates a missed one to the managers', () => {
      const r = toImplementation();
      const [reminder] = r.step(ev('REMINDER', { deadlineKey: 'in_implementation', daysBefore: 14 }, actors.system));
      expect(reminder).toMatchObject({
        kind: 'reminder',
        audience: { roles: ['legal_officer'] },
        data: { period: 1, open: ['a1', 'a2', 'a3'] },
      });
      const [escalation] = r.step(ev('DEADLINE_PASSED', { deadlineKey: 'in_implementation' }, actors.system));
      expect(escalation).toMatchObject({ kind: 'escalation', audience: { roles: ['manager'] }, data: { period: 1 } });
      // a missed review does not restart the period; only the review does
      expect(r.s.context.period?.number).toBe(1);
    });

    it('completes only when the latest review leaves no activity open', () => {
      const r = toImplementation();
      expect(acceptedEventTypes(def, r.s)).toEqual([
        'COMPLETE',
        'DEADLINE_PASSED',
        'PROGRESS_REVIEW',
        'REMINDER',
        'WITHDRAW',
      ]);
      expect(r.refuse(ev('COMPLETE', { summary: 'Done' }))).toMatch(/at least one progress review/);
      r.step(
        ev('PROGRESS_REVIEW', {
          statuses: [
            { activityId: 'a1', status: 'done' },
            { activityId: 'a2', status: 'in_progress' },
            { activityId: 'a3', status: 'not_started' },
          ],
        }),
      );
      expect(r.refuse(ev('COMPLETE', { summary: 'Done' }))).toMatch(/still open in the latest progress review: a2, a3/);
      r.step(
        ev('PROGRESS_REVIEW', {
          statuses: [
            { activityId: 'a1', status: 'done' },
            { activityId: 'a2', status: 'postponed', note: 'To the next plan' },
            { activityId: 'a3', status: 'cancelled' },
          ],
        }),
      );
      r.step(
        ev('COMPLETE', { summary: 'Two of three activities held; the seminar moves to the next plan' }, actors.manager),
      );
      expect(r.s.status).toBe('done');
      expect(def.output?.(r.s.context, 'completed')).toMatchObject({
        finalState: 'completed',
        partner: 'AZ',
        progressReviews: 2,
        completion: { by: 'manager-1' },
      });
    });

    it('can be withdrawn during implementation', () => {
      const r = toImplementation();
      r.step(ev('WITHDRAW', { reason: 'Partner status ended' }));
      expect(statePaths(r.s)).toEqual(['withdrawn']);
    });
  });
});
