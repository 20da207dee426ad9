import { setup } from 'xstate';
import { lastRound, type ConsensusRound } from './consensus';
import {
  answererOf,
  consensusStage,
  lastObjected,
  objectionReturn,
  pendingIn,
  silenceDueOf,
  withdrawTransition,
  withdrawable,
  withPosition,
  withRoundOpened,
  withRoundsSuperseded,
  withSilence,
  type Withdrawal,
} from './consensus-stage';
import { guardsFrom } from './definition';
import { deadlineOf, positionAllowed, roundConsensus, roundObjected } from './rules';
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

  it('applies silence to the last round and supersedes only open rounds', () => {
    const c = opened(ctx(), true);
    const silent = { ...c, ...withSilence(c, T2) };
    expect(lastRound(silent.rounds)?.outcome).toBe('consensus');
    expect(pendingIn(silent)).toEqual([]);
    const two = opened(silent);
    const superseded = withRoundsSuperseded(two, T2).rounds as ConsensusRound[];
    expect(superseded.map((r) => r.outcome)).toEqual(['consensus', 'superseded']);
  });

  it('reports an objection for the return to drafting, and finds the latest objected round', () => {
    const c = opened();
    const objected = { ...c, ...withPosition(c, pos('IN', 'object', 'Art. 5')) };
    expect(objectionReturn(objected)).toEqual({ draftVersion: 2, reason: 'IN: Art. 5', at: T1 });
    expect(lastObjected(objected.rounds)?.number).toBe(1);
    expect(lastObjected(opened().rounds)).toBeUndefined();
  });

  it('accepts the silence deadline only for the stage deadline of a round under silence', () => {
    const rule = silenceDueOf('vote');
    const deadline = (key: string) => ev('DEADLINE_PASSED', { deadlineKey: key }, actors.system, T2);
    expect(rule({ context: opened(ctx(), true), event: deadline('vote') })).toBeNull();
    expect(rule({ context: opened(ctx(), true), event: deadline('other') })).toBe(
      deadlineOf('vote')({ context: null, event: deadline('other') }),
    );
    expect(rule({ context: opened(), event: deadline('vote') })).toBe(
      'This round does not use the silence procedure: a missing answer is not an agreement.',
    );
  });
});

describe('consensusStage in a machine', () => {
  function machine(silence: boolean) {
    const refusals = {
      withdrawable,
      positionAllowed,
      roundConsensus,
      roundObjected,
      voteDeadline: deadlineOf('vote'),
      silenceDue: silenceDueOf('vote'),
    };
    const vote = consensusStage<Ctx, 'voteDeadline', 'silenceDue'>({
      stage: 'vote',
      deadline: 'voteDeadline',
      silence: silence
        ? { guard: 'silenceDue', subject: (c, s) => `v${c.draftVersion} silent: ${s.join(',') || 'none'}` }
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

  const start = ev('START', { silenceProcedure: true });

  it('opens a round on entry, records positions and moves on at consensus', () => {
    const { s } = play(machine(false), [start, ...MEMBER_STATES.map((st) => pos(st, 'agree'))]);
    expect(s.value).toBe('agreed');
    expect(s.context.rounds[0]).toMatchObject({ stage: 'vote', silenceProcedure: false, outcome: 'consensus' });
  });

  it('goes to the objection target on one objection', () => {
    const { s } = play(machine(false), [start, pos('RU', 'object', 'No')]);
    expect(s.value).toBe('objected');
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

  it('under silence, takes the procedure from the entering event and records the silent states at the deadline', () => {
    const { s, effects } = play(machine(true), [
      start,
      pos('CN', 'agree'),
      ev('DEADLINE_PASSED', { deadlineKey: 'vote' }, actors.system),
    ]);
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
    expect(
      Object.values(s.context.rounds[0].positions).filter((p) => (p as { kind: string }).kind === 'silence'),
    ).toHaveLength(silent.length);
  });

  it('without silence in the entering event, escalates instead of recording silence', () => {
    const m = machine(true);
    const { s, effects } = play(m, [ev('START', {}), ev('DEADLINE_PASSED', { deadlineKey: 'vote' }, actors.system)]);
    expect(s.value).toBe('vote');
    expect(effects.map((e) => (e.type === 'effect.notify' ? e.kind : e.type))).toEqual(['escalation']);
  });

  it('withdraws with the reason, supersedes the open round and runs what the machine closes too', () => {
    const { s } = play(machine(false), [start, ev('WITHDRAW', { reason: 'Moot' }, actors.manager, T2)]);
    expect(s.value).toBe('withdrawn');
    expect(s.context).toMatchObject({ withdrawal: { reason: 'Moot', by: 'manager-1', at: T2 }, closedAlso: T2 });
    expect(s.context.rounds[0]).toMatchObject({ outcome: 'superseded', closedAt: T2 });
  });

  it('uses the world of the entering event for the electorate', () => {
    const small = { ...world, memberStates: ['KZ', 'CN'] };
    const { s } = play(machine(false), [ev('START', {}, actors.officer, T0, small)]);
    expect(s.context.rounds[0].electorate).toEqual(['CN', 'KZ']);
  });
});
