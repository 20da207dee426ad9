import {
  applySilence,
  closeEarly,
  lastRound,
  objectionsEverIn,
  openRound,
  pendingStates,
  recordPosition,
  refuseEarlyClose,
  refusePosition,
  reservations,
  reservationsIn,
  settleAtDeadline,
  silentStates,
  supersede,
  withElectorate,
  type Answerer,
  type ConsensusRound,
  type PositionInput,
} from './consensus';
import { MEMBER_STATES, T0 } from './testing';

const T1 = '2025-01-07T09:00:00.000Z';
const T2 = '2025-02-06T09:00:00.000Z';

const approver = (state: string, actingFor: string | null = null): Answerer => ({
  id: `approver-${state}`,
  memberState: state,
  actingFor,
});
const agree = (draftVersion = 1): PositionInput => ({ kind: 'agree', draftVersion });
const reserve = (text: string, draftVersion = 1): PositionInput => ({
  kind: 'agree_with_reservation',
  text,
  draftVersion,
});
const object = (text: string, draftVersion = 1): PositionInput => ({ kind: 'object', text, draftVersion });

function round(
  opts: Partial<{
    electorate: string[];
    silenceProcedure: boolean;
    draftVersion: number;
    previous: ConsensusRound[];
  }> = {},
): ConsensusRound {
  return openRound(opts.previous ?? [], {
    stage: 'cnc_approval',
    draftVersion: opts.draftVersion ?? 1,
    electorate: opts.electorate ?? MEMBER_STATES,
    silenceProcedure: opts.silenceProcedure ?? false,
    at: T0,
  });
}

/** Records the answers in order; every one of them must be accepted. */
function answerAll(r: ConsensusRound, answers: [string, PositionInput][]): ConsensusRound {
  return answers.reduce((acc, [state, input]) => recordPosition(acc, approver(state), input, T1), r);
}

describe('openRound', () => {
  it('opens a round with no positions, numbered after the previous ones, on the given version', () => {
    const r1 = round();
    expect(r1).toMatchObject({
      number: 1,
      draftVersion: 1,
      positions: {},
      outcome: 'open',
      closedAt: null,
      objection: null,
    });
    const closed = settleAtDeadline(answerAll(r1, [['IN', object('Art. 5')]]), T1);
    const r2 = round({ previous: [closed], draftVersion: 2 });
    expect(r2).toMatchObject({ number: 2, draftVersion: 2, positions: {}, outcome: 'open' });
    // the previous round is untouched
    expect(closed.outcome).toBe('objected');
  });

  it('takes the electorate from the data passed in, without duplicates, sorted', () => {
    expect(round({ electorate: ['RU', 'CN', 'RU', 'BY'] }).electorate).toEqual(['BY', 'CN', 'RU']);
    expect(round().electorate).toEqual([...MEMBER_STATES].sort());
  });

  it('refuses to open a round with no member state', () => {
    expect(() => round({ electorate: [] })).toThrow(/at least one member state/);
  });
});

describe('full rounds: one objection does not close the round', () => {
  const positions = ['first', 'middle', 'last'] as const;
  const cases = MEMBER_STATES.flatMap((objector) => positions.map((where) => [objector, where] as const));

  it.each(cases)('%s objecting %s: the round stays open until every state has answered', (objector, where) => {
    const others = MEMBER_STATES.filter((s) => s !== objector);
    const before = where === 'first' ? 0 : where === 'middle' ? Math.floor(others.length / 2) : others.length;
    const reason = `Objection of ${objector}`;
    let r = answerAll(
      round(),
      others.slice(0, before).map((s) => [s, agree()] as [string, PositionInput]),
    );
    r = recordPosition(r, approver(objector), object(`  ${reason}  `), T1);
    if (where !== 'last') {
      expect(r.outcome).toBe('open');
      expect(pendingStates(r)).toEqual(others.slice(before));
    }
    // the states that had not answered still answer; one more objects
    const rest = others.slice(before);
    r = rest.reduce((acc, s, i) => recordPosition(acc, approver(s), i === 0 ? object(`Also ${s}`) : agree(), T2), r);
    expect(r.outcome).toBe('objected');
    const expected = [{ memberState: objector, text: reason }];
    if (rest.length) expected.push({ memberState: rest[0], text: `Also ${rest[0]}` });
    expect(r.objections).toEqual(expected);
    expect(r.objection).toEqual({ memberState: objector, reason });
    expect(pendingStates(r)).toEqual([]);
  });

  it('settles as objected at the deadline when an objection stands and states are still silent', () => {
    const r = answerAll(round(), [
      ['IN', object('Art. 5')],
      ['KZ', reserve('Art. 2')],
      ['PK', object('Art. 7')],
    ]);
    const s = settleAtDeadline(r, T2);
    expect(s).toMatchObject({ outcome: 'objected', closedAt: T2 });
    expect(s.objections).toEqual([
      { memberState: 'IN', text: 'Art. 5' },
      { memberState: 'PK', text: 'Art. 7' },
    ]);
    expect(reservationsIn(s)).toEqual([{ memberState: 'KZ', text: 'Art. 2' }]);
  });

  it('stays open at the deadline without an objection and without silence: no consensus without every state', () => {
    const r = settleAtDeadline(answerAll(round(), [['IN', agree()]]), T2);
    expect(r).toMatchObject({ outcome: 'open', deadlinePassedAt: T2 });
    // an objection arriving after the deadline settles the round at once: the period of views has ended
    expect(recordPosition(r, approver('RU'), object('Art. 2'), T2)).toMatchObject({
      outcome: 'objected',
      objections: [{ memberState: 'RU', text: 'Art. 2' }],
    });
    // a state that joins gets a full period again: the deadline has then not passed
    const following = { ...r, followsMembership: true };
    expect(withElectorate(following, [...MEMBER_STATES, 'LA'], T2, 'x').deadlinePassedAt).toBeNull();
  });
});

describe('a manager closes a round early once it cannot reach consensus', () => {
  it('is refused while no state objects, with the reason', () => {
    const r = answerAll(round(), [['IN', agree()]]);
    expect(refuseEarlyClose(r)).toBe(
      'Round 1 can still reach consensus (no member state objects): it stays open until every state has answered or the deadline passes.',
    );
    expect(() => closeEarly(r, 'manager-1', 'Enough', T2)).toThrow(/can still reach consensus/);
    expect(refuseEarlyClose(undefined)).toBe('No consensus round is open at this stage.');
  });

  it('settles as objected with every objection, and records who closed it and why', () => {
    const r = answerAll(round(), [
      ['RU', object('Art. 1')],
      ['CN', reserve('Art. 3')],
    ]);
    const c = closeEarly(r, 'manager-1', '  Objection on the principle; no point waiting  ', T2);
    expect(c).toMatchObject({
      outcome: 'objected',
      closedAt: T2,
      objections: [{ memberState: 'RU', text: 'Art. 1' }],
      closedEarly: { by: 'manager-1', reason: 'Objection on the principle; no point waiting', at: T2 },
    });
    expect(refuseEarlyClose(c)).toBe('No consensus round is open at this stage.');
  });
});

describe('position changes until the round settles', () => {
  it('a state lifts its objection: the objection stays in the record, superseded', () => {
    let r = answerAll(round({ electorate: ['IN', 'RU'] }), [['IN', object('Art. 5')]]);
    r = recordPosition(r, approver('IN'), agree(), T2);
    expect(r.outcome).toBe('open');
    expect(r.positions.IN).toMatchObject({ kind: 'agree', at: T2 });
    expect(r.earlier).toEqual([
      expect.objectContaining({ memberState: 'IN', kind: 'object', text: 'Art. 5', at: T1, supersededAt: T2 }),
    ]);
    expect(objectionsEverIn(r).map((p) => p.text)).toEqual(['Art. 5']);
    r = recordPosition(r, approver('RU'), agree(), T2);
    expect(r.outcome).toBe('consensus');
  });

  it('turns an agreement into a reservation, and withdraws a reservation', () => {
    let r = answerAll(round({ electorate: ['IN', 'RU', 'KZ'] }), [['KZ', agree()]]);
    r = recordPosition(r, approver('KZ'), reserve('Art. 4'), T1);
    expect(r.positions.KZ).toMatchObject({ kind: 'agree_with_reservation', text: 'Art. 4' });
    r = recordPosition(r, approver('KZ'), agree(), T2);
    expect(r.positions.KZ.kind).toBe('agree');
    expect(r.earlier.map((p) => [p.kind, p.text])).toEqual([
      ['agree', null],
      ['agree_with_reservation', 'Art. 4'],
    ]);
  });

  it('refuses the same position again, and any change once the round has settled', () => {
    const r = answerAll(round({ electorate: ['IN', 'KG'] }), [['KG', agree()]]);
    expect(refusePosition(r, approver('KG'), agree())).toMatch(/^KG already holds this position in round 1/);
    // an acting approver of the same state changes the state's position
    expect(
      refusePosition(r, { id: 'acting-KG', memberState: 'KG', actingFor: 'approver-KG' }, object('No')),
    ).toBeNull();
    const settled = recordPosition(r, approver('IN'), agree(), T2);
    expect(refusePosition(settled, approver('KG'), object('Too late'))).toBe(
      'No consensus round is open at this stage.',
    );
  });
});

describe('the electorate follows membership', () => {
  const following = (electorate: string[]) =>
    openRound([], {
      stage: 'cnc_approval',
      draftVersion: 1,
      electorate,
      silenceProcedure: false,
      at: T0,
      followsMembership: true,
    });

  it('adds a state that joined while the round is open; consensus then waits for it', () => {
    let r = answerAll(following(['IN', 'RU']), [['IN', agree()]]);
    r = withElectorate(r, ['IN', 'RU', 'LA'], T1, 'unused');
    expect(r.electorate).toEqual(['IN', 'LA', 'RU']);
    expect(r.joined).toEqual([{ memberState: 'LA', at: T1 }]);
    r = recordPosition(r, approver('RU'), agree(), T1);
    expect(r.outcome).toBe('open');
    expect(pendingStates(r)).toEqual(['LA']);
    expect(recordPosition(r, approver('LA'), agree(), T2).outcome).toBe('consensus');
  });

  it('removes a state that left with the reason; its position is set aside, not lost', () => {
    let r = answerAll(following(['IN', 'RU', 'KZ']), [
      ['KZ', object('Art. 1')],
      ['IN', agree()],
    ]);
    r = withElectorate(r, ['IN', 'RU'], T1, 'KZ ceased to be a member state (decision 21)');
    expect(r.electorate).toEqual(['IN', 'RU']);
    expect(r.left).toEqual([{ memberState: 'KZ', at: T1, reason: 'KZ ceased to be a member state (decision 21)' }]);
    expect(r.positions.KZ).toBeUndefined();
    expect(objectionsEverIn(r).map((p) => p.memberState)).toEqual(['KZ']);
    expect(refusePosition(r, approver('KZ'), agree())).toMatch(/^KZ was removed from round 1 on 2025-01-07/);
    // the state that left was the only objection: the round can now reach consensus
    expect(recordPosition(r, approver('RU'), agree(), T2).outcome).toBe('consensus');
  });

  it('settles when the state that leaves was the last one awaited', () => {
    const r = answerAll(following(['IN', 'RU']), [['IN', agree()]]);
    expect(withElectorate(r, ['IN'], T1, 'left')).toMatchObject({ outcome: 'consensus', closedAt: T1 });
  });

  it('leaves a round with a fixed electorate, and a closed round, as they are', () => {
    const fixed = round({ electorate: ['IN', 'RU'] });
    expect(withElectorate(fixed, ['IN', 'RU', 'LA'], T1, 'x')).toBe(fixed);
    const closed = supersede(following(['IN']), T1);
    expect(withElectorate(closed, ['IN', 'LA'], T1, 'x')).toBe(closed);
  });
});

describe('reservations', () => {
  it('pass, are kept with their text, and do not block consensus', () => {
    const r = answerAll(
      round(),
      MEMBER_STATES.map(
        (s) => [s, s === 'KZ' || s === 'PK' ? reserve(`Reservation of ${s}`) : agree()] as [string, PositionInput],
      ),
    );
    expect(r.outcome).toBe('consensus');
    expect(r.positions.KZ).toMatchObject({ kind: 'agree_with_reservation', text: 'Reservation of KZ' });
    expect(r.positions.RU).toMatchObject({ kind: 'agree', text: null });
    expect(reservations([r]).map((p) => [p.memberState, p.text])).toEqual([
      ['KZ', 'Reservation of KZ'],
      ['PK', 'Reservation of PK'],
    ]);
  });

  it('are carried across rounds, oldest first, even from a round that was objected to or superseded', () => {
    const r1 = answerAll(round(), [
      ['IN', reserve('Art. 2 as interpreted by India')],
      ['CN', object('Art. 5')],
    ]);
    const r2 = supersede(answerAll(round({ previous: [r1], draftVersion: 2 }), [['UZ', reserve('Art. 7', 2)]]), T2);
    const r3 = answerAll(round({ previous: [r1, r2], draftVersion: 3 }), [['IR', reserve('Art. 9', 3)]]);
    expect(reservations([r1, r2, r3]).map((p) => [p.memberState, p.text])).toEqual([
      ['IN', 'Art. 2 as interpreted by India'],
      ['UZ', 'Art. 7'],
      ['IR', 'Art. 9'],
    ]);
  });
});

describe('silence procedure', () => {
  it('is a no-op where the round does not use it', () => {
    const r = answerAll(round({ silenceProcedure: false }), [['RU', agree()]]);
    expect(applySilence(r, T2)).toBe(r);
    expect(r.outcome).toBe('open');
    expect(pendingStates(r)).toHaveLength(MEMBER_STATES.length - 1);
  });

  it('counts the states that did not answer as agreeing, recorded as silence by the system, and says so', () => {
    const r = answerAll(round({ silenceProcedure: true }), [
      ['RU', agree()],
      ['CN', reserve('Art. 3')],
    ]);
    const s = applySilence(r, T2);
    expect(s.outcome).toBe('consensus');
    expect(s.settledBySilence).toBe(true);
    expect(s.closedAt).toBe(T2);
    for (const state of MEMBER_STATES.filter((x) => x !== 'RU' && x !== 'CN'))
      expect(s.positions[state]).toEqual({
        memberState: state,
        kind: 'silence',
        text: null,
        by: 'system',
        actingFor: null,
        at: T2,
      });
    // the answers given are kept as given
    expect(s.positions.RU.kind).toBe('agree');
    expect(s.positions.CN).toMatchObject({ kind: 'agree_with_reservation', text: 'Art. 3' });
  });

  it('a consensus of express answers is not marked as settled by silence', () => {
    const r = answerAll(round({ silenceProcedure: true, electorate: ['IN', 'RU'] }), [
      ['IN', agree()],
      ['RU', agree()],
    ]);
    expect(r).toMatchObject({ outcome: 'consensus', settledBySilence: false });
  });

  it('settles as objected, not by silence, when an objection stands at the deadline', () => {
    const r = answerAll(round({ silenceProcedure: true }), [['TJ', object('Art. 1')]]);
    expect(r.outcome).toBe('open');
    const s = settleAtDeadline(r, T2);
    expect(s).toMatchObject({ outcome: 'objected', settledBySilence: false });
    expect(s.objections).toEqual([{ memberState: 'TJ', text: 'Art. 1' }]);
  });

  it('never counts a state that objected on the previous version as agreeing: it must answer', () => {
    const v1 = answerAll(round({ silenceProcedure: true, electorate: ['IN', 'RU', 'KZ'] }), [
      ['IN', object('Art. 5')],
      ['RU', agree()],
      ['KZ', agree()],
    ]);
    expect(v1.outcome).toBe('objected');
    const v2 = round({ previous: [v1], draftVersion: 2, silenceProcedure: true, electorate: ['IN', 'RU', 'KZ'] });
    expect(v2.mustAnswer).toEqual(['IN']);
    expect(silentStates(v2)).toEqual(['KZ', 'RU']);
    const atDeadline = settleAtDeadline(v2, T2);
    expect(atDeadline.outcome).toBe('open');
    expect(pendingStates(atDeadline)).toEqual(['IN']);
    expect(atDeadline.positions.RU.kind).toBe('silence');
    const answered = recordPosition(atDeadline, approver('IN'), agree(2), T2);
    expect(answered).toMatchObject({ outcome: 'consensus', settledBySilence: true });
  });
});

describe('refusals', () => {
  it('an approver whose state is not in the electorate is refused', () => {
    const nine = MEMBER_STATES.filter((s) => s !== 'BY');
    expect(refusePosition(round({ electorate: nine }), approver('BY'), agree())).toMatch(
      /^BY is not among the member states of this round/,
    );
    expect(refusePosition(round(), approver('LA'), agree())).toMatch(/^LA is not among the member states/);
  });

  it('someone who represents no member state is refused', () => {
    expect(refusePosition(round(), { id: 'officer-1', memberState: null, actingFor: null }, agree())).toBe(
      'Only a member-state approver can record a position.',
    );
  });

  it('a position on another draft version is refused', () => {
    const r = round({ draftVersion: 3 });
    expect(refusePosition(r, approver('RU'), agree(2))).toBe(
      'This round is on draft version 3; a position on version 2 cannot be recorded.',
    );
    expect(refusePosition(r, approver('RU'), agree(4))).toMatch(/version 4 cannot be recorded/);
    expect(refusePosition(r, approver('RU'), agree(3))).toBeNull();
  });

  it('an objection without a reason and a reservation without text are refused', () => {
    const r = round();
    for (const text of [undefined, null, '', '   ']) {
      expect(refusePosition(r, approver('PK'), { kind: 'object', text, draftVersion: 1 })).toBe(
        'An objection needs a reason.',
      );
      expect(refusePosition(r, approver('PK'), { kind: 'agree_with_reservation', text, draftVersion: 1 })).toBe(
        'A reservation needs its text.',
      );
    }
    expect(() => recordPosition(r, approver('PK'), { kind: 'object', text: ' ', draftVersion: 1 }, T1)).toThrow(
      'An objection needs a reason.',
    );
  });

  it('no round, or a closed one, accepts no position', () => {
    expect(refusePosition(undefined, approver('RU'), agree())).toBe('No consensus round is open at this stage.');
    expect(refusePosition(supersede(round(), T1), approver('RU'), agree())).toBe(
      'No consensus round is open at this stage.',
    );
  });
});

describe('consensus', () => {
  it('only when every state has a position', () => {
    let r = round();
    for (const [i, s] of MEMBER_STATES.entries()) {
      expect(r.outcome).toBe('open');
      expect(pendingStates(r)).toHaveLength(MEMBER_STATES.length - i);
      r = recordPosition(r, approver(s), agree(), T1);
    }
    expect(r.outcome).toBe('consensus');
    expect(r.closedAt).toBe(T1);
    expect(pendingStates(r)).toEqual([]);
  });

  it.each([
    ['nine states (before Belarus joined)', MEMBER_STATES.filter((s) => s !== 'BY')],
    ['eleven states (a new member)', [...MEMBER_STATES, 'LA']],
  ])('the electorate is the data passed in: %s', (_label, electorate) => {
    const [last, ...rest] = [...electorate].reverse();
    const r = answerAll(
      round({ electorate }),
      rest.map((s) => [s, agree()] as [string, PositionInput]),
    );
    expect(r.outcome).toBe('open');
    expect(pendingStates(r)).toEqual([last]);
    expect(recordPosition(r, approver(last), agree(), T2).outcome).toBe('consensus');
  });

  it('keeps both identities when an acting approver answers', () => {
    const r = recordPosition(round(), { id: 'deputy-RU', memberState: 'RU', actingFor: 'approver-RU' }, agree(), T1);
    expect(r.positions.RU).toMatchObject({ by: 'deputy-RU', actingFor: 'approver-RU', at: T1 });
  });

  it('supersede closes only an open round', () => {
    const open = round();
    expect(supersede(open, T2)).toMatchObject({ outcome: 'superseded', closedAt: T2 });
    const done = settleAtDeadline(answerAll(round(), [['CN', object('No')]]), T1);
    expect(supersede(done, T2)).toBe(done);
  });

  it('lastRound finds the latest round, or the latest of a stage', () => {
    const a = round();
    const b = { ...round({ previous: [a] }), stage: 'circulation' };
    expect(lastRound([a, b])).toBe(b);
    expect(lastRound([a, b], 'cnc_approval')).toBe(a);
    expect(lastRound([], 'cnc_approval')).toBeUndefined();
  });
});
