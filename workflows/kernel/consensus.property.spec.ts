/**
 * Property: over random sequences of positions, position changes, membership changes, deadlines
 * and early closes, applied to a consensus stage in a machine (the wiring the procedures use):
 *
 * - consensus is declared only when every state of the electorate at that moment (the member
 *   states of the event that settled the round) has a non-objecting position on that exact
 *   version, and a position other than silence is the last one that state gave;
 * - no objection is ever lost from the record: every objection accepted stays in the round,
 *   standing or superseded;
 * - a state that objected to the previous version is never counted as agreeing by silence;
 * - a round settled as objected lists every objection that stood when it settled.
 */
import fc from 'fast-check';
import { setup, transition, initialTransition, type SnapshotFrom } from 'xstate';
import { objectionsEverIn, objectionsIn, type ConsensusRound } from './consensus';
import { consensusStage, withdrawable, withdrawTransition, type Withdrawal } from './consensus-stage';
import { guardsFrom } from './definition';
import { deadlineOf, earlyCloseAllowed, positionAllowed, roundConsensus, roundObjected } from './rules';
import { assignTo, numberIn, type ProcedureEvent } from './stage';
import { actors, MEMBER_STATES, world } from './testing';
import type { WorkflowEffect } from './types';

interface Ctx {
  [key: string]: unknown;
  draftVersion: number | null;
  rounds: ConsensusRound[];
  withdrawal: Withdrawal | null;
  silence: boolean;
}

const nextVersion = assignTo<Ctx>(({ event }) => ({ draftVersion: numberIn(event, 'draftVersion') }));

function machine() {
  const refusals = {
    positionAllowed,
    earlyCloseAllowed,
    roundConsensus,
    roundObjected,
    voteDeadline: deadlineOf('vote'),
    withdrawable,
  };
  const vote = consensusStage<Ctx, 'voteDeadline'>({
    stage: 'vote',
    deadline: 'voteDeadline',
    silence: { rule: 'by input', applies: (c) => c.silence, subject: (_c, s) => `silent: ${s.join(',')}` },
    reminder: () => 'reminder',
    overdue: () => 'overdue',
  });
  return setup({
    types: {
      context: {} as Ctx,
      events: {} as ProcedureEvent,
      input: {} as { silence: boolean },
      emitted: {} as WorkflowEffect,
    },
    guards: guardsFrom(refusals),
  }).createMachine({
    id: 'property',
    initial: 'idle',
    context: ({ input }) => ({ draftVersion: 1, rounds: [], withdrawal: null, silence: input.silence }),
    on: { WITHDRAW: withdrawTransition<Ctx>() },
    states: {
      idle: { on: { OPEN: { target: 'vote' } } },
      vote: {
        entry: vote.open,
        always: [
          { guard: 'roundObjected', target: 'objected' },
          { guard: 'roundConsensus', target: 'agreed' },
        ],
        on: vote.on,
      },
      // after an objection a newer version goes to a new round, as in the procedures
      objected: { on: { OPEN: { target: 'vote', actions: nextVersion } } },
      agreed: { type: 'final' },
      withdrawn: { type: 'final' },
    },
  });
}

const EXTRA = ['LA', 'XA'];
const ALL = [...MEMBER_STATES, ...EXTRA];

type Step =
  | { t: 'position'; state: string; kind: 'agree' | 'agree_with_reservation' | 'object'; text: string }
  | { t: 'membership'; members: string[] }
  | { t: 'deadline' }
  | { t: 'close' }
  | { t: 'next' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      t: fc.constant('position' as const),
      state: fc.constantFrom(...ALL),
      kind: fc.constantFrom('agree' as const, 'agree' as const, 'agree_with_reservation' as const, 'object' as const),
      text: fc.constantFrom('Art. 1', 'Art. 2', 'Art. 3'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .subarray(ALL, { minLength: 1 })
      .map((members) => ({ t: 'membership' as const, members: [...members].sort() })),
  },
  { weight: 2, arbitrary: fc.constant({ t: 'deadline' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'close' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'next' as const }) },
);

describe('property: consensus only with every state of the moment, no objection ever lost', () => {
  it('holds for random sequences of positions, changes, membership changes, deadlines and early closes', () => {
    const m = machine();
    let outcomes = { consensus: 0, objected: 0, bySilence: 0, joined: 0, left: 0 };
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.subarray(ALL, { minLength: 1 }),
        fc.array(step, { minLength: 1, maxLength: 60 }),
        (silence, initial, steps) => {
          let members = [...initial].sort();
          let time = Date.parse('2025-01-06T09:00:00.000Z');
          const at = () => new Date((time += 3_600_000)).toISOString();
          const w = () => ({ ...world, memberStates: members });
          const ev = (type: string, payload: Record<string, unknown>, actor = actors.system): ProcedureEvent => ({
            type,
            payload,
            actor,
            at: at(),
            world: w(),
          });
          let [s] = initialTransition(m, { silence });
          [s] = transition(m, s, ev('OPEN', {}));
          /** Every objection accepted, by round number: state and text and when. */
          const accepted = new Map<number, { state: string; text: string; at: string }[]>();
          /** The last position each state gave in the current round (kind), as the test saw it accepted. */
          let given = new Map<string, string>();
          let version = 1;

          const check = (snap: SnapshotFrom<typeof m>, event: ProcedureEvent) => {
            for (const r of snap.context.rounds) {
              const ever = objectionsEverIn(r).map((p) => `${p.memberState}|${p.text}|${p.at}`);
              for (const o of accepted.get(r.number) ?? []) expect(ever).toContain(`${o.state}|${o.text}|${o.at}`);
            }
            const r = snap.context.rounds[snap.context.rounds.length - 1];
            if (r.closedAt !== event.at) return;
            if (r.outcome === 'consensus') {
              outcomes.consensus++;
              if (r.settledBySilence) outcomes.bySilence++;
              // the electorate of the moment: the member states of the event that settled it
              expect([...r.electorate].sort()).toEqual([...event.world.memberStates].sort());
              for (const state of event.world.memberStates) {
                const p = r.positions[state];
                expect(p).toBeDefined();
                expect(p.kind).not.toBe('object');
                if (p.kind === 'silence') expect(r.mustAnswer).not.toContain(state);
                else expect(given.get(state)).toBe(p.kind);
              }
              expect(r.draftVersion).toBe(version);
            }
            if (r.outcome === 'objected') {
              outcomes.objected++;
              expect(r.objections.length).toBeGreaterThan(0);
              expect(r.objections).toEqual(objectionsIn(r));
            }
          };

          for (const st of steps) {
            if (s.status !== 'active') break;
            let e: ProcedureEvent;
            if (st.t === 'position') {
              const payload =
                st.kind === 'agree'
                  ? { draftVersion: version, kind: st.kind }
                  : { draftVersion: version, kind: st.kind, text: st.text };
              e = ev('POSITION', payload, actors.approver(st.state));
            } else if (st.t === 'membership') {
              const before = members;
              members = st.members;
              outcomes.joined += members.filter((x) => !before.includes(x)).length;
              outcomes.left += before.filter((x) => !members.includes(x)).length;
              e = ev('MEMBERSHIP_CHANGED', { reason: 'membership changed' });
            } else if (st.t === 'deadline') e = ev('DEADLINE_PASSED', { deadlineKey: 'vote' });
            else if (st.t === 'close') e = ev('CLOSE_ROUND', { reason: 'no consensus possible' }, actors.manager);
            else {
              if (s.value !== 'objected') continue;
              version++;
              given = new Map();
              [s] = transition(m, s, ev('OPEN', { draftVersion: version }));
              continue;
            }
            if (!s.can(e)) continue;
            const roundBefore = s.context.rounds.length;
            [s] = transition(m, s, e);
            const r = s.context.rounds[roundBefore - 1];
            if (e.type === 'POSITION' && st.t === 'position') {
              // a position of a state that just left is refused; an accepted one is recorded as given
              expect(r.positions[st.state]).toMatchObject({ kind: st.kind, at: e.at });
              given.set(st.state, st.kind);
              if (st.kind === 'object')
                accepted.set(r.number, [
                  ...(accepted.get(r.number) ?? []),
                  { state: st.state, text: st.text, at: e.at },
                ]);
            }
            for (const gone of r.left.filter((l) => l.at === e.at)) given.delete(gone.memberState);
            check(s, e);
          }
        },
      ),
      { numRuns: 800, seed: 20240704 },
    );
    // the generator exercises every outcome and every kind of change
    expect(outcomes.consensus).toBeGreaterThan(50);
    expect(outcomes.objected).toBeGreaterThan(50);
    expect(outcomes.bySilence).toBeGreaterThan(10);
    expect(outcomes.joined).toBeGreaterThan(50);
    expect(outcomes.left).toBeGreaterThan(50);
    outcomes = { consensus: 0, objected: 0, bySilence: 0, joined: 0, left: 0 };
  });
});
