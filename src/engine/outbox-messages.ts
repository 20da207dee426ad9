import type { NotifyEffect } from '../../workflows/kernel/types';

/**
 * Every kind of outbox message and its payload. The engine writes them in the transaction of a
 * state change; the handler registered for a kind (ChildProcedures, DeadlineScheduler,
 * NotificationsService) receives the payload of that kind, typed by this one table.
 */
export interface OutboxPayloads {
  /** A parent's `effect.openChildren`: open one child procedure (once per parent and key). */
  'child.open': { parentId: string; definitionId: string; key: string; input: Record<string, unknown> };
  /** A child procedure reached a final state: deliver CHILD_DONE to its parent. */
  'child.done': {
    parentId: string;
    childId: string;
    definitionId: string;
    key: string | null;
    finalState: string | null;
    output: Record<string, unknown> | null;
  };
  /** A deadline row was opened, closed or moved: bring its jobs in line with it. */
  'deadline.sync': { deadlineId: string };
  /** A machine's `effect.notify`: store the notifications of its audience. */
  notify: { instanceId: string; seq: number; definitionId: string; effect: NotifyEffect; by: string };
  /** A procedure reached a final state (adoption, entry into force, withdrawal...): sign its chain head. */
  'evidence.checkpoint': { instanceId: string; seq: number };
}

export type OutboxKind = keyof OutboxPayloads;

export const OUTBOX_KINDS: readonly OutboxKind[] = [
  'child.open',
  'child.done',
  'deadline.sync',
  'notify',
  'evidence.checkpoint',
];

/** One outbox message of kind K as its handler receives it. */
export interface OutboxMessage<K extends OutboxKind = OutboxKind> {
  id: string;
  instanceId: string | null;
  kind: K;
  payload: OutboxPayloads[K];
  attempts: number;
}

/** The discriminated union of every outbox message: narrowing on `kind` gives its payload. */
export type AnyOutboxMessage = { [K in OutboxKind]: OutboxMessage<K> }[OutboxKind];

/**
 * Runs one kind of outbox message. Must be idempotent: a message may be run again after a crash.
 * It may resolve with a note on what it decided instead of doing the work (stored with the message).
 */
export type OutboxHandler<K extends OutboxKind> = (message: OutboxMessage<K>) => Promise<string | void>;

/**
 * Runs several messages of one kind together, all or nothing (set-based: a few statements for the
 * whole batch instead of a few per message). Must be idempotent like a handler. When it throws, the
 * relay runs the same messages again one at a time, so that one bad message holds up only itself.
 */
export type OutboxBatchHandler<K extends OutboxKind> = (messages: OutboxMessage<K>[]) => Promise<void>;

/** The handler of each kind. */
export type OutboxHandlers = { [K in OutboxKind]: OutboxHandler<K> };
