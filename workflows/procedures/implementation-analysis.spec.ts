import type { SnapshotFrom } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { lastRound } from '../kernel/consensus';
import { isReviewed } from '../kernel/review';
import { acceptedEventTypes, dynamicDeadlines, effectsOf, explainRefusal, statePaths } from '../kernel/inspect';
import { actors, eventsOf, explore, MEMBER_STATES, MEMORANDA, T0, world } from '../kernel/testing';
import type { Actor, NotifyEffect } from '../kernel/types';
import { implementationAnalysis as def } from './implementation-analysis';
import { analysisEvents, type AnalysisEvent } from './implementation-analysis';

type Snapshot = SnapshotFrom<typeof def.machine>;

const ev = eventsOf(analysisEvents);

const input = { title: 'Implementation of the memoranda, 2009-2024', startedBy: 'officer-1', startedAt: T0 };
const officer = (id: string): Actor => ({ id, role: 'legal_officer', memberState: null, actingFor: null });
const DUE = '2025-03-01';

/** SCOPE over every memorandum in force, memorandum i assigned to officer-(i+1). */
const scopeAll = (assignee: (i: number) => string = () => 'officer-1') =>
  ev('SCOPE', {
    criteria: ['Regular contacts held', 'Areas of cooperation implemented'],
    assignments: MEMORANDA.map((m, i) => ({ memorandumId: m.memorandumId, assignee: assignee(i), dueAt: DUE })),
  });
const submit = (memorandumId: string, by: string, findings: ReturnType<typeof finding>[] = []) =>
  ev('ASSESSMENT_SUBMITTED', { memorandumId, findings }, officer(by));
const finding = (id: string, suggestedMeasure: '1(c)' | '1(d)' | '1(e)' | null = '1(e)') => ({
  id,
  text: `Finding ${id}`,
  severity: 'medium' as const,
  suggestedMeasure,
});

function driver() {
  let [s] = initialTransition(def.machine, input);
  const api = {
    get s() {
      return s;
    },
    get c() {
      return s.context;
    },
    step(e: AnalysisEvent) {
      const [n, actions] = transition(def.machine, s, e);
      s = n;
      return effectsOf(actions);
    },
    refusal(e: AnalysisEvent) {
      expect(s.can(e)).toBe(false);
      return explainRefusal(def, s, e);
    },
    paths: () => statePaths(s),
  };
  return api;
}

/** Scoped, every assessment in (with one finding each), at consolidation. */
function atConsolidation() {
  const d = driver();
  d.step(scopeAll());
  for (const m of MEMORANDA)
    d.step(submit(m.memorandumId, 'officer-1', [finding(`F-${m.partner}`, m.partner === 'LK' ? null : '1(e)')]));
  expect(d.paths()).toEqual(['consolidation']);
  return d;
}

/** Consolidated version 1, reviewed, every state answered: at finalisation. */
function atFinalisation() {
  const d = atConsolidation();
  d.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
  d.step(ev('APPROVE_REVIEW', {}, actors.reviewer));
  for (const st of MEMBER_STATES)
    d.step(
      ev(
        'RESPOND',
        { draftVersion: 1, comments: st === 'CN' ? 'Para. 4: add the 2023 memoranda' : null },
        actors.approver(st),
      ),
    );
  expect(d.paths()).toEqual(['finalisation']);
  return d;
}

function eventsFor(s: Snapshot) {
  const c = s.context;
  const v = c.draftVersion ?? 1;
  const out: AnalysisEvent[] = [
    scopeAll(),
    ev('SUBMIT_FOR_REVIEW', { draftVersion: v }),
    ev('APPROVE_REVIEW', {}, actors.reviewer),
    ev('RETURN_TO_CONSOLIDATION', { reason: 'Section 2 lacks the 2023 memoranda' }, actors.reviewer),
    ev('CONFIRM_CHANGES', { draftVersion: v + 1 }, actors.reviewer),
    ev('RECIRCULATE', { draftVersion: v + 1 }),
    ev('SUBMIT_FOR_APPROVAL', { draftVersion: v }),
    ev('SUBMIT_FOR_APPROVAL', { draftVersion: v + 1, consolidation: true }),
    ev('WITHDRAW', { reason: 'Superseded by the 2025 partner status' }, actors.manager),
    ev('REMINDER', { deadlineKey: statePaths(s)[0], daysBefore: 7 }, actors.system),
    ev('DEADLINE_PASSED', { deadlineKey: statePaths(s)[0] }, actors.system),
    ev('CLOSE_ROUND', { reason: 'The round cannot reach consensus' }, actors.manager),
    ev('MEMBERSHIP_CHANGED', { reason: 'Membership changed' }, actors.system),
  ];
  const open = Object.values(c.assessments).filter((a) => a.status !== 'submitted');
  if (open[0]) {
    const a = open[0];
    out.push(
      submit(a.memorandumId, a.assignee, [finding(`F-${a.partner}`)]),
      ev(
        'REASSIGN_ASSESSMENT',
        { memorandumId: a.memorandumId, assignee: 'officer-3', dueAt: '2025-04-01' },
        actors.manager,
      ),
      ev('REMINDER', { deadlineKey: `assessment:${a.memorandumId}`, daysBefore: 7 }, actors.system),
      ev('DEADLINE_PASSED', { deadlineKey: `assessment:${a.memorandumId}` }, actors.system),
    );
  }
  const comments = c.commentRounds[c.commentRounds.length - 1];
  if (comments && !comments.closedAt) {
    const pending = comments.electorate.filter((x) => !comments.responses[x]);
    if (pending[0])
      out.push(ev('RESPOND', { draftVersion: v, comments: 'Para. 2: wording' }, actors.approver(pending[0])));
  }
  const round = lastRound(c.rounds);
  if (round && round.outcome === 'open') {
    const pending = round.electorate.filter((x) => !round.positions[x]);
    if (pending[0]) {
      out.push(ev('POSITION', { draftVersion: v, kind: 'agree' }, actors.approver(pending[0])));
      if (pending.length === 3)
        out.push(
          ev(
            'POSITION',
            { draftVersion: v, kind: 'agree_with_reservation', text: 'Reservation on para. 4' },
            actors.approver(pending[0]),
          ),
        );
      if (pending.length === 2)
        out.push(
          ev(
            'POSITION',
            { draftVersion: v, kind: 'object', text: 'Para. 5 unacceptable' },
            actors.approver(pending[0]),
          ),
        );
    }
  }
  return out;
}

const abstract = (s: Snapshot) => {
  const c = s.context;
  if (statePaths(s)[0] === 'assessments') {
    const as = Object.values(c.assessments);
    return [
      as.filter((a) => a.status === 'submitted').length,
      as.filter((a) => a.status === 'overdue').length,
      as.some((a) => a.assignments.length > 1),
    ];
  }
  const cr = c.commentRounds[c.commentRounds.length - 1];
  const r = lastRound(c.rounds);
  return [
    Math.min(c.commentRounds.length, 2),
    cr && !cr.closedAt ? Object.keys(cr.responses).length : -1,
    Math.min(c.rounds.length, 2),
    r && r.outcome === 'open' ? Object.keys(r.positions).length : -1,
    r && r.outcome === 'open' ? Object.values(r.positions).some((p) => p.kind === 'object') : false,
    r?.outcome,
    isReviewed(c.reviews, (c.draftVersion ?? 1) + 1),
  ];
};

describe('implementation-analysis', () => {
  it('is measure 1(a) with every state labelled in the three languages', () => {
    expect(def.id).toBe('implementation-analysis');
    expect(def.measure).toBe('1(a)');
    for (const [, node] of Object.entries(def.machine.root.states)) {
      const meta = node.meta as { label: Record<string, string>; responsible: string };
      expect(meta.label.en && meta.label.ru && meta.label.zh).toBeTruthy();
      expect(meta.responsible).toBeTruthy();
    }
  });

  it('reaches every state and fires every declared transition', () => {
    const x = explore(def, input, eventsFor, abstract);
    expect(x.unreached).toEqual([]);
    expect(x.unfired).toEqual([]);
    expect([...x.reachedFinals].sort()).toEqual(['completed', 'withdrawn']);
  });

  describe('scoping', () => {
    it('takes every memorandum in force by default, each with its own assignee and due date', () => {
      const d = driver();
      d.step(scopeAll((i) => `officer-${i + 1}`));
      expect(d.paths()).toEqual(['assessments']);
      expect(d.c.scope).toMatchObject({
        criteria: ['Regular contacts held', 'Areas of cooperation implemented'],
        memoranda: MEMORANDA.map((m) => m.memorandumId),
        by: 'officer-1',
        at: T0,
      });
      expect(
        Object.values(d.c.assessments).map((a) => [a.memorandumId, a.partner, a.assignee, a.dueAt, a.status]),
      ).toEqual(
        MEMORANDA.map((m, i) => [
          m.memorandumId,
          m.partner,
          `officer-${i + 1}`,
          '2025-03-01T23:59:59.999Z',
          'assigned',
        ]),
      );
    });

    it('takes only the memoranda named', () => {
      const d = driver();
      d.step(
        ev('SCOPE', {
          criteria: ['c'],
          memoranda: ['mem-TR'],
          assignments: [{ memorandumId: 'mem-TR', assignee: 'officer-2', dueAt: '2025-02-15T16:00:00+08:00' }],
        }),
      );
      expect(Object.keys(d.c.assessments)).toEqual(['mem-TR']);
      expect(d.c.assessments['mem-TR'].dueAt).toBe('2025-02-15T08:00:00.000Z');
    });

    it.each([
      [
        'a memorandum not in force',
        { memoranda: ['mem-LA'], assignments: [{ memorandumId: 'mem-LA', assignee: 'officer-1', dueAt: DUE }] },
        /mem-LA: not among the memoranda in force/,
      ],
      [
        'a memorandum without assessor',
        { assignments: [{ memorandumId: 'mem-LK', assignee: 'officer-1', dueAt: DUE }] },
        /No assessor is assigned to mem-TR \(TR\), mem-AM \(AM\), mem-AZ \(AZ\)/,
      ],
      [
        'an assignment outside the scope',
        {
          memoranda: ['mem-TR'],
          assignments: [
            { memorandumId: 'mem-TR', assignee: 'o', dueAt: DUE },
            { memorandumId: 'mem-AM', assignee: 'o', dueAt: DUE },
          ],
        },
        /mem-AM: assigned but not in the scope/,
      ],
      [
        'a due date already passed',
        { memoranda: ['mem-TR'], assignments: [{ memorandumId: 'mem-TR', assignee: 'o', dueAt: '2025-01-05' }] },
        /would be due before now/,
      ],
    ])('refuses %s', (_label, payload, reason) => {
      const d = driver();
      expect(d.refusal(ev('SCOPE', { criteria: ['c'], ...payload }))).toMatch(reason);
    });

    it('refuses when no memorandum is in force', () => {
      const d = driver();
      expect(
        // The schema refuses an empty assignment list; the machine's own rule is checked with an event built by hand.
        d.refusal({
          type: 'SCOPE',
          payload: { criteria: ['c'], assignments: [] },
          actor: actors.officer,
          at: T0,
          world: { ...world, memoranda: [] },
        }),
      ).toBe('There is no memorandum to assess.');
    });
  });

  describe('assessments', () => {
    it('gives one dynamic deadline per open assessment, and drops each as it is submitted', () => {
      const d = driver();
      expect(dynamicDeadlines(def, d.s)).toEqual([]);
      d.step(scopeAll((i) => `officer-${i + 1}`));
      expect(dynamicDeadlines(def, d.s)).toEqual(
        MEMORANDA.map((m, i) => ({
          key: `assessment:${m.memorandumId}`,
          label: {
            en: `Assessment of the memorandum with ${m.partner}`,
            ru: `Оценка выполнения меморандума с партнёром ${m.partner}`,
            zh: `评估与${m.partner}签署的备忘录的执行情况`,
          },
          dueAt: '2025-03-01T23:59:59.999Z',
          remindBefore: [7, 1],
          escalateTo: ['manager'],
          responsible: 'legal_officer',
          assignee: `officer-${i + 1}`,
        })),
      );
      d.step(submit('mem-TR', 'officer-2'));
      expect(dynamicDeadlines(def, d.s).map((x) => x.key)).toEqual([
        'assessment:mem-LK',
        'assessment:mem-AM',
        'assessment:mem-AZ',
      ]);
    });

    it('accepts an assessment only from its assignee, once, with finding ids not used elsewhere', () => {
      const d = driver();
      d.step(scopeAll((i) => `officer-${i + 1}`));
      expect(d.refusal(submit('mem-TR', 'officer-1'))).toBe(
        'Only the assigned officer (officer-2) can submit the assessment of mem-TR.',
      );
      expect(d.refusal(submit('mem-XX', 'officer-1'))).toBe('mem-XX is not assessed in this analysis.');
      d.step(submit('mem-TR', 'officer-2', [finding('F1', '1(c)')]));
      expect(d.c.assessments['mem-TR']).toMatchObject({
        status: 'submitted',
        submittedBy: 'officer-2',
        submittedAt: T0,
        findings: [finding('F1', '1(c)')],
      });
      expect(d.refusal(submit('mem-TR', 'officer-2'))).toMatch(
        /^The assessment of mem-TR was already submitted by officer-2/,
      );
      expect(d.refusal(submit('mem-LK', 'officer-1', [finding('F1')]))).toBe(
        'Finding id F1 is already used in the assessment of mem-TR: give it another id.',
      );
    });

    it('reminds the assignee, escalates to the managers once, and a reassignment sets a new deadline', () => {
      const d = driver();
      d.step(scopeAll((i) => `officer-${i + 1}`));
      const [reminder] = d.step(
        ev('REMINDER', { deadlineKey: 'assessment:mem-AM', daysBefore: 7 }, actors.system),
      ) as NotifyEffect[];
      expect(reminder).toMatchObject({
        type: 'effect.notify',
        kind: 'reminder',
        audience: { userIds: ['officer-3'] },
        data: { memorandumId: 'mem-AM' },
      });
      expect(reminder.subject).toMatch(/memorandum with AM .* due in 7 day/);

      const [escalation] = d.step(
        ev('DEADLINE_PASSED', { deadlineKey: 'assessment:mem-AM' }, actors.system),
      ) as NotifyEffect[];
      expect(escalation).toMatchObject({
        kind: 'escalation',
        audience: { roles: ['manager'] },
        data: { memorandumId: 'mem-AM', assignee: 'officer-3', dueAt: '2025-03-01T23:59:59.999Z' },
      });
      expect(d.c.assessments['mem-AM'].status).toBe('overdue');
      // still open: listed with its passed due date, so the dashboards show it overdue
      expect(dynamicDeadlines(def, d.s).find((x) => x.key === 'assessment:mem-AM')?.dueAt).toBe(
        '2025-03-01T23:59:59.999Z',
      );
      expect(d.refusal(ev('DEADLINE_PASSED', { deadlineKey: 'assessment:mem-AM' }, actors.system))).toMatch(
        /already overdue and the managers were told/,
      );

      expect(
        d.refusal(
          ev(
            'REASSIGN_ASSESSMENT',
            { memorandumId: 'mem-AM', assignee: 'officer-9', dueAt: '2025-01-01' },
            actors.manager,
          ),
        ),
      ).toBe('The new due date of mem-AM must lie ahead.');
      d.step(
        ev(
          'REASSIGN_ASSESSMENT',
          { memorandumId: 'mem-AM', assignee: 'officer-9', dueAt: '2025-04-01' },
          actors.manager,
        ),
      );
      const a = d.c.assessments['mem-AM'];
      expect(a).toMatchObject({ assignee: 'officer-9', dueAt: '2025-04-01T23:59:59.999Z', status: 'assigned' });
      expect(a.assignments.map((x) => x.assignee)).toEqual(['officer-3', 'officer-9']);
      expect(dynamicDeadlines(def, d.s).find((x) => x.key === 'assessment:mem-AM')).toMatchObject({
        dueAt: '2025-04-01T23:59:59.999Z',
        assignee: 'officer-9',
      });
      const [again] = d.step(
        ev('REMINDER', { deadlineKey: 'assessment:mem-AM', daysBefore: 1 }, actors.system),
      ) as NotifyEffect[];
      expect(again.audience).toEqual({ userIds: ['officer-9'] });
      // the previous assignee can no longer submit it
      expect(d.refusal(submit('mem-AM', 'officer-3'))).toMatch(/Only the assigned officer \(officer-9\)/);
      expect(
        d.refusal(
          ev(
            'REASSIGN_ASSESSMENT',
            { memorandumId: 'mem-AM', assignee: 'officer-9', dueAt: '2025-04-01' },
            actors.manager,
          ),
        ),
      ).toMatch(/already assigned to officer-9/);
    });

    it('refuses deadlines that belong to no open assessment', () => {
      const d = driver();
      d.step(scopeAll());
      d.step(submit('mem-TR', 'officer-1'));
      expect(d.refusal(ev('REMINDER', { deadlineKey: 'assessment:mem-TR', daysBefore: 1 }, actors.system))).toBe(
        'The assessment of mem-TR is already submitted.',
      );
      expect(d.refusal(ev('DEADLINE_PASSED', { deadlineKey: 'assessment:mem-XX' }, actors.system))).toMatch(
        /does not belong to an assessment/,
      );
      expect(d.refusal(ev('DEADLINE_PASSED', { deadlineKey: 'internal_review' }, actors.system))).toMatch(
        /does not belong to an assessment/,
      );
      expect(
        d.refusal(
          ev(
            'REASSIGN_ASSESSMENT',
            { memorandumId: 'mem-TR', assignee: 'officer-2', dueAt: '2025-04-01' },
            actors.manager,
          ),
        ),
      ).toMatch(/already submitted; it cannot be reassigned/);
    });

    it('moves to consolidation by itself when the last assessment is in, with no deadline left', () => {
      const d = atConsolidation();
      expect(dynamicDeadlines(def, d.s)).toEqual([]);
      expect(acceptedEventTypes(def, d.s)).toEqual(['SUBMIT_FOR_REVIEW', 'WITHDRAW']);
    });
  });

  describe('linking findings to 1(c)-(e)', () => {
    it('findings link from either side at any time: a link is not a machine event, in no stage, completed included', () => {
      const d = atConsolidation();
      expect(Object.keys(def.events)).not.toContain('LINK_FINDING');
      expect(acceptedEventTypes(def, d.s)).not.toContain('LINK_FINDING');
      // the engine links from the findings the definition lists, with the memorandum each came from
      expect(def.findings!(d.c).map((f) => [f.id, f.memorandumId, f.suggestedMeasure])).toEqual([
        ['F-LK', 'mem-LK', null],
        ['F-TR', 'mem-TR', '1(e)'],
        ['F-AM', 'mem-AM', '1(e)'],
        ['F-AZ', 'mem-AZ', '1(e)'],
      ]);
      expect(def.findings!(d.c)[1].text).toEqual(expect.any(String));
      const out = def.output!(d.c, 'completed') as { findings: { id: string }[] };
      expect(out.findings.map((f) => f.id)).toEqual(['F-LK', 'F-TR', 'F-AM', 'F-AZ']);
    });

    it('lists no finding before any assessment is submitted', () => {
      const d = driver();
      d.step(scopeAll());
      expect(def.findings!(d.c)).toEqual([]);
    });
  });

  describe('review, comments and approval', () => {
    it('applies four-eyes in internal review, with reminders to officers and escalation to managers', () => {
      const d = atConsolidation();
      d.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
      expect(d.refusal(ev('APPROVE_REVIEW'))).toBe(
        'Four-eyes rule: the officer who drafted this version cannot review it.',
      );
      expect(d.refusal(ev('RETURN_TO_CONSOLIDATION', { reason: 'x' }))).toMatch(/Four-eyes/);
      expect(d.step(ev('REMINDER', { deadlineKey: 'internal_review', daysBefore: 2 }, actors.system))).toMatchObject([
        { kind: 'reminder', audience: { roles: ['legal_officer'] } },
      ]);
      expect(d.step(ev('DEADLINE_PASSED', { deadlineKey: 'internal_review' }, actors.system))).toMatchObject([
        { kind: 'escalation', audience: { roles: ['manager'] } },
      ]);
      expect(d.refusal(ev('DEADLINE_PASSED', { deadlineKey: 'comments' }, actors.system))).toBe(
        'This deadline (comments) does not belong to the current stage.',
      );
      d.step(ev('RETURN_TO_CONSOLIDATION', { reason: 'Add the criteria table' }, actors.reviewer));
      expect(d.paths()).toEqual(['consolidation']);
      expect(d.c.reviews).toEqual([
        {
          draftVersion: 1,
          by: 'officer-2',
          at: T0,
          decision: 'returned',
          reason: 'Add the criteria table',
          kind: 'review',
        },
      ]);
    });

    it('reminds the states that have not commented and tells the managers who stayed silent', () => {
      const d = atConsolidation();
      d.step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
      d.step(ev('APPROVE_REVIEW', {}, actors.reviewer));
      expect(d.paths()).toEqual(['comments']);
      d.step(ev('RESPOND', { draftVersion: 1 }, actors.approver('RU')));
      expect(d.refusal(ev('RESPOND', { draftVersion: 1 }, actors.approver('RU')))).toBe(
        'RU has already answered this round of comments.',
      );
      expect(d.refusal(ev('RESPOND', { draftVersion: 2 }, actors.approver('CN')))).toMatch(
        /on version 1; an answer on version 2/,
      );
      const [reminder] = d.step(
        ev('REMINDER', { deadlineKey: 'comments', daysBefore: 7 }, actors.system),
      ) as NotifyEffect[];
      expect(reminder.audience.memberStates).toEqual(MEMBER_STATES.filter((s) => s !== 'RU'));
      const [escalation] = d.step(ev('DEADLINE_PASSED', { deadlineKey: 'comments' }, actors.system)) as NotifyEffect[];
      expect(escalation).toMatchObject({
        kind: 'escalation',
        audience: { roles: ['manager'] },
        data: { unanswered: MEMBER_STATES.filter((s) => s !== 'RU') },
      });
      expect(d.paths()).toEqual(['finalisation']);
      expect(d.c.commentRounds[0]).toMatchObject({ closedAt: T0, unanswered: MEMBER_STATES.filter((s) => s !== 'RU') });
    });

    it('returns the final information on one objection, refuses it unchanged, and completes on consensus', () => {
      const d = atFinalisation();
      d.step(ev('CONFIRM_CHANGES', { draftVersion: 2 }, actors.reviewer));
      d.step(ev('SUBMIT_FOR_APPROVAL', { draftVersion: 2, consolidation: true }));
      expect(d.paths()).toEqual(['approval']);
      const [reminder] = d.step(
        ev('REMINDER', { deadlineKey: 'approval', daysBefore: 1 }, actors.system),
      ) as NotifyEffect[];
      expect(reminder).toMatchObject({ kind: 'reminder', audience: { memberStates: MEMBER_STATES } });
      d.step(ev('POSITION', { draftVersion: 2, kind: 'agree' }, actors.approver('BY')));
      const [escalation] = d.step(ev('DEADLINE_PASSED', { deadlineKey: 'approval' }, actors.system)) as NotifyEffect[];
      expect(escalation).toMatchObject({
        kind: 'escalation',
        audience: { roles: ['manager'] },
        data: { pending: MEMBER_STATES.filter((s) => s !== 'BY') },
      });
      expect(d.paths()).toEqual(['approval']);
      expect(d.refusal(ev('POSITION', { draftVersion: 2, kind: 'agree' }, actors.approver('BY')))).toMatch(
        /BY already holds this position/,
      );
      d.step(
        ev(
          'POSITION',
          { draftVersion: 2, kind: 'object', text: 'Para. 5 misstates the 2013 memorandum' },
          actors.approver('KZ'),
        ),
      );
      expect(d.paths()).toEqual(['finalisation']);
      expect(d.refusal(ev('SUBMIT_FOR_APPROVAL', { draftVersion: 2 }))).toBe(
        'Version 2 was objected to by KZ ("Para. 5 misstates the 2013 memorandum"): submit a new version.',
      );
      d.step(ev('CONFIRM_CHANGES', { draftVersion: 3 }, actors.reviewer));
      d.step(ev('SUBMIT_FOR_APPROVAL', { draftVersion: 3, consolidation: true }));
      expect(d.c.rounds.map((r) => [r.number, r.draftVersion, r.outcome])).toEqual([
        [1, 2, 'objected'],
        [2, 3, 'open'],
      ]);
      for (const st of MEMBER_STATES) d.step(ev('POSITION', { draftVersion: 3, kind: 'agree' }, actors.approver(st)));
      expect(d.s.status).toBe('done');
      expect(d.paths()).toEqual(['completed']);
      expect(d.c.completedAt).toBe(T0);
      expect(def.output!(d.c, 'completed')).toMatchObject({
        finalState: 'completed',
        finalVersion: 3,
        memoranda: MEMORANDA.map((m) => m.memorandumId),
      });
    });

    it('every version sent to the member states was reviewed: a new version goes out only after another officer confirms its changes', () => {
      const d = atFinalisation();
      expect(d.refusal(ev('RECIRCULATE', { draftVersion: 2 }))).toBe(
        'Version 2 has not been reviewed: another legal officer, who wrote none of its changes, must confirm them (CONFIRM_CHANGES) before it goes to the member states.',
      );
      expect(d.refusal(ev('SUBMIT_FOR_APPROVAL', { draftVersion: 2, consolidation: true }))).toMatch(
        /Version 2 has not been reviewed/,
      );
      // officer-1 wrote versions 1 and 2; version 1 was reviewed, version 2 is theirs
      expect(d.refusal(ev('CONFIRM_CHANGES', { draftVersion: 2 }))).toBe(
        'Four-eyes rule: you wrote or edited draft version 2 since the last reviewed version, so you cannot review version 2; another legal officer must.',
      );
      d.step(ev('CONFIRM_CHANGES', { draftVersion: 2 }, actors.reviewer));
      expect(d.c.reviews.map((r) => [r.draftVersion, r.by, r.kind])).toEqual([
        [1, 'officer-2', 'review'],
        [2, 'officer-2', 'confirm_changes'],
      ]);
      // the states never saw version 2: it goes for approval only marked as the consolidation of their comments
      expect(d.refusal(ev('SUBMIT_FOR_APPROVAL', { draftVersion: 2 }))).toBe(
        'Version 2 was never circulated to the member states (they have seen version 1): circulate it, or mark it as the consolidation of their comments (consolidation: true).',
      );
      d.step(ev('SUBMIT_FOR_APPROVAL', { draftVersion: 2, consolidation: true }));
      expect(d.paths()).toEqual(['approval']);
    });

    it('recirculates only a newer version', () => {
      const d = atFinalisation();
      expect(d.refusal(ev('RECIRCULATE', { draftVersion: 1 }))).toBe(
        'A new round needs a new draft version: version 1 was already circulated.',
      );
      d.step(ev('CONFIRM_CHANGES', { draftVersion: 2 }, actors.reviewer));
      d.step(ev('RECIRCULATE', { draftVersion: 2 }));
      expect(d.paths()).toEqual(['comments']);
      expect(d.c.commentRounds.map((r) => r.draftVersion)).toEqual([1, 2]);
    });
  });

  it('can be withdrawn while assessments run; its deadlines end with it', () => {
    const d = driver();
    d.step(scopeAll());
    d.step(ev('WITHDRAW', { reason: 'Postponed by the Council of Foreign Ministers' }, actors.manager));
    expect(d.paths()).toEqual(['withdrawn']);
    expect(d.c.withdrawal).toEqual({
      reason: 'Postponed by the Council of Foreign Ministers',
      by: 'manager-1',
      at: T0,
    });
    expect(dynamicDeadlines(def, d.s)).toEqual([]);
    expect(def.output!(d.c, 'withdrawn')).toMatchObject({ finalState: 'withdrawn', finalVersion: null });
  });

  it('validates its payloads', () => {
    const ok = def.events.SCOPE.payload.safeParse({
      criteria: ['c'],
      assignments: [{ memorandumId: 'mem-TR', assignee: 'officer-1', dueAt: '2025-03-01' }],
    });
    expect(ok.success).toBe(true);
    expect(
      def.events.SCOPE.payload.safeParse({
        criteria: ['c'],
        assignments: [{ memorandumId: 'mem-TR', assignee: 'o', dueAt: 'next week' }],
      }).success,
    ).toBe(false);
    expect(
      def.events.SCOPE.payload.safeParse({
        criteria: ['c'],
        assignments: [
          { memorandumId: 'mem-TR', assignee: 'o', dueAt: DUE },
          { memorandumId: 'mem-TR', assignee: 'p', dueAt: DUE },
        ],
      }).success,
    ).toBe(false);
    expect(
      def.events.ASSESSMENT_SUBMITTED.payload.safeParse({
        memorandumId: 'mem-TR',
        findings: [{ ...finding('F1'), suggestedMeasure: '1(f)' }],
      }).success,
    ).toBe(false);
    expect(
      def.events.ASSESSMENT_SUBMITTED.payload.safeParse({
        memorandumId: 'mem-TR',
        findings: [finding('F1'), finding('F1')],
      }).success,
    ).toBe(false);
  });
});
