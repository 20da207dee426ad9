import type { EntityManager } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import type { StoredSignature } from '../evidence/signed-statement';

export interface StartCommand {
  definitionId: string;
  input: unknown;
  actor: Actor;
  idempotencyKey?: string | null;
  /** Set when a parent procedure opens this one. */
  parent?: { id: string; key: string } | null;
}

export interface ApplyCommand {
  instanceId: string;
  type: string;
  payload: unknown;
  actor: Actor;
  idempotencyKey?: string | null;
  /**
   * The answer's signed statement, already checked against an active key of the signer by the
   * caller; the engine checks, under the instance lock, that it verifies and names this very
   * answer on the round and draft version open now, and stores it with the event.
   */
  signature?: StoredSignature | null;
}

/** The instance as it stands under its lock, for an EventResolver. */
export interface LockedInstance {
  context: unknown;
  statePath: string;
  status: 'active' | 'done';
  /**
   * The command's actor as they act at the lock: an approver covered by an acting appointment then
   * answers for its member state, on behalf of the approver they replace (read with the lock).
   */
  actor: Actor;
}

/**
 * Decides an event under the instance lock, in the event's transaction (`manager`), from the
 * instance as it stands: a member state's answer is a POSITION or a RESPOND depending on the round
 * open now, and its actor is who the caller acts as at this moment (`instance.actor`). Throws a
 * DomainException to refuse.
 */
export type EventResolver = (
  manager: EntityManager,
  instance: LockedInstance,
) =>
  | Promise<{ type: string; payload: Record<string, unknown>; actor: Actor }>
  | { type: string; payload: Record<string, unknown>; actor: Actor };

export interface ApplyResult {
  instanceId: string;
  seq: number;
  type: string;
  state: string;
  status: 'active' | 'done';
  outcome: string | null;
  /** True when the idempotency key was seen before and nothing was applied this time. */
  replayed: boolean;
}

export interface InstanceRow {
  id: string;
  definition_id: string;
  definition_version: number;
  snapshot: Record<string, unknown>;
  state_path: string;
  status: 'active' | 'done';
  outcome: string | null;
  partner: string | null;
  memorandum: string | null;
  treaty: string | null;
  subject: string;
  parent_id: string | null;
  parent_key: string | null;
  started_by: string;
  seq: number;
  last_hash: string;
  created_at: Date;
  updated_at: Date;
}

/** A step of the engine's transaction at which a fault hook may make it fail. */
export type FaultPoint = 'after-lock' | 'after-snapshot' | 'after-event' | 'after-deadlines' | 'after-outbox';

/**
 * The engine's fault port: called at each FaultPoint inside the transaction; throwing makes the
 * transaction fail there. No provider in production (the engine then calls nothing); fault tests
 * provide one to prove that nothing partial is ever kept.
 */
export const ENGINE_FAULTS = Symbol('ENGINE_FAULTS');

export interface EngineFaultHook {
  at(point: FaultPoint, command: { type: string; instanceId?: string }): void;
}

export const DEFINITIONS = 'WORKFLOW_DEFINITIONS';

/** Engine events that are not machine events: written to the same history, through the same path. */
export const ENGINE_EVENTS = {
  start: '$start',
  migrated: '$migrated',
  deadlineExtended: '$deadline_extended',
  findingLinked: '$finding_linked',
  /** A correction of a recorded fact proposed (who, why, old and new value): the record is unchanged. */
  correctionProposed: '$correction_proposed',
  /** A second officer confirmed a correction: the record now reads the new value. */
  correctionConfirmed: '$correction_confirmed',
  correctionRejected: '$correction_rejected',
} as const;

/** The definitions whose procedures a 1(a) finding may be linked to (the measures it feeds). */
export const FINDING_TARGETS: readonly string[] = [
  'regulation-amendment',
  'model-memorandum-amendment',
  'memorandum-amendment',
];

/** Link a finding of a 1(a) analysis and a 1(c)/(d)/(e) procedure, from either side. */
export interface LinkFindingCommand {
  analysisId: string;
  findingId: string;
  procedureId: string;
  /** The instance the link is made from (the page the officer is on). */
  from: 'analysis' | 'procedure';
  actor: Actor;
  idempotencyKey?: string | null;
}
