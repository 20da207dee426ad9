/**
 * The four-eyes internal review of a draft version: SUBMIT_FOR_REVIEW records the version and who
 * submitted it, a reviewer who wrote or edited none of the versions since the last approved review
 * (kernel rule `fourEyes`, reading the draft's authorship from the world facts) approves it or
 * returns it with a reason, and every decision is logged in `context.reviews`. A consolidated
 * version is reviewed lightly by CONFIRM_CHANGES (same rule, logged with kind `confirm_changes`).
 * The review state's deadline reminds the legal officers and tells the managers when it is overdue.
 */
import type { MachineContext } from 'xstate';
import { assignTo, emitTo, notice, numberIn, textIn, type ProcedureEvent } from './stage';
import type { World, WorkflowEvent } from './types';

/** The internal legal review's period, the same wherever the four-eyes review stage is used. */
export const REVIEW_PERIOD = Object.freeze({
  days: 10,
  unit: 'working' as const,
  remindBefore: [2],
  escalateTo: ['manager' as const],
});

/** `review`: the internal review stage; `confirm_changes`: the light review of a consolidated version. */
export type ReviewKind = 'review' | 'confirm_changes';

export interface Review {
  draftVersion: number;
  by: string;
  at: string;
  decision: 'approved' | 'returned';
  reason: string | null;
  /** Absent in reviews recorded before light reviews existed: those were all `review`. */
  kind?: ReviewKind;
}

/** The part of a machine's context the review reads and writes. */
export interface ReviewContext extends MachineContext {
  draftVersion: number | null;
  /** Who sent the version to review (SUBMIT_FOR_REVIEW); the author only where the draft keeps no authorship. */
  drafter: string | null;
  reviews: Review[];
}

/** The version sent to review and who sent it. */
export function withSubmission<C extends ReviewContext>(event: ProcedureEvent): Partial<C> {
  return { draftVersion: numberIn(event, 'draftVersion'), drafter: event.actor.id } as Partial<C>;
}

/** Logs the reviewer's decision on the context's draft version; a return carries the event's reason. */
export function withReview<C extends ReviewContext>(
  context: C,
  event: ProcedureEvent,
  decision: Review['decision'],
): Partial<C> {
  const review: Review = {
    draftVersion: context.draftVersion as number,
    by: event.actor.id,
    at: event.at,
    decision,
    reason: decision === 'returned' ? textIn(event, 'reason') : null,
    kind: 'review',
  };
  return { reviews: [...context.reviews, review] } as Partial<C>;
}

/** Logs a light review (CONFIRM_CHANGES) of the version the event names, by its sender (guard with `changesConfirmable`). */
export function withChangesConfirmed<C extends Pick<ReviewContext, 'reviews'>>(
  context: C,
  event: ProcedureEvent,
): Partial<C> {
  const review: Review = {
    draftVersion: numberIn(event, 'draftVersion') as number,
    by: event.actor.id,
    at: event.at,
    decision: 'approved',
    reason: null,
    kind: 'confirm_changes',
  };
  return { reviews: [...context.reviews, review] } as Partial<C>;
}

/** Whether another officer approved exactly this version, in the review stage or by confirming its changes. */
export function isReviewed(reviews: readonly Review[], version: number): boolean {
  return reviews.some((r) => r.draftVersion === version && r.decision === 'approved');
}

/**
 * The versions a reviewer of `version` must not have written or edited: those after the last
 * version another officer approved, up to `version`, with their authors (from the draft facts).
 * Null when the world holds no draft facts.
 */
export function versionsToReview(
  reviews: readonly Review[],
  world: World,
  version: number,
): { number: number; author: string }[] | null {
  if (!world.draft) return null;
  const approved = reviews
    .filter((r) => r.decision === 'approved' && r.draftVersion < version)
    .map((r) => r.draftVersion);
  const since = approved.length ? Math.max(...approved) : 0;
  return world.draft.versions.filter((v) => v.number > since && v.number <= version);
}

/**
 * The actions and deadline transitions of a review stage. `what` names the thing under review in
 * the notifications (`… is due soon`, `… is overdue`); `deadline` is the guard of the state's deadline.
 */
export function reviewStage<C extends ReviewContext, D extends string, E extends WorkflowEvent = ProcedureEvent>(opts: {
  deadline: D;
  what: (context: C) => string;
}) {
  const reminder = {
    guard: opts.deadline,
    actions: emitTo<C, E>(({ context }) =>
      notice('reminder', { roles: ['legal_officer'] }, `${opts.what(context)} is due soon`),
    ),
  };
  const deadlinePassed = {
    guard: opts.deadline,
    actions: emitTo<C, E>(({ context }) =>
      notice('escalation', { roles: ['manager'] }, `${opts.what(context)} is overdue`),
    ),
  };
  return {
    /** SUBMIT_FOR_REVIEW: record the version and its drafter. */
    submitted: assignTo<C, E>(({ event }) => withSubmission<C>(event)),
    approved: assignTo<C, E>(({ context, event }) => withReview(context, event, 'approved')),
    returned: assignTo<C, E>(({ context, event }) => withReview(context, event, 'returned')),
    reminder,
    deadlinePassed,
    /** REMINDER and DEADLINE_PASSED of the review's deadline. */
    deadlineEvents: { REMINDER: reminder, DEADLINE_PASSED: deadlinePassed },
  };
}
