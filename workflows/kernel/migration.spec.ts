import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { regulationAmendment as def } from '../procedures/regulation-amendment';
import { normativeEvents, type NormativeContext, type NormativeEvent } from '../procedures/normative-amendment';
import { lastRound } from './consensus';
import { statePaths } from './inspect';
import { enterByMigration, withOpenRoundsClosed } from './migration';
import { actors, eventsOf, MEMBER_STATES, T0, world } from './testing';
import type { WorkflowEvent } from './types';

const ev = eventsOf(normativeEvents);
const input = { proposedBy: 'Secretariat', rationale: 'Partner status of 2025', startedBy: 'officer-1', startedAt: T0 };
const LATER = '2025-03-01T09:00:00.000Z';

function play(events: NormativeEvent[]): AnyMachineSnapshot {
  let [s] = initialTransition(def.machine, input);
  for (const e of events) [s] = transition(def.machine, s, e);
  return s;
}

const migrated = (memberStates = MEMBER_STATES): WorkflowEvent => ({
  type: '$migrated',
  payload: { reason: 'New version of the procedure' },
  actor: { id: 'admin-1', role: 'admin', memberState: null, actingFor: null },
  at: LATER,
  world: { ...world, memberStates },
});

const contextOf = (s: AnyMachineSnapshot) => s.context as NormativeContext;

const toCoordinators: NormativeEvent[] = [
  ev('START_DRAFTING'),
  ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }),
  ev('APPROVE_REVIEW', {}, actors.reviewer),
  ev('DEADLINE_PASSED', { deadlineKey: 'circulation' }, actors.system),
  ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }),
];

describe('migration into a stage runs what entering it normally runs', () => {
  it('entering a consensus stage by migration opens a new round with the member states of that moment', () => {
    const s = play(toCoordinators);
    expect(contextOf(s).rounds).toHaveLength(1);
    // the instance is placed in consolidation by an earlier mapping and moved back into cnc_approval
    const [placed] = enterByMigration(def.machine, s, ['consolidation'], migrated());
    expect(statePaths(placed)).toEqual(['consolidation']);
    expect(lastRound(contextOf(placed).rounds)).toMatchObject({ number: 1, outcome: 'superseded', closedAt: LATER });
    const [next] = enterByMigration(def.machine, placed, ['cnc_approval'], migrated([...MEMBER_STATES, 'LA']));
    expect(statePaths(next)).toEqual(['cnc_approval']);
    expect(lastRound(contextOf(next).rounds)).toMatchObject({
      number: 2,
      stage: 'cnc_approval',
      draftVersion: 1,
      outcome: 'open',
      openedAt: LATER,
      electorate: [...MEMBER_STATES, 'LA'].sort(),
    });
    // the round works as any other: every state's agreement carries the instance on
    let after = next;
    for (const st of [...MEMBER_STATES, 'LA'])
      [after] = transition(def.machine, after, ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st)));
    expect(statePaths(after)).toEqual(['submitted_for_adoption']);
  });

  it('a circulation left by migration is closed with the states that had not answered', () => {
    const s = play(toCoordinators.slice(0, 3));
    expect(statePaths(s)).toEqual(['circulation']);
    const closed = withOpenRoundsClosed(s.context, LATER) as NormativeContext;
    expect(closed.commentRounds[0]).toMatchObject({ closedAt: LATER, unanswered: MEMBER_STATES });
    // nothing open, nothing changed
    expect(withOpenRoundsClosed(closed, '2026-01-01T00:00:00.000Z')).toEqual(closed);
  });
});
