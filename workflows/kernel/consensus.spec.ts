import {
  applySilence,
  lastRound,
  openRound,
  pendingStates,
  recordPosition,
  refusePosition,
  reservations,
  supersede,
  type Answerer,
  type ConsensusRound,
  type PositionInput,
  type PositionKind,
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
    const closed = answerAll(r1, [['IN', object('Art. 5')]]);
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

describe('one objection closes the round, whatever its position in the order', () => {
  const positions = ['first', 'middle', 'last'] as const;
  const cases = MEMBER_STATES.flatMap((objector) => positions.map((where) => [objector, where] as const));

  it.each(cases)('%s objecting %s', (objector, where) => {
    const others = MEMBER_STATES.filter((s) => s !== objector);
    const before = where === 'first' ? 0 : where === 'middle' ? Math.floor(others.length / 2) : others.length;
    const reason = `Objection of ${objector}`;
    let r = answerAll(
      round(),
      others.slice(0, before).map((s) => [s, agree()] as [string, PositionInput]),
    );
    expect(r.outcome).toBe('open');
    r = recordPosition(r, approver(objector), object(`  ${reason}  `), T2);
    expect(r.outcome).toBe('objected');
    expect(r.objection).toEqual({ memberState: objector, reason });
    expect(r.closedAt).toBe(T2);
    expect(r.positions[objector]).toMatchObject({ kind: 'object', text: reason, by: `approver-${objector}` });
    // the round is closed: the states that had not answered cannot answer any more, and the objection stays
    for (const s of others.slice(before)) {
      expect(refusePosition(r, approver(s), agree())).toBe('No consensus round is open at this stage.');
      expect(() => recordPosition(r, approver(s), agree(), T2)).toThrow(/No consensus round is open/);
    }
    expect(pendingStates(r)).toEqual([]);
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

  it('counts the states that did not answer as agreeing, recorded as silence by the system', () => {
    const r = answerAll(round({ silenceProcedure: true }), [
      ['RU', agree()],
      ['CN', reserve('Art. 3')],
    ]);
    const s = applySilence(r, T2);
    expect(s.outcome).toBe('consensus');
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

  it('does not touch a round already closed by an objection', () => {
    const r = answerAll(round({ silenceProcedure: true }), [['TJ', object('Art. 1')]]);
    expect(applySilence(r, T2)).toBe(r);
    expect(r.outcome).toBe('objected');
  });
});

describe('refusals', () => {
  it('a state cannot answer twice in one round', () => {
    const r = answerAll(round(), [['KG', agree()]]);
    expect(refusePosition(r, approver('KG'), object('changed my mind'))).toBe(
      'KG has already answered in round 1 (agree).',
    );
    // not even through an acting approver of the same state
    expect(refusePosition(r, { id: 'acting-KG', memberState: 'KG', actingFor: 'approver-KG' }, agree())).toMatch(
      /already answered/,
    );
  });

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
    const done = answerAll(round(), [['CN', object('No')]]);
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

/**
 * Property: for any sequence of answers (repeats, strangers, wrong versions, missing texts, in any
 * order), the outcome is `consensus` iff every state answered and none objected, and `objected`
 * iff some objection was recorded. A small seeded generator stands in for a property-testing
 * library so the run is reproducible.
 */
describe('property: outcome follows the answers', () => {
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const KINDS: PositionKind[] = ['agree', 'agree', 'agree', 'agree', 'agree_with_reservation', 'object'];

  it('holds for 2000 random sequences', () => {
    const random = rng(20240704);
    let consensus = 0;
    let objected = 0;
    let open = 0;
    for (let run = 0; run < 2000; run++) {
      const electorate = MEMBER_STATES.slice(0, 1 + Math.floor(random() * MEMBER_STATES.length));
      const silence = random() < 0.3;
      let r = round({ electorate, silenceProcedure: silence });
      const answered = new Set<string>();
      let objectionSeen = false;
      const steps = Math.floor(random() * 25);
      for (let i = 0; i < steps; i++) {
        const state = random() < 0.9 ? pick(random, electorate) : 'LA';
        const kind = pick(random, KINDS);
        const text = random() < 0.9 ? `text ${i}` : '';
        const version = random() < 0.95 ? 1 : 2;
        const input: PositionInput = { kind, text, draftVersion: version };
        const why = refusePosition(r, approver(state), input);
        if (why) {
          // recordPosition refuses exactly what refusePosition refuses
          let thrown: unknown = null;
          try {
            recordPosition(r, approver(state), input, T1);
          } catch (e) {
            thrown = e;
          }
          if (!(thrown instanceof Error) || thrown.message !== why)
            throw new Error(`recordPosition accepted or misreported a refused answer: ${why}`);
          continue;
        }
        r = recordPosition(r, approver(state), input, T1);
        answered.add(state);
        if (kind === 'object') objectionSeen = true;
      }
      if (silence && random() < 0.5) {
        const before = r;
        r = applySilence(r, T2);
        if (before.outcome === 'open') for (const s of electorate) answered.add(s);
      }

      const allAnswered = electorate.every((s) => answered.has(s) && r.positions[s]);
      const objections = Object.values(r.positions).filter((p) => p.kind === 'object');
      expect(r.outcome === 'consensus').toBe(allAnswered && !objectionSeen);
      expect(r.outcome === 'objected').toBe(objectionSeen);
      // at most one objection is ever recorded: it closes the round, and it is the one reported
      expect(objections.length).toBe(objectionSeen ? 1 : 0);
      if (r.outcome === 'objected')
        expect(r.objection).toEqual({ memberState: objections[0].memberState, reason: objections[0].text });
      if (r.outcome === 'consensus')
        expect(electorate.every((s) => r.positions[s] && r.positions[s].kind !== 'object')).toBe(true);
      if (r.outcome === 'consensus') consensus++;
      else if (r.outcome === 'objected') objected++;
      else open++;
    }
    // the generator exercises all three outcomes
    expect(consensus).toBeGreaterThan(50);
    expect(objected).toBeGreaterThan(50);
    expect(open).toBeGreaterThan(50);
  });
});
