import { setup } from 'xstate';
import { lastRound, type ConsensusRound } from './consensus';
import {
  answererOf,
  consensusStage,
  lastObjected,
  objectionReturn,
  pendingIn,
  withDeadlinePassed,
  withdrawTransition,
  withdrawable,
  withPosition,
  withRoundOpened,
  withRoundsSuperseded,
  type Withdrawal,
} from './consensus-stage';
import { guardsFrom } from './definition';
import { deadlineOf, earlyCloseAllowed, positionAllowed, roundConsensus, roundObjected } from './rules';
import { actors, ev, play, MEMBER_STATES, T0, world } from './testing';
import type { WorkflowEffect } from './types';
import type { ProcedureEvent } from './stage';

const T1 = '2025-01-07T09:00:00.000Z';
const T2 = '2025-02-06T09:00:00.000Z';

interface Ctx {
  [key: string]: unknown;
  draftVersion: number | null;
  rounds: ConsensusRound[];
  withdrawal: Withdrawal | null;
  closedAlso: string | null;
}

const ctx = (over: Partial<Ctx> = {}): Ctx => ({
  draftVersion: 2,
  rounds: [],
  withdrawal: null,
  closedAlso: null,
  ...over,
});
const opened = (c: Ctx = ctx(), silenceProcedure = false): Ctx => ({
  ...c,
  ...withRoundOpened(c, ev('X', {}, actors.officer, T0), { stage: 'vote', silenceProcedure }),
});
const pos = (state: string, kind: 'agree' | 'object' | 'agree_with_reservation', text?: string) =>
  ev('POSITION', { draftVersion: 2, kind, text }, actors.approver(state), T1);

describe('pure helpers', () => {
  it('opens a round on the context draft version with the member states of the event world', () => {
    const c = opened();
    expect(c.rounds).toHaveLength(1);
    expect(c.rounds[0]).toMatchObject({
      number: 1,
      stage: 'vote',
      draftVersion: 2,
      electorate: [...MEMBER_STATES].sort(),
      silenceProcedure: false,
      openedAt: T0,
      outcome: 'open',
    });
    const again = opened(c, true);
    expect(again.rounds.map((r) => [r.number, r.silenceProcedure])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('takes the answerer from the actor identity', () => {
    expect(answererOf({ id: 'u', role: 'approver', memberState: 'KZ', actingFor: 'v' })).toEqual({
      id: 'u',
      memberState: 'KZ',
      actingFor: 'v',
    });
  });

  it('records a position in the last round only, leaving earlier rounds untouched', () => {
    const first = opened();
    const two = opened(first);
    const after = { ...two, ...withPosition(two, pos('CN', 'agree')) };
    expect(after.rounds[0]).toBe(two.rounds[0]);
    expect(after.rounds[1].positions.CN).toMatchObject({ memberState: 'CN', kind: 'agree', by: 'approver-CN', at: T1 });
    expect(pendingIn(after)).toEqual(MEMBER_STATES.filter((s) => s !== 'CN'));
  });

  it('applies silence at the deadline of the last round and supersedes only open rounds', () => {
    const c = opened(ctx(), true);
    const silent = {
      ...c,
      ...withDeadlinePassed(c, ev('DEADLINE_PASSED', { deadlineKey: 'vote' }, actors.system, T2)),
    };
    expect(lastRound(silent.rounds)).toMatchObject({ outcome: 'consensus', settledBySilence: true });
    expect(pendingIn(silent)).toEqual([]);
    const two = opened(silent);
    const superseded = withRoundsSuperseded(two, T2).rounds as ConsensusRound[];
    expect(superseded.map((r) => r.outcome)).toEqual(['consensus', 'superseded']);
  });

  it('the objection return lists every objection and reservation, and finds the latest objected round', () => {
    let c = opened(ctx(), false);
    for (const e of [
      pos('IN', 'object', 'Art. 5'),
      pos('KZ', 'agree_with_reservation', 'Art. 2'),
      ev('POSITION', { draftVersion: 2, kind: 'object', text: 'Art. 9' }, actors.approver('PK'), T2),
    ])
      c = { ...c, ...withPosition(c, e) };
    c = { ...c, ...withDeadlinePassed(c, ev('DEADLINE_PASSED', { deadlineKey: 'vote' }, actors.system, T2)) };
    expect(objectionReturn(c)).toEqual({
      draftVersion: 2,
      reason: 'Objections: IN: Art. 5; PK: Art. 9. Reservations: KZ: Art. 2.',
      at: T2,
      objections: [
        { memberState: 'IN', text: 'Art. 5' },
        { memberState: 'PK', text: 'Art. 9' },
      ],
      reservations: [{ memberState: 'KZ', text: 'Art. 2' }],
    });
    expect(lastObjected(c.rounds)?.number).toBe(1);
    expect(lastObjected(opened().rounds)).toBeUndefined();
  });
});

describe('consensusStage in a machine', () => {
  function machine(silence: boolean) {
    const refusals = {
      withdrawable,
      positionAllowed,
      earlyCloseAllowed,
      roundConsensus,
      roundObjected,
      voteDeadline: deadlineOf('vote'),
    };
    const vote = consensusStage<Ctx, 'voteDeadline'>({
      stage: 'vote',
      deadline: 'voteDeadline',
      silence: silence
        ? {
            rule: 'Rounds of this stage use the silence procedure.',
            applies: (c) => c.closedAlso === null,
            subject: (c, s) => `v${c.draftVersion} silent: ${s.join(',') || 'none'}`,
          }
        : undefined,
      reminder: (c, days) => `v${c.draftVersion} due in ${days}`,
      overdue: (c, pending) => `v${c.draftVersion} waiting for ${pending.join(',')}`,
    });
    return setup({
      types: { context: {} as Ctx, events: {} as ProcedureEvent, emitted: {} as WorkflowEffect },
      guards: guardsFrom(refusals),
    }).createMachine({
      id: 'm',
      initial: 'idle',
      context: ctx(),
      on: { WITHDRAW: withdrawTransition<Ctx>((_c, at) => ({ closedAlso: at })) },
      states: {
        idle: { on: { START: 'vote' } },
        vote: {
          entry: vote.open,
          always: [
            { guard: 'roundObjected', target: 'objected' },
            { guard: 'roundConsensus', target: 'agreed' },
          ],
          on: vote.on,
        },
        objected: {},
        agreed: { type: 'final' },
        withdrawn: { type: 'final' },
      },
    });
  }

  const start = ev('START', {});
  const deadline = ev('DEADLINE_PASSED', { deadlineKey: 'vote' }, actors.system, T2);

  it('opens a round on entry, records positions and moves on at consensus', () => {
    const { s } = play(machine(false), [start, ...MEMBER_STATES.map((st) => pos(st, 'agree'))]);
    expect(s.value).toBe('agreed');
    expect(s.context.rounds[0]).toMatchObject({ stage: 'vote', silenceProcedure: false, outcome: 'consensus' });
  });

  it('full rounds: one objection keeps the round open; it settles as objected when every state has answered', () => {
    const m = machine(false);
    const { s } = play(m, [start, pos('RU', 'object', 'No')]);
    expect(s.value).toBe('vote');
    const all = play(m, [
      start,
      pos('RU', 'object', 'No'),
      ...MEMBER_STATES.filter((x) => x !== 'RU').map((x) => pos(x, 'agree')),
    ]);
    expect(all.s.value).toBe('objected');
    expect(all.s.context.rounds[0].objections).toEqual([{ memberState: 'RU', text: 'No' }]);
  });

  it('full rounds: an objection standing at the deadline settles the round as objected', () => {
    const { s } = play(machine(false), [start, pos('RU', 'object', 'No'), pos('IN', 'object', 'Art. 3'), deadline]);
    expect(s.value).toBe('objected');
    expect(s.context.rounds[0].objections.map((o) => o.memberState)).toEqual(['IN', 'RU']);
  });

  it('a manager closes the round early only once it holds an objection, with the reason', () => {
    const m = machine(false);
    const close = ev('CLOSE_ROUND', { reason: 'Cannot reach consensus' }, actors.manager, T2);
    const early = play(m, [start, pos('CN', 'agree')]);
    expect(early.s.can(close)).toBe(false);
    const { s } = play(m, [start, pos('RU', 'object', 'No'), close]);
    expect(s.value).toBe('objected');
    expect(s.context.rounds[0].closedEarly).toEqual({ by: 'manager-1', reason: 'Cannot reach consensus', at: T2 });
  });

  it('position changes: a lifted objection is kept as superseded and the round reaches consensus', () => {
    const { s } = play(machine(false), [
      start,
      pos('RU', 'object', 'No'),
      ev('POSITION', { draftVersion: 2, kind: 'agree' }, actors.approver('RU'), T2),
      ...MEMBER_STATES.filter((x) => x !== 'RU').map((x) => pos(x, 'agree')),
    ]);
    expect(s.value).toBe('agreed');
    expect(s.context.rounds[0].earlier).toEqual([
      expect.objectContaining({ memberState: 'RU', kind: 'object', supersededAt: T2 }),
    ]);
  });

  it('refuses a position from a state outside the round', () => {
    const m = machine(false);
    const { s } = play(m, [start]);
    expect(s.can(ev('POSITION', { draftVersion: 2, kind: 'agree' }, actors.officer))).toBe(false);
    expect(s.can(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('CN')))).toBe(false);
  });

  it('reminds the states that have not answered and escalates to the managers with the pending list', () => {
    const { effects } = play(machine(false), [
      start,
      pos('CN', 'agree'),
      ev('REMINDER', { deadlineKey: 'vote', daysBefore: 7 }, actors.system),
      ev('REMINDER', { deadlineKey: 'other', daysBefore: 7 }, actors.system),
      ev('DEADLINE_PASSED', { deadlineKey: 'vote' }, actors.system),
    ]);
    const pending = MEMBER_STATES.filter((s) => s !== 'CN');
    expect(effects).toEqual([
      { type: 'effect.notify', kind: 'reminder', audience: { memberStates: pending }, subject: 'v2 due in 7' },
      {
        type: 'effect.notify',
        kind: 'escalation',
        audience: { roles: ['manager'] },
        subject: `v2 waiting for ${pending.join(',')}`,
        data: { pending },
      },
    ]);
  });

  it('silence as a rule of the stage: records the silent states at the deadline and says the round was settled by silence', () => {
    const { s, effects } = play(machine(true), [start, pos('CN', 'agree'), deadline]);
    const silent = MEMBER_STATES.filter((x) => x !== 'CN');
    expect(effects).toEqual([
      {
        type: 'effect.notify',
        kind: 'info',
        audience: { roles: ['manager'] },
        subject: `v2 silent: ${silent.join(',')}`,
        data: { silent },
      },
    ]);
    expect(s.value).toBe('agreed');
    expect(s.context.rounds[0]).toMatchObject({ silenceProcedure: true, settledBySilence: true });
  });

  it('silence is not an officer choice: the entering event cannot turn it on where the rules do not apply it', () => {
    const { s, effects } = play(machine(false), [ev('START', { silenceProcedure: true }), deadline]);
    expect(s.value).toBe('vote');
    expect(s.context.rounds[0].silenceProcedure).toBe(false);
    expect(effects.map((e) => (e.type === 'effect.notify' ? e.kind : e.type))).toEqual(['escalation']);
  });

  it('changing membership: a state that joins is asked, gets the full period, and consensus waits for it', () => {
    const joined = { ...world, memberStates: [...MEMBER_STATES, 'LA'] };
    const m = machine(false);
    const { s, effects } = play(m, [
      start,
      ev('MEMBERSHIP_CHANGED', { reason: 'LA joined (CHS decision 5)' }, actors.system, T1, joined),
      ...MEMBER_STATES.map((x) => ev('POSITION', { draftVersion: 2, kind: 'agree' }, actors.approver(x), T1, joined)),
    ]);
    expect(s.value).toBe('vote');
    expect(pendingIn(s.context)).toEqual(['LA']);
    expect(effects).toEqual([
      expect.objectContaining({ type: 'effect.notify', kind: 'info', audience: { memberStates: ['LA'] } }),
      {
        type: 'effect.fullPeriod',
        deadlineKey: 'vote',
        reason: 'LA joined round 1: a full answer period from 2025-01-07',
      },
    ]);
    const done = play(m, [
      start,
      ...[...MEMBER_STATES, 'LA'].map((x) =>
        ev('POSITION', { draftVersion: 2, kind: 'agree' }, actors.approver(x), T1, joined),
      ),
    ]);
    // the state that joined is taken in by its own first answer too (the check runs with every event)
    expect(done.s.value).toBe('agreed');
  });

  it('changing membership: a state that joins at the deadline is not counted by silence; its full period starts', () => {
    const joined = { ...world, memberStates: [...MEMBER_STATES, 'LA'] };
    const { s, effects } = play(machine(true), [
      start,
      ...MEMBER_STATES.map((x) => pos(x, 'agree')).slice(0, 3),
      ev('DEADLINE_PASSED', { deadlineKey: 'vote' }, actors.system, T2, joined),
    ]);
    expect(s.value).toBe('vote');
    expect(s.context.rounds[0].positions.LA).toBeUndefined();
    expect(s.context.rounds[0].deadlinePassedAt).toBeNull();
    expect(effects.map((e) => e.type)).toEqual(['effect.notify', 'effect.fullPeriod']);
  });

  it('changing membership: a state that leaves is removed with the reason, and the managers are told', () => {
    const without = { ...world, memberStates: MEMBER_STATES.filter((x) => x !== 'BY') };
    const { s, effects } = play(machine(false), [
      start,
      pos('BY', 'object', 'Art. 1'),
      ev('MEMBERSHIP_CHANGED', { reason: 'BY ceased to be a member' }, actors.system, T1, without),
      ...without.memberStates.map((x) =>
        ev('POSITION', { draftVersion: 2, kind: 'agree' }, actors.approver(x), T1, without),
      ),
    ]);
    expect(s.value).toBe('agreed');
    expect(s.context.rounds[0].left).toEqual([{ memberState: 'BY', at: T1, reason: 'BY ceased to be a member' }]);
    expect(effects).toEqual([
      expect.objectContaining({ kind: 'info', audience: { roles: ['manager'] }, data: { left: ['BY'], round: 1 } }),
    ]);
  });

  it('withdraws with the reason, supersedes the open round and runs what the machine closes too', () => {
    const { s, effects } = play(machine(false), [
      start,
      pos('CN', 'agree'),
      ev('WITHDRAW', { reason: 'Moot' }, actors.manager, T2),
    ]);
    const owing = [...MEMBER_STATES].filter((st) => st !== 'CN').sort();
    expect(s.value).toBe('withdrawn');
    expect(s.context).toMatchObject({
      withdrawal: { reason: 'Moot', by: 'manager-1', at: T2, owedBy: owing },
      closedAlso: T2,
    });
    expect(s.context.rounds[0]).toMatchObject({ outcome: 'superseded', closedAt: T2 });
    // the machine records who owed an answer and tells nobody itself: the kernel notices tell the
    // officers and those states (topic `withdrawn`, see notices.spec), once
    expect(effects.filter((e) => e.type === 'effect.notify')).toEqual([]);
  });

  it('uses the world of the entering event for the electorate', () => {
    const small = { ...world, memberStates: ['KZ', 'CN'] };
    const { s } = play(machine(false), [ev('START', {}, actors.officer, T0, small)]);
    expect(s.context.rounds[0].electorate).toEqual(['CN', 'KZ']);
  });
});
