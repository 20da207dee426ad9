/**
 * Exhaustive exploration of a machine for its tests, built on xstate/graph's adjacency map:
 * every reachable state, every declared transition fired at least once, every final state reached.
 * Pure and fast (no engine, no database).
 */
import { adjacencyMapToArray, getAdjacencyMap } from 'xstate/graph';
import {
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventObject,
  type EventFromLogic,
  type SnapshotFrom,
} from 'xstate';
import { z } from 'zod';
import type { EventCatalogue, WorkflowDefinition } from './definition';
import { emittedEffects, machineStates, pureTransition, rootEvents, statePaths } from './xstate-fence';
import type { Actor, DraftFacts, World, WorkflowEffect, WorkflowEvent } from './types';

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
/** The bodies as the reference data describe them: the CHS adopts the Regulation; the CNC adopts nothing. */
export const BODIES: World['bodies'] = [
  { id: 'cfm', name: 'Council of Foreign Ministers', adopts: null },
  { id: 'chs', name: 'Council of Heads of State', adopts: ['regulation'] },
  { id: 'cnc', name: 'Council of National Coordinators', adopts: [] },
];
export const world: World = { memberStates: MEMBER_STATES, memoranda: MEMORANDA, bodies: BODIES, draft: null };

/** A draft whose latest version is `latest`, every version saved by `actors.officer` unless `authors` names another. */
export function draftFacts(latest: number, authors: Readonly<Record<number, string>> = {}): DraftFacts {
  return {
    latestVersion: latest,
    driftedArticles: [],
    versions: Array.from({ length: latest }, (_, i) => ({
      number: i + 1,
      author: authors[i + 1] ?? actors.officer.id,
    })),
  };
}

/**
 * The world a spec's event is applied in when the spec gives none: the procedure has a draft
 * whose latest version is the one the payload names (written by `actors.officer`), as the engine
 * would report for an officer sending on the version just saved; no draft when the payload names
 * no version.
 */
export function worldFor(payload: Record<string, unknown>): World {
  const v = payload.draftVersion;
  return typeof v === 'number' ? { ...world, draft: draftFacts(v) } : world;
}

export function ev(
  type: string,
  payload: Record<string, unknown> = {},
  actor: Actor = actors.officer,
  at = T0,
  w: World = worldFor(payload),
): WorkflowEvent {
  return { type, payload, actor, at, world: w };
}

export interface Exploration<S = AnyMachineSnapshot> {
  reached: Set<string>;
  fired: Set<string>;
  declared: Set<string>;
  finals: Set<string>;
  reachedFinals: Set<string>;
  unreached: string[];
  unfired: string[];
  snapshots: S[];
  /** How many events the walk proposed (each checked against its payload schema). */
  sent: number;
}

/** An event the exploration proposed whose payload its definition's schema refuses. */
export class InvalidExplorationEvent extends Error {}

/** Throws unless `event` is in the definition's catalogue and its payload passes the event's schema. */
export function checkAgainstCatalogue(def: Pick<WorkflowDefinition, 'id' | 'events'>, event: WorkflowEvent): void {
  const spec = Object.hasOwn(def.events, event.type) ? def.events[event.type] : undefined;
  if (!spec) throw new InvalidExplorationEvent(`${def.id}: ${event.type} is not in the definition's catalogue`);
  const parsed = spec.payload.safeParse(event.payload);
  if (!parsed.success)
    throw new InvalidExplorationEvent(
      `${def.id}: the payload of ${event.type} ${JSON.stringify(event.payload)} does not pass its schema: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(payload)'} ${i.message}`)
        .join('; ')}`,
    );
}

/**
 * Walks the definition's machine from its initial state with the events `eventsFor(snapshot)`
 * proposes. Every proposed event must pass its payload schema (the engine would refuse it
 * otherwise): the walk throws `InvalidExplorationEvent` on the first that does not.
 * `abstract` maps a snapshot to the part of its context that matters for exploration (keep it
 * small and bounded so the walk ends).
 */
export function explore<M extends AnyStateMachine, E extends WorkflowEvent>(
  def: Pick<WorkflowDefinition, 'id' | 'events'> & { machine: M },
  input: unknown,
  eventsFor: (s: SnapshotFrom<M>) => E[],
  abstract: (s: SnapshotFrom<M>) => unknown = () => null,
  limit = 20000,
): Exploration<SnapshotFrom<M>> {
  const machine: AnyStateMachine = def.machine;
  const typed = (s: AnyMachineSnapshot) => snapshotOf(def.machine, s);
  const serializeState = (s: AnyMachineSnapshot) => JSON.stringify([s.value, s.status, abstract(typed(s))]);
  let sent = 0;
  const checkedEventsFor = (s: AnyMachineSnapshot) => {
    const events = eventsFor(typed(s));
    for (const e of events) checkAgainstCatalogue(def, e);
    sent += events.length;
    return events;
  };
  const map = getAdjacencyMap<AnyMachineSnapshot, E, unknown>(machine, {
    input,
    events: checkedEventsFor,
    serializeState,
    serializeEvent: (e: E) => JSON.stringify([e.type, e.payload, e.actor.id]),
    limit,
  });

  const states = machineStates(machine);
  const declared = new Set<string>();
  for (const s of states) for (const e of s.on) declared.add(`${s.path}|${e}`);
  for (const e of rootEvents(machine)) declared.add(`|${e}`);
  const finals = new Set(states.filter((s) => s.type === 'final').map((s) => s.path));
  const reached = new Set<string>();
  const fired = new Set<string>();
  const snapshots: SnapshotFrom<M>[] = [];
  const steps = adjacencyMapToArray(map);
  // Every state the walk visited: the initial one and each transition's source and result.
  const visited = new Map<string, AnyMachineSnapshot>();
  for (const x of [initialTransition(machine, input)[0], ...steps.flatMap((t) => [t.state, t.nextState])])
    if (!visited.has(serializeState(x))) visited.set(serializeState(x), x);
  for (const v of visited.values()) {
    snapshots.push(typed(v));
    for (const p of statePaths(v)) {
      const parts = p.split('.');
      for (let i = 1; i <= parts.length; i++) reached.add(parts.slice(0, i).join('.'));
    }
  }
  for (const { state, event } of steps) {
    // A transition counts as fired when the machine takes it (its guards pass), even if it only emits.
    if (state.status !== 'active' || !state.can(event)) continue;
    // Attribute the firing to the innermost active state that declares the event.
    for (const leaf of statePaths(state)) {
      const parts = leaf.split('.');
      for (let i = parts.length; i >= 0; i--) {
        const key = `${parts.slice(0, i).join('.')}|${event.type}`;
        if (declared.has(key)) {
          fired.add(key);
          break;
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
    sent,
  };
}

/**
 * A snapshot of `machine`, typed as that machine's (context, value, `can`). Only for snapshots the
 * machine itself produced (by `initialTransition`, `transition` or the exploration's walk).
 */
export function snapshotOf<M extends AnyStateMachine>(_machine: M, s: AnyMachineSnapshot): SnapshotFrom<M> {
  return s as SnapshotFrom<M>;
}

/**
 * The engine transitions with `pureTransition`; every step a spec plays is checked against
 * XState's own `transition()`: the same persisted snapshot and the same actions.
 */
function sameAsXState(
  machine: AnyStateMachine,
  from: AnyMachineSnapshot,
  event: EventObject,
  next: AnyMachineSnapshot,
  actions: readonly { type: string; params?: unknown }[],
): void {
  const [expected, expectedActions] = transition(machine, from, event);
  const a = JSON.stringify([machine.getPersistedSnapshot(next), actions.map((x) => [x.type, x.params])]);
  const b = JSON.stringify([machine.getPersistedSnapshot(expected), expectedActions.map((x) => [x.type, x.params])]);
  if (a !== b) throw new Error(`pureTransition differs from XState's transition() on ${event.type}:\n${a}\n${b}`);
}

/** Plays `events` from the machine's initial state; returns the last snapshot (typed as the machine's) and every effect emitted on the way. */
export function play<M extends AnyStateMachine>(
  machine: M,
  events: EventFromLogic<M>[],
  input?: unknown,
): { s: SnapshotFrom<M>; effects: WorkflowEffect[] } {
  const logic: AnyStateMachine = machine;
  let [s] = initialTransition(logic, input);
  const effects: WorkflowEffect[] = [];
  for (const e of events) {
    const [next, actions] = pureTransition(logic, s, e);
    sameAsXState(logic, s, e, next, actions);
    effects.push(...emittedEffects(actions));
    s = next;
  }
  return { s: snapshotOf(machine, s), effects };
}

/** The payload an event type of a catalogue is built from (what its schema accepts), then who sends it, when, in which world. */
type EventArgs<P> =
  Record<never, never> extends P
    ? [payload?: P, actor?: Actor, at?: string, w?: World]
    : [payload: P, actor?: Actor, at?: string, w?: World];

/**
 * `ev` for one definition's catalogue: the payload must type-check against the event's schema, is
 * parsed by it (a spec cannot send what the engine would refuse), and the event is typed as the
 * machine receives it.
 */
export function eventsOf<Cat extends EventCatalogue>(catalogue: Cat) {
  return <T extends keyof Cat & string>(
    type: T,
    ...[payload, actor = actors.officer, at = T0, w]: EventArgs<z.input<Cat[T]['payload']>>
  ): WorkflowEvent<T, z.output<Cat[T]['payload']>> => {
    const parsed = z.parse<Cat[T]['payload']>(catalogue[type].payload, payload ?? {});
    return {
      type,
      payload: parsed,
      actor,
      at,
      world: w ?? worldFor(typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}),
    };
  };
}
