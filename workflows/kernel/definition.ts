import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { DynamicDeadline, Labels, Role, WorkflowEvent } from './types';

/** One event a definition accepts: who may send it and the shape of its payload. */
export interface EventSpec {
  description: string;
  roles: readonly Role[];
  payload: z.ZodType;
}

/**
 * A business rule behind a machine guard, with the sentence shown to a person when it refuses.
 * `refuse` returns null when the transition may be taken, else the reason.
 */
export type Refusal = (args: { context: any; event: WorkflowEvent<string, any> }, params?: unknown) => string | null;

/** A payload field naming another procedure, and which definitions it may be. */
export interface InstanceReference {
  field: string;
  instanceId: string;
  definitions: readonly string[];
}

/** Business keys an instance is filed under, for filtering and for finding existing procedures. */
export interface BusinessKeys {
  partner: string | null;
  memorandum: string | null;
  treaty: string | null;
  /** A human-readable key unique to the subject of the procedure, e.g. `1e:TR`. */
  subject: string;
}

export interface WorkflowDefinition {
  id: string;
  version: number;
  /** The roadmap measure, e.g. `1(d)`. */
  measure: string;
  title: Labels;
  description: string;
  machine: AnyStateMachine;
  /** Who may start an instance, and the shape of the start input. */
  startRoles: readonly Role[];
  input: z.ZodType;
  events: Readonly<Record<string, EventSpec>>;
  /** Named guard -> the reason it gives when it refuses; the same functions back the machine's guards. */
  refusals: Readonly<Record<string, Refusal>>;
  businessKeys(input: any): BusinessKeys;
  /** Deadlines not tied to one state (e.g. one per memorandum assessment); the engine keeps them in sync. */
  dynamicDeadlines?(context: any): DynamicDeadline[];
  /**
   * Other procedures an event's payload names (e.g. a finding linked to a 1(e)). The engine checks,
   * in the event's transaction, that each exists and is of one of the allowed definitions.
   */
  references?(type: string, payload: any): InstanceReference[];
  /** What a finished instance reports to its parent (CHILD_DONE). */
  output?(context: any, finalState: string): Record<string, unknown> | null;
}

/** Turns refusals into XState guards, so one function both guards the machine and explains a refusal. */
export function guardsFrom<T extends Record<string, Refusal>>(
  refusals: T,
): { [K in keyof T]: (args: any, params?: any) => boolean } {
  const guards = {} as { [K in keyof T]: (args: any, params?: any) => boolean };
  for (const key of Object.keys(refusals) as (keyof T)[]) {
    guards[key] = (args: any, params?: any) =>
      refusals[key]({ context: args.context, event: args.event }, params) === null;
  }
  return guards;
}
