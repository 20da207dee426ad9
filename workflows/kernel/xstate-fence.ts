/**
 * The one module that reads XState's internals. Everything else (the kernel's inspection, the
 * machine tests, the engine, the API's diagrams) asks these functions, so an XState upgrade that
 * changes a state node, a snapshot's active nodes or a transition definition is fixed here alone.
 *
 * What it reads, and why it is not public API:
 * - `snapshot._nodes`: the active state nodes of a snapshot (XState keeps them internal);
 * - `machine.root` and each node's `on`, `always`, `states`, `meta`, `type`: the state tree as
 *   built, with transitions already resolved to target nodes;
 * - `machine.getTransitionData(snapshot, event)`: which transitions an event selects, with their
 *   `reenter` flag;
 * - the action objects `transition()` returns: an `emit` is `{ type: 'xstate.emit', params: { event } }`;
 * - `machine.config` and `machine.implementations`, to build a copy of a machine with one more root
 *   transition (entering a stage by migration);
 * - `machine.transition(snapshot, event, actorScope)` and the shape of an actor scope, to make a
 *   pure transition without a new throwaway actor per call (see `pureTransition`).
 *
 * The package pins XState to a minor range for this reason.
 */
import { createActor, createMachine, transition } from 'xstate';
import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, EventObject, StateValue } from 'xstate';
import type { StateMeta, WorkflowEffect } from './types';

/** A state of a machine as the tree declares it: path, kind, meta, and its outgoing transitions. */
export interface MachineState {
  /** Dotted path from the root, e.g. `assessment.running`. */
  path: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  meta: StateMeta | null;
  /** Event types with a transition declared on this state. */
  on: string[];
  /** Edges for diagrams: event (or `(automatic)` for `always`) -> target state paths; targetless transitions left out. */
  transitions: { event: string; targets: string[] }[];
}

/** A guard a transition names: its name and the params it is given. */
export interface NamedGuard {
  name: string;
  params: unknown;
}

function pathOf(node: AnyStateNode): string {
  const parts: string[] = [];
  for (let n: AnyStateNode | undefined = node; n?.parent; n = n.parent) parts.unshift(n.key);
  return parts.join('.');
}

function metaOf(node: AnyStateNode): StateMeta | null {
  const meta: unknown = node.meta;
  return isStateMeta(meta) ? meta : null;
}

function isStateMeta(meta: unknown): meta is StateMeta {
  return typeof meta === 'object' && meta !== null && 'label' in meta && 'responsible' in meta;
}

function activeNodes(snapshot: AnyMachineSnapshot): AnyStateNode[] {
  return snapshot._nodes;
}

function targetPaths(machine: AnyStateMachine, targets: readonly AnyStateNode[] | undefined): string[] {
  const prefix = `${machine.id}.`;
  return (targets ?? []).map((n) => (n.id.startsWith(prefix) ? n.id.slice(prefix.length) : n.id));
}

/** Dotted paths of the active leaf states (atomic or final), e.g. `['circulation']`. */
export function statePaths(snapshot: AnyMachineSnapshot): string[] {
  return activeNodes(snapshot)
    .filter((n) => n.type === 'atomic' || n.type === 'final')
    .map((n) => pathOf(n));
}

/** The meta of every active state (not the root) that has one, outermost first, with its path. */
export function activeStateMeta(snapshot: AnyMachineSnapshot): { path: string; meta: StateMeta }[] {
  const out: { path: string; meta: StateMeta }[] = [];
  for (const n of activeNodes(snapshot)) {
    const meta = n.parent ? metaOf(n) : null;
    if (meta) out.push({ path: pathOf(n), meta });
  }
  return out;
}

/** Event types with a declared transition on some active state (the root included), unsorted and unfiltered. */
export function acceptedEvents(snapshot: AnyMachineSnapshot): string[] {
  const types = new Set<string>();
  for (const n of activeNodes(snapshot)) for (const t of Object.keys(n.on)) types.add(t);
  return [...types];
}

/** The named guards of the transitions for `eventType` on the active states, innermost state first. */
export function guardsFor(snapshot: AnyMachineSnapshot, eventType: string): NamedGuard[] {
  const out: NamedGuard[] = [];
  for (const n of [...activeNodes(snapshot)].reverse()) {
    for (const t of n.on[eventType] ?? []) {
      const g: unknown = t.guard;
      if (typeof g === 'string') out.push({ name: g, params: undefined });
      else if (typeof g === 'object' && g !== null && 'type' in g && typeof g.type === 'string')
        out.push({ name: g.type, params: 'params' in g ? g.params : undefined });
    }
  }
  return out;
}

/** The actor scope a machine's `transition` takes. */
type InertScope = Parameters<AnyStateMachine['transition']>[2];

const INERT_SELVES = new WeakMap<AnyStateMachine, InertScope['self']>();

/**
 * XState's pure `transition(machine, snapshot, event)`, without its cost per call: XState builds a
 * new inert actor for every call, and building it runs the machine's context factory with no
 * input (a 1(d) procedure's throws, and XState catches it). The machines here spawn and invoke
 * nothing, so one inert actor per machine serves as `self` for every transition; the actions are
 * collected, never executed, exactly as `transition()` does.
 */
export function pureTransition(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  event: EventObject,
): [AnyMachineSnapshot, { type: string; params?: unknown }[]] {
  let self = INERT_SELVES.get(machine);
  if (!self) {
    self = createActor(machine);
    INERT_SELVES.set(machine, self);
  }
  const actions: { type: string; params?: unknown }[] = [];
  const scope: InertScope = {
    self,
    defer: () => undefined,
    id: '',
    logger: () => undefined,
    sessionId: '',
    stopChild: () => undefined,
    system: self.system,
    emit: () => undefined,
    actionExecutor: (action) => {
      actions.push(action);
    },
  };
  return [machine.transition(snapshot, event, scope), actions];
}

/** Every state of a machine below the root, in document order. */
export function machineStates(machine: AnyStateMachine): MachineState[] {
  const out: MachineState[] = [];
  const walk = (n: AnyStateNode) => {
    if (n.parent) {
      const transitions: MachineState['transitions'] = [];
      const add = (event: string, ts: readonly { target?: readonly AnyStateNode[] }[]) => {
        for (const t of ts) {
          const targets = targetPaths(machine, t.target);
          if (targets.length) transitions.push({ event, targets });
        }
      };
      for (const [event, ts] of Object.entries(n.on)) add(event, ts);
      if (n.always) add('(automatic)', n.always);
      out.push({ path: pathOf(n), type: n.type, meta: metaOf(n), on: Object.keys(n.on), transitions });
    }
    for (const child of Object.values(n.states)) walk(child);
  };
  walk(machine.root);
  return out;
}

/** Event types with a transition declared on the machine's root (accepted in every state). */
export function rootEvents(machine: AnyStateMachine): string[] {
  return Object.keys(machine.root.on);
}

/**
 * State paths that `event` leaves and enters again (`reenter: true` transitions) from `snapshot`:
 * their deadlines restart.
 */
export function reenteredStates(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: EventObject): string[] {
  return machine
    .getTransitionData(snapshot, event)
    .filter((t) => t.reenter)
    .flatMap((t) => targetPaths(machine, t.target));
}

function isEffect(e: unknown): e is WorkflowEffect {
  return (
    typeof e === 'object' &&
    e !== null &&
    'type' in e &&
    (e.type === 'effect.openChildren' || e.type === 'effect.notify' || e.type === 'effect.fullPeriod')
  );
}

/** The workflow effects a transition asked for by emitting them, in order, from the actions `transition()` returned. */
export function emittedEffects(actions: readonly { type: string; params?: unknown }[]): WorkflowEffect[] {
  const out: WorkflowEffect[] = [];
  for (const a of actions) {
    if (a.type !== 'xstate.emit') continue;
    const p = a.params;
    const ev: unknown = typeof p === 'object' && p !== null && 'event' in p ? p.event : undefined;
    if (isEffect(ev)) out.push(ev);
  }
  return out;
}

/**
 * Enters the states at `paths` from `snapshot` as a transition would, running their entry actions
 * and then any eventless transitions, with `event` as the entering event. Used to move an instance
 * into a stage by migration: a copy of the machine with one root transition (on `event.type`) to
 * those states computes the next snapshot; the result is restored on `machine` itself.
 */
export function enterStates(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  paths: readonly string[],
  event: EventObject,
): [AnyMachineSnapshot, { type: string; params?: unknown }[]] {
  const config = machine.config;
  const rootOn = (config.on ?? {}) as Record<string, unknown>;
  const copy = createMachine(
    { ...config, on: { ...rootOn, [event.type]: { target: paths.map((p) => `.${p}`) } } } as typeof config,
    machine.implementations,
  ) as AnyStateMachine;
  const at = (s: AnyMachineSnapshot) => ({
    value: s.value as StateValue,
    context: s.context as Record<string, unknown>,
  });
  const [next, actions] = transition(copy, copy.resolveState(at(snapshot)), event);
  return [machine.resolveState(at(next)), actions];
}
