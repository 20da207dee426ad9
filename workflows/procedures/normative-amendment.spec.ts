import type { SnapshotFrom } from 'xstate';
import { transition, initialTransition } from 'xstate';
import { lastRound } from '../kernel/consensus';
import { acceptedEventTypes, effectsOf, explainRefusal, statePaths } from '../kernel/inspect';
import { actors, eventsOf, explore, MEMBER_STATES, T0 } from '../kernel/testing';
import { modelMemorandumAmendment } from './model-memorandum-amendment';
import { normativeEvents, type NormativeEvent } from './normative-amendment';
import { regulationAmendment } from './regulation-amendment';

type Snapshot = SnapshotFrom<typeof regulationAmendment.machine>;

const ev = eventsOf(normativeEvents);

const input = {
  proposedBy: 'Russian Federation',
  rationale: 'Align with the 2025 SCO partner status',
  startedBy: 'officer-1',
  startedAt: T0,
};

function eventsFor(s: Snapshot) {
  const c = s.context;
  const v = c.draftVersion ?? 1;
  const out: NormativeEvent[] = [
    ev('START_DRAFTING'),
    ev('SUBMIT_FOR_REVIEW', { draftVersion: v }),
    ev('APPROVE_REVIEW', {}, actors.reviewer),
    ev('RETURN_TO_DRAFTING', { reason: 'Article 3 unclear' }, actors.reviewer),
    ev('RECIRCULATE', { draftVersion: v + 1 }),
    ev('SUBMIT_TO_COORDINATORS', { draftVersion: v + 1 }),
    ev('SUBMIT_FOR_ADOPTION', { body: 'chs' }),
    ev('RECORD_ADOPTION', { decisionNumber: '7', date: '2026-07-01' }),
    ev('WITHDRAW', { reason: 'Superseded' }, actors.manager),
    ev('REMINDER', { deadlineKey: statePaths(s)[0], daysBefore: 7 }, actors.system),
    ev('DEADLINE_PASSED', { deadlineKey: statePaths(s)[0] }, actors.system),
    ev('CLOSE_ROUND', { reason: 'The round cannot reach consensus' }, actors.manager),
    ev('MEMBERSHIP_CHANGED', { reason: 'Membership changed' }, actors.system),
  ];
  const comments = c.commentRounds[c.commentRounds.length - 1];
  if (comments && !comments.closedAt) {
    const pending = comments.electorate.filter((x: string) => !comments.responses[x]);
    if (pending[0])
      out.push(ev('RESPOND', { draftVersion: v, comments: 'Art. 2: wording' }, actors.approver(pending[0])));
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
  const cr = c.commentRounds[c.commentRounds.length - 1];
  const r = lastRound(c.rounds);
  return [
    Math.min(c.commentRounds.length, 2),
    cr ? Object.keys(cr.responses).length : -1,
    Math.min(c.rounds.length, 2),
    r ? Object.keys(r.positions).length : -1,
    r ? Object.values(r.positions).some((p) => p.kind === 'object') : false,
    r?.outcome,
    !!c.adoption,
  ];
};

describe.each([regulationAmendment, modelMemorandumAmendment])('$id', (def) => {
  it('reaches every state and fires every declared transition', () => {
    const x = explore(def, input, eventsFor, abstract);
    expect(x.unreached).toEqual([]);
    expect(x.unfired).toEqual([]);
    expect([...x.reachedFinals].sort()).toEqual(['adopted', 'withdrawn']);
  });

  it('drives the happy path and opens one 1(e) procedure per affected memorandum on adoption', () => {
    const m = def.machine;
    let [s] = initialTransition(m, input);
    const step = (e: NormativeEvent) => {
      const [n, actions] = transition(m, s, e);
      s = n;
      return actions;
    };
    step(ev('START_DRAFTING'));
    step(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
    // four-eyes
    expect(s.can(ev('APPROVE_REVIEW'))).toBe(false);
    expect(explainRefusal(def, s, ev('APPROVE_REVIEW'))).toMatch(/Four-eyes/);
    step(ev('APPROVE_REVIEW', {}, actors.reviewer));
    expect(statePaths(s)).toEqual(['circulation']);
    for (const st of MEMBER_STATES) step(ev('RESPOND', { draftVersion: 1 }, actors.approver(st)));
    expect(statePaths(s)).toEqual(['consolidation']);
    step(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }));
    for (const st of MEMBER_STATES) step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st)));
    expect(statePaths(s)).toEqual(['submitted_for_adoption']);
    expect(acceptedEventTypes(def, s)).toEqual(['RECORD_ADOPTION', 'SUBMIT_FOR_ADOPTION', 'WITHDRAW']);
    step(ev('SUBMIT_FOR_ADOPTION', { body: 'chs' }));
    const actions = step(
      ev('RECORD_ADOPTION', { decisionNumber: '14', date: '2026-07-01', affectedPartners: ['TR', 'AM'] }),
    );
    expect(s.status).toBe('done');
    const [open] = effectsOf(actions);
    expect(open).toMatchObject({ type: 'effect.openChildren' });
    expect(open?.type === 'effect.openChildren' && open.children.map((c) => c.key)).toEqual(['TR', 'AM']);
  });

  it('full rounds: keeps the round open after an objection, then sends the draft back with every objection, and refuses the same version again', () => {
    const m = def.machine;
    let [s] = initialTransition(m, input);
    for (const e of [
      ev('START_DRAFTING'),
      ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }),
      ev('APPROVE_REVIEW', {}, actors.reviewer),
      ev('DEADLINE_PASSED', { deadlineKey: 'circulation' }, actors.system),
      ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }),
    ])
      [s] = transition(m, s, e);
    expect(statePaths(s)).toEqual(['cnc_approval']);
    [s] = transition(m, s, ev('POSITION', { draftVersion: 1, kind: 'object', text: 'Art. 5' }, actors.approver('IN')));
    expect(statePaths(s)).toEqual(['cnc_approval']);
    for (const st of MEMBER_STATES.filter((x) => x !== 'IN'))
      [s] = transition(
        m,
        s,
        st === 'PK'
          ? ev('POSITION', { draftVersion: 1, kind: 'object', text: 'Art. 9' }, actors.approver(st))
          : ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st)),
      );
    expect(statePaths(s)).toEqual(['consolidation']);
    expect(
      lastRound(s.context.rounds)
        ?.objections.map((o) => o.memberState)
        .sort(),
    ).toEqual(['IN', 'PK']);
    expect(explainRefusal(def, s, ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }))).toMatch(
      /objected to by .*IN \("Art\. 5"\)/,
    );
  });

  it('reservations at adoption: the adoption record lists every reservation of the final round, with state and text', () => {
    const m = def.machine;
    let [s] = initialTransition(m, input);
    const step = (e: NormativeEvent) => {
      [s] = transition(m, s, e);
    };
    for (const e of [
      ev('START_DRAFTING'),
      ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }),
      ev('APPROVE_REVIEW', {}, actors.reviewer),
      ev('DEADLINE_PASSED', { deadlineKey: 'circulation' }, actors.system),
      ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }),
    ])
      step(e);
    // a reservation made and withdrawn is not part of the final views, but stays in the round's record
    step(ev('POSITION', { draftVersion: 1, kind: 'agree_with_reservation', text: 'Art. 1' }, actors.approver('RU')));
    step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('RU')));
    for (const st of MEMBER_STATES.filter((x) => x !== 'RU'))
      step(
        st === 'KZ' || st === 'IN'
          ? ev(
              'POSITION',
              { draftVersion: 1, kind: 'agree_with_reservation', text: `Art. 4 as read by ${st}` },
              actors.approver(st),
            )
          : ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st)),
      );
    expect(statePaths(s)).toEqual(['submitted_for_adoption']);
    step(ev('SUBMIT_FOR_ADOPTION', { body: 'chs' }));
    step(ev('RECORD_ADOPTION', { decisionNumber: '7', date: '2026-07-01' }));
    expect(s.context.adoption?.reservations.map((r) => [r.memberState, r.text]).sort()).toEqual([
      ['IN', 'Art. 4 as read by IN'],
      ['KZ', 'Art. 4 as read by KZ'],
    ]);
    expect(lastRound(s.context.rounds)?.earlier).toEqual([
      expect.objectContaining({ memberState: 'RU', kind: 'agree_with_reservation', text: 'Art. 1' }),
    ]);
  });

  it('closes an open circulation on withdrawal, and refuses an adoption naming partners without a memorandum', () => {
    const m = def.machine;
    let [s] = initialTransition(m, input);
    for (const e of [
      ev('START_DRAFTING'),
      ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }),
      ev('APPROVE_REVIEW', {}, actors.reviewer),
    ])
      [s] = transition(m, s, e);
    const [w] = transition(m, s, ev('WITHDRAW', { reason: 'Superseded by the 2025 status' }, actors.manager));
    expect(w.status).toBe('done');
    expect(w.context.commentRounds[0].closedAt).toBe(T0);

    for (const e of [
      ev('DEADLINE_PASSED', { deadlineKey: 'circulation' }, actors.system),
      ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }),
    ])
      [s] = transition(m, s, e);
    for (const st of MEMBER_STATES)
      [s] = transition(m, s, ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st)));
    [s] = transition(m, s, ev('SUBMIT_FOR_ADOPTION', { body: 'chs' }));
    const bad = ev('RECORD_ADOPTION', { decisionNumber: '3', date: '2026-07-01', affectedPartners: ['TR', 'XX'] });
    expect(s.can(bad)).toBe(false);
    expect(explainRefusal(def, s, bad)).toMatch(/No memorandum in force for XX/);
  });
});
