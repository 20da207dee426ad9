/**
 * Exhaustive exploration of a machine for its tests, built on xstate/graph's adjacency map:
 * every reachable state, every declared transition fired at least once, every final state reached.
 * Pure and fast (no engine, no database).
 */
import { getAdjacencyMap } from 'xstate/graph';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { allStates, effectsOf, statePaths } from './inspect';
import type { Actor, World, WorkflowEffect, WorkflowEvent } from './types';

export const MEMBER_STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
export const T0 = '2025-01-06T09:00:00.000Z';

export const actors = {
  officer: { id: 'officer-1', role: 'legal_officer', memberState: null, actingFor: null } as Actor,
  reviewer: { id: 'officer-2', role: 'legal_officer', memberState: null, actingFor: null } as Actor,
  manager: { id: 'manager-1', role: 'manager', memberState: null, actingFor: null } as Actor,
  system: { id: 'system', role: 'system', memberState: null, actingFor: null } as Actor,
  approver: (state: string): Actor => ({
    id: `approver-${state}`,
    role: 'approver',
    memberState: state,
    actingFor: null,
  }),
};

export const MEMORANDA = ['LK', 'TR', 'AM', 'AZ'].map((p) => ({ partner: p, memorandumId: `mem-${p}` }));
export const world: World = { memberStates: MEMBER_STATES, memoranda: MEMORANDA, draft: null };

export function ev(
  type: string,
  payload: Record<string, unknown> = {},
  actor: Actor = actors.officer,
  at = T0,
  w: World = world,
): WorkflowEvent {
  return { type, payload, actor, at, world: w };
}

export interface Exploration {
  reached: Set<string>;
  fired: Set<string>;
  declared: Set<string>;
  finals: Set<string>;
  reachedFinals: Set<string>;
  unreached: string[];
  unfired: string[];
  snapshots: AnyMachineSnapshot[];
}

/**
 * Walks the machine from its initial state with the events `eventsFor(snapshot)` proposes.
 * `abstract` maps a snapshot to the part of its context that matters for exploration (keep it
 * small and bounded so the walk ends).
 */
export function explore(
  machine: AnyStateMachine,
  input: unknown,
  eventsFor: (s: AnyMachineSnapshot) => WorkflowEvent[],
  abstract: (s: AnyMachineSnapshot) => unknown = () => null,
  limit = 20000,
): Exploration {
  const map = getAdjacencyMap(
    machine as any,
    {
      input: input as any,
      events: (s: any) => eventsFor(s) as any,
      serializeState: (s: any) => JSON.stringify([s.value, s.status, abstract(s)]),
      serializeEvent: (e: any) => JSON.stringify([e.type, e.payload, e.actor?.id]),
      limit,
    } as any,
  ) as Record<
    string,
    { state: AnyMachineSnapshot; transitions: Record<string, { event: WorkflowEvent; state: AnyMachineSnapshot }> }
  >;

  const states = allStates(machine);
  const declared = new Set<string>();
  for (const s of states) for (const e of s.on) declared.add(`${s.path}|${e}`);
  for (const e of Object.keys((machine.root as unknown as { on: Record<string, unknown> }).on)) declared.add(`|${e}`);
  const finals = new Set(states.filter((s) => s.type === 'final').map((s) => s.path));
  const reached = new Set<string>();
  const fired = new Set<string>();
  const snapshots: AnyMachineSnapshot[] = [];
  for (const v of Object.values(map)) {
    snapshots.push(v.state);
    for (const p of statePaths(v.state)) {
      const parts = p.split('.');
      for (let i = 1; i <= parts.length; i++) reached.add(parts.slice(0, i).join('.'));
    }
    for (const t of Object.values(v.transitions)) {
      // A transition counts as fired when the machine takes it (its guards pass), even if it only emits.
      if (v.state.status !== 'active' || !v.state.can(t.event)) continue;
      // Attribute the firing to the innermost active state that declares the event.
      const paths = statePaths(v.state);
      for (const leaf of paths) {
        const parts = leaf.split('.');
        for (let i = parts.length; i >= 0; i--) {
          const key = `${parts.slice(0, i).join('.')}|${t.event.type}`;
          if (declared.has(key)) {
            fired.add(key);
            break;
          }
        }
      }
    }
  }
  const reachedFinals = new Set([...finals].filter((f) => reached.has(f)));
  return {
    reached,
    fired,
    declared,
    finals,
    reachedFinals,
    unreached: states.map((s) => s.path).filter((p) => !reached.has(p)),
    unfired: [...declared].filter((d) => !fired.has(d)),
    snapshots,
  };
}

/** Plays `events` from the machine's initial state; returns the last snapshot and every effect emitted on the way. */
export function play(
  machine: AnyStateMachine,
  events: WorkflowEvent[],
  input?: unknown,
): { s: AnyMachineSnapshot; effects: WorkflowEffect[] } {
  let [s] = initialTransition(machine, input);
  const effects: WorkflowEffect[] = [];
  for (const e of events) {
    const [next, actions] = transition(machine, s, e);
    effects.push(...effectsOf(actions));
    s = next;
  }
  return { s, effects };
}
