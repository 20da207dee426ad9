/**
 * Reading a machine snapshot for the engine and the API: which state it is in, what its states
 * say in their meta, which events it accepts now, and why it refused one. Built on the XState
 * fence (`xstate-fence.ts`), which alone reads XState's internals.
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { WorkflowDefinition } from './definition';
import type { DynamicDeadline, StateMeta, WorkflowEffect, WorkflowEvent } from './types';
import {
  acceptedEvents,
  emittedEffects,
  guardsFor,
  machineStates,
  statePaths,
  type MachineState,
} from './xstate-fence';

export { activeStateMeta, pureTransition, reenteredStates, statePaths } from './xstate-fence';

/** Every state node of a machine with its meta, in document order (for diagrams and labels). */
export function allStates(machine: AnyStateMachine): MachineState[] {
  return machineStates(machine);
}

const META_BY_PATH = new WeakMap<AnyStateMachine, Map<string, StateMeta | null>>();

/** The meta of one state of a machine by its path (indexed once per machine: read for every row of a list). */
export function stateMeta(machine: AnyStateMachine, path: string): StateMeta | null {
  let byPath = META_BY_PATH.get(machine);
  if (!byPath) {
    byPath = new Map(machineStates(machine).map((s) => [s.path, s.meta]));
    META_BY_PATH.set(machine, byPath);
  }
  return byPath.get(path) ?? null;
}

/** Event types with a transition from some active state, restricted to the definition's catalogue. */
export function acceptedEventTypes(def: WorkflowDefinition, snapshot: AnyMachineSnapshot): string[] {
  if (snapshot.status !== 'active') return [];
  return acceptedEvents(snapshot)
    .filter((t) => def.events[t])
    .sort();
}

/**
 * Why the machine would not take `event`: the first refusing guard's reason, or a generic
 * sentence. Only called after `snapshot.can(event)` said no for an accepted event type.
 */
export function explainRefusal(def: WorkflowDefinition, snapshot: AnyMachineSnapshot, event: WorkflowEvent): string {
  for (const g of guardsFor(snapshot, event.type)) {
    const why = def.refusals[g.name]?.({ context: contextOf(snapshot), event }, g.params);
    if (why) return why;
  }
  return `The conditions for ${event.type} in stage ${statePaths(snapshot).join(', ')} are not met.`;
}

/** The effects a transition asked for by emitting them. */
export function effectsOf(actions: readonly { type: string; params?: unknown }[]): WorkflowEffect[] {
  return emittedEffects(actions);
}

export function dynamicDeadlines(def: WorkflowDefinition, snapshot: AnyMachineSnapshot): DynamicDeadline[] {
  return snapshot.status === 'active' && def.dynamicDeadlines ? def.dynamicDeadlines(contextOf(snapshot)) : [];
}

/** Name of the final state an instance ended in, or null while it runs. */
export function finalStateOf(snapshot: AnyMachineSnapshot): string | null {
  if (snapshot.status !== 'done') return null;
  return statePaths(snapshot)[0] ?? null;
}

/** A snapshot's context, as the definition's functions receive it (they know its shape). */
function contextOf(snapshot: AnyMachineSnapshot): unknown {
  const context: unknown = snapshot.context;
  return context;
}
