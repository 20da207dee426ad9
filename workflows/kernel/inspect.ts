/**
 * Reading a machine snapshot for the engine and the API: which state it is in, what its states
 * say in their meta, which events it accepts now, and why it refused one.
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { WorkflowDefinition } from './definition';
import type { DynamicDeadline, StateMeta, WorkflowEffect, WorkflowEvent } from './types';

interface NodeLike {
  id: string;
  key: string;
  type: string;
  meta?: unknown;
  on: Record<string, { guard?: unknown }[]>;
  states: Record<string, NodeLike>;
  parent?: NodeLike;
}

function activeNodes(snapshot: AnyMachineSnapshot): NodeLike[] {
  return (snapshot as unknown as { _nodes: NodeLike[] })._nodes;
}

/** Dotted path of the active leaf states, e.g. `circulation` or `assessment.running`. */
export function statePaths(snapshot: AnyMachineSnapshot): string[] {
  const nodes = activeNodes(snapshot);
  return nodes.filter((n) => n.type === 'atomic' || n.type === 'final').map((n) => nodePath(n));
}

export function nodePath(node: NodeLike): string {
  const parts: string[] = [];
  for (let n: NodeLike | undefined = node; n && n.parent; n = n.parent) parts.unshift(n.key);
  return parts.join('.');
}

/** The meta of every active state that has one, innermost last, keyed by state path. */
export function activeStateMeta(snapshot: AnyMachineSnapshot): { path: string; meta: StateMeta }[] {
  return activeNodes(snapshot)
    .filter((n) => n.parent && n.meta)
    .map((n) => ({ path: nodePath(n), meta: n.meta as StateMeta }));
}

/** Every state node of a machine with its meta, in document order (for diagrams and labels). */
export function allStates(
  machine: AnyStateMachine,
): { path: string; type: string; meta: StateMeta | null; on: string[] }[] {
  const out: { path: string; type: string; meta: StateMeta | null; on: string[] }[] = [];
  const walk = (n: NodeLike) => {
    if (n.parent)
      out.push({ path: nodePath(n), type: n.type, meta: (n.meta as StateMeta) ?? null, on: Object.keys(n.on) });
    for (const child of Object.values(n.states ?? {})) walk(child);
  };
  walk(machine.root as unknown as NodeLike);
  return out;
}

const META_BY_PATH = new WeakMap<AnyStateMachine, Map<string, StateMeta | null>>();

/** The meta of one state of a machine by its path (indexed once per machine: read for every row of a list). */
export function stateMeta(machine: AnyStateMachine, path: string): StateMeta | null {
  let byPath = META_BY_PATH.get(machine);
  if (!byPath) {
    byPath = new Map(allStates(machine).map((s) => [s.path, s.meta]));
    META_BY_PATH.set(machine, byPath);
  }
  return byPath.get(path) ?? null;
}

/** Event types with a transition from some active state, restricted to the definition's catalogue. */
export function acceptedEventTypes(def: WorkflowDefinition, snapshot: AnyMachineSnapshot): string[] {
  if (snapshot.status !== 'active') return [];
  const types = new Set<string>();
  for (const n of activeNodes(snapshot)) for (const t of Object.keys(n.on)) if (def.events[t]) types.add(t);
  return [...types].sort();
}

/**
 * Why the machine would not take `event`: the first refusing guard's reason, or a generic
 * sentence. Only called after `snapshot.can(event)` said no for an accepted event type.
 */
export function explainRefusal(def: WorkflowDefinition, snapshot: AnyMachineSnapshot, event: WorkflowEvent): string {
  const reasons: string[] = [];
  for (const n of [...activeNodes(snapshot)].reverse()) {
    for (const t of n.on[event.type] ?? []) {
      const g = t.guard as string | { type: string; params?: unknown } | undefined;
      if (!g) continue;
      const name = typeof g === 'string' ? g : g.type;
      const params = typeof g === 'string' ? undefined : g.params;
      const refusal = def.refusals[name];
      const why = refusal?.({ context: snapshot.context, event }, params);
      if (why) reasons.push(why);
    }
  }
  return reasons[0] ?? `The conditions for ${event.type} in stage ${statePaths(snapshot).join(', ')} are not met.`;
}

/** The effects a transition asked for by emitting them. */
export function effectsOf(actions: readonly { type: string; params?: unknown }[]): WorkflowEffect[] {
  const out: WorkflowEffect[] = [];
  for (const a of actions) {
    if (a.type !== 'xstate.emit') continue;
    const ev = (a.params as { event?: WorkflowEffect } | undefined)?.event;
    if (ev && (ev.type === 'effect.openChildren' || ev.type === 'effect.notify')) out.push(ev);
  }
  return out;
}

export function dynamicDeadlines(def: WorkflowDefinition, snapshot: AnyMachineSnapshot): DynamicDeadline[] {
  return snapshot.status === 'active' && def.dynamicDeadlines ? def.dynamicDeadlines(snapshot.context) : [];
}

/** Name of the final state an instance ended in, or null while it runs. */
export function finalStateOf(snapshot: AnyMachineSnapshot): string | null {
  if (snapshot.status !== 'done') return null;
  return statePaths(snapshot)[0] ?? null;
}
