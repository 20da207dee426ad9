/**
 * Replays a procedure's recorded events through its machine (the definition version each event
 * was applied on), exactly as the engine applied them: restore the persisted snapshot, check the
 * machine accepts the event, XState's pure `transition`, persist. Pure (xstate and the machines of
 * `workflows/`): the service's verify and the offline verifier share it.
 *
 * What the replay proves: the stored snapshot (stage, context, every position the approval matrix
 * shows) is what the recorded events produce, and each event's recorded stage is the one it led to.
 * A hand edit of the snapshot alone, or of an event together with its hashes, shows up here.
 */
import { initialTransition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import stringify from 'json-stable-stringify';
import { awaitedAnswers } from '../../workflows/kernel/awaited';
import { pureTransition, statePaths } from '../../workflows/kernel/inspect';
import { enterByMigration } from '../../workflows/kernel/migration';
import type { Actor, Role, WorkflowEvent, World } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { ENGINE_EVENTS } from '../engine/engine.types';
import { pathsToValue } from '../engine/state-value';
import type { BundleEvent } from './bundle';

export interface ReplayResult {
  /** Sentences, each naming the event or the part of the snapshot that disagrees; empty when all agree. */
  problems: string[];
  /** The persisted snapshot the events produce (JSON, as PostgreSQL would store it); null if the replay stopped. */
  snapshot: Record<string, unknown> | null;
  state: string | null;
  status: 'active' | 'done' | null;
}

type Persisted = Record<string, unknown>;

const asJson = (value: unknown): Persisted => JSON.parse(JSON.stringify(value)) as Persisted;

function restore(machine: AnyStateMachine, persisted: Persisted): AnyMachineSnapshot {
  return machine.resolveState(persisted as never) as AnyMachineSnapshot;
}

function actorOf(e: BundleEvent): Actor {
  return {
    id: e.actor.id,
    role: e.actor.role as Role,
    memberState: e.actor.memberState,
    actingFor: e.actor.actingFor,
  };
}

/** Engine events recorded beside the machine: they leave the snapshot as it was. */
const RECORD_ONLY: ReadonlySet<string> = new Set([
  ENGINE_EVENTS.deadlineExtended,
  ENGINE_EVENTS.findingLinked,
  ENGINE_EVENTS.correctionProposed,
  ENGINE_EVENTS.correctionRejected,
]);

/** The facts the machine was handed with the event, as the bundle carries them. */
function worldOf(e: BundleEvent): World {
  const { memberStates, memoranda, bodies, draft, ...rest } = e.world;
  return { ...rest, memberStates, memoranda, bodies: bodies ?? [], draft: (draft ?? null) as World['draft'] };
}

export function replay(
  registry: DefinitionRegistry,
  definitionId: string,
  events: readonly BundleEvent[],
): ReplayResult {
  const problems: string[] = [];
  const stop = (problem: string): ReplayResult => ({
    problems: [...problems, problem],
    snapshot: null,
    state: null,
    status: null,
  });
  let persisted: Persisted | null = null;
  let machine: AnyStateMachine | null = null;
  for (const e of events) {
    const label = `event ${e.seq} (${e.type})`;
    const def = registry.get(definitionId, e.definitionVersion);
    if (!def) return stop(`${label}: this verifier does not know ${definitionId} version ${e.definitionVersion}`);
    let next: AnyMachineSnapshot;
    if (e.type === ENGINE_EVENTS.start) {
      if (persisted) return stop(`${label}: a procedure starts once, and this one had started already`);
      const input = { ...(e.payload as object), startedBy: e.actor.id, startedAt: e.at, world: worldOf(e) };
      [next] = initialTransition(def.machine, input);
    } else if (!persisted || !machine) {
      return stop(`${label}: the record does not begin with the start of the procedure`);
    } else if (e.type === ENGINE_EVENTS.migrated) {
      const p = (e.payload ?? {}) as { toVersion?: unknown; to?: unknown; from?: unknown };
      const to = typeof p.toVersion === 'number' ? registry.get(definitionId, p.toVersion) : undefined;
      if (!to || typeof p.to !== 'string')
        return stop(`${label}: the migration does not name a known version and state`);
      const current = restore(machine, persisted);
      const placed = restore(to.machine, {
        status: 'active',
        value: pathsToValue(p.to.split(',')),
        context: current.context as unknown,
        historyValue: {},
        children: {},
      });
      // a stage entered by the migration was entered as a transition enters it (kernel/migration.ts)
      const from = statePaths(current);
      const entered = p.to.split(',').filter((x) => !from.includes(x));
      next = entered.length
        ? enterByMigration(to.machine, placed, entered, {
            type: e.type,
            payload: p,
            actor: actorOf(e),
            at: e.at,
            world: worldOf(e),
          })[0]
        : placed;
    } else if (e.type === ENGINE_EVENTS.correctionConfirmed) {
      // a confirmed correction writes the new value into the record, nothing else (kernel/corrections.ts)
      const p = (e.payload ?? {}) as { field?: unknown; newValue?: unknown };
      const spec = typeof p.field === 'string' ? def.corrections?.[p.field] : undefined;
      if (!spec)
        return stop(`${label}: ${definitionId} version ${e.definitionVersion} has no correctable "${String(p.field)}"`);
      const current = restore(def.machine, persisted);
      next = restore(def.machine, { ...persisted, context: spec.write(current.context, p.newValue) });
    } else if (RECORD_ONLY.has(e.type)) {
      // recorded beside the machine: the snapshot does not change
      next = restore(def.machine, persisted);
    } else {
      const snapshot = restore(def.machine, persisted);
      const event: WorkflowEvent = {
        type: e.type,
        payload: (e.payload ?? {}) as Record<string, unknown>,
        actor: actorOf(e),
        at: e.at,
        world: worldOf(e),
      };
      if (snapshot.status !== 'active' || !snapshot.can(event))
        return stop(`${label}: the machine refuses this event in stage "${statePaths(snapshot).join(',')}"`);
      [next] = pureTransition(def.machine, snapshot, event);
    }
    const state = statePaths(next).join(',');
    if (state !== e.stateAfter)
      problems.push(`${label}: the events lead to stage "${state}", the record says "${e.stateAfter}"`);
    machine = def.machine;
    if (e.type === ENGINE_EVENTS.migrated) {
      const p = e.payload as { toVersion: number };
      machine = registry.get(definitionId, p.toVersion)!.machine;
    }
    persisted = asJson(machine.getPersistedSnapshot(next));
  }
  if (!persisted || !machine) return stop('the record has no events');
  const final = restore(machine, persisted);
  return {
    problems,
    snapshot: persisted,
    state: statePaths(final).join(','),
    status: final.status === 'done' ? 'done' : 'active',
  };
}

/** Where two JSON values first differ ("context.rounds[0].positions.KZ.kind: ..."), or null when equal. */
export function firstDifference(stored: unknown, replayed: unknown, path = ''): string | null {
  if (stringify(stored) === stringify(replayed)) return null;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (Array.isArray(stored) && Array.isArray(replayed)) {
    if (stored.length !== replayed.length)
      return `${path || '(root)'}: ${stored.length} entries stored, ${replayed.length} from the events`;
    for (let i = 0; i < stored.length; i++) {
      const d = firstDifference(stored[i], replayed[i], `${path}[${i}]`);
      if (d) return d;
    }
  } else if (isObject(stored) && isObject(replayed) && !Array.isArray(stored) && !Array.isArray(replayed)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(replayed)])].sort();
    for (const k of keys) {
      const d = firstDifference(stored[k], replayed[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  const show = (v: unknown) => (v === undefined ? 'nothing' : (stringify(v) ?? 'nothing').slice(0, 120));
  return `${path || '(root)'}: stored ${show(stored)}, the events give ${show(replayed)}`;
}

/** Who owes an answer according to a snapshot: what the `awaiting_answer` read model must hold. */
export function awaitingFrom(snapshot: Persisted | null) {
  const a = awaitedAnswers(snapshot?.context ?? null);
  if (!a) return [];
  return a.pending
    .map((memberState) => ({ memberState, question: a.kind, round: a.round, draftVersion: a.draftVersion }))
    .sort((x, y) => x.memberState.localeCompare(y.memberState));
}
