import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { CorrectableFields } from './corrections';
import type { DynamicDeadline, Labels, Role, WorkflowEvent } from './types';

/** One event a definition accepts: who may send it and the shape of its payload. */
export interface EventSpec<P extends z.ZodType = z.ZodType> {
  description: string;
  roles: readonly Role[];
  payload: P;
  /**
   * The machine reads the draft facts (`world.draft`) for this event though its payload names no
   * draft version (the engine reads them for every event that names one), e.g. the four-eyes
   * review reads who wrote the versions under review.
   */
  readsDraft?: boolean;
}

/** A definition's events by type: its payload catalogue. */
export type EventCatalogue = Readonly<Record<string, EventSpec>>;

/**
 * The events a machine receives, derived from its catalogue: one `WorkflowEvent` per type, whose
 * payload is what that type's schema produces. A machine typed with it reads only fields its
 * schemas declare, so renaming a payload field fails to compile where the machine reads it.
 */
export type EventsOf<Cat extends EventCatalogue> = {
  [K in keyof Cat & string]: WorkflowEvent<K, z.output<Cat[K]['payload']>>;
}[keyof Cat & string];

/**
 * A business rule behind a machine guard, with the sentence shown to a person when it refuses.
 * It returns null when the transition may be taken, else the reason. Declared as a method so a
 * definition's rules over its own context and events fit the engine's view of every definition
 * (`Refusal` with its defaults): the engine calls them only with the definition's own snapshot
 * context and with events that passed the definition's payload schemas.
 */
export type Refusal<C = unknown, E extends WorkflowEvent = WorkflowEvent> = {
  refuse(args: { context: C; event: E }, params?: unknown): string | null;
}['refuse'];

/** An event's type and payload, one member per event type (so a check of `type` narrows `payload`). */
export type PayloadOf<E extends WorkflowEvent> = E extends WorkflowEvent ? Pick<E, 'type' | 'payload'> : never;

/** A payload field naming another procedure, and which definitions it may be. */
export interface InstanceReference {
  field: string;
  instanceId: string;
  definitions: readonly string[];
}

/** A finding another procedure may be linked to (1(a) findings feeding 1(c)-(e)). */
export interface LinkableFinding {
  id: string;
  text: string;
  memorandumId: string | null;
  suggestedMeasure: string | null;
}

/** Business keys an instance is filed under, for filtering and for finding existing procedures. */
export interface BusinessKeys {
  partner: string | null;
  memorandum: string | null;
  treaty: string | null;
  /** A human-readable key unique to the subject of the procedure, e.g. `1e:TR`. */
  subject: string;
}

/**
 * A procedure definition. `C`, `E` and `I` are its machine's context, events and start input; the
 * defaults are the engine's view of any definition. The functions are methods, so a definition
 * typed over its own machine is one of `WorkflowDefinition` (the engine hands each only what its
 * machine produced and what passed its schemas).
 */
export interface WorkflowDefinition<
  C = unknown,
  E extends WorkflowEvent = WorkflowEvent,
  I = unknown,
  M extends AnyStateMachine = AnyStateMachine,
> {
  id: string;
  version: number;
  /** The roadmap measure, e.g. `1(d)`. */
  measure: string;
  title: Labels;
  description: string;
  machine: M;
  /** Who may start an instance, and the shape of the start input. */
  startRoles: readonly Role[];
  input: z.ZodType<I>;
  events: EventCatalogue;
  /** Named guard -> the reason it gives when it refuses; the same functions back the machine's guards. */
  refusals: Readonly<Record<string, Refusal<C, E>>>;
  businessKeys(input: I): BusinessKeys;
  /** Deadlines not tied to one state (e.g. one per memorandum assessment); the engine keeps them in sync. */
  dynamicDeadlines?(context: C): DynamicDeadline[];
  /**
   * Other procedures an event's payload names (e.g. a finding linked to a 1(e)). The engine checks,
   * in the event's transaction, that each exists and is of one of the allowed definitions.
   */
  references?(event: PayloadOf<E>): InstanceReference[];
  /**
   * What the record (context) must show for an instance to stand in a stage: a review passed, a
   * consensus reached (`prerequisitesOf` in kernel/migration.ts). A migration into a stage whose
   * prerequisite is missing is refused with the reason it gives.
   */
  stagePrerequisite?(statePath: string, context: C): string | null;
  /**
   * The findings of an instance that other procedures may be linked to (1(a)); the engine records
   * such links as events on both instances, at any stage, a closed one included.
   */
  findings?(context: C): LinkableFinding[];
  /** What a finished instance reports to its parent (CHILD_DONE). */
  output?(context: C, finalState: string): Record<string, unknown> | null;
  /** The recorded facts that may be corrected (a correction event, reviewed by a second officer). */
  corrections?: CorrectableFields<C>;
}

/** An XState guard backed by a refusal: it passes when the refusal gives no reason. */
export type GuardOf<C, E> = (args: { context: C; event: E }, params?: unknown) => boolean;

/** Turns refusals into XState guards, so one function both guards the machine and explains a refusal. */
export function guardsFrom<C, E extends WorkflowEvent, K extends string>(
  refusals: Readonly<Record<K, Refusal<C, E>>>,
): Record<K, GuardOf<C, E>> {
  const guards = {} as Record<K, GuardOf<C, E>>;
  for (const key of Object.keys(refusals) as K[]) {
    const refusal = refusals[key];
    guards[key] = (args, params) => refusal({ context: args.context, event: args.event }, params) === null;
  }
  return guards;
}
