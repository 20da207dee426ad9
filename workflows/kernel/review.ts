/**
 * The four-eyes internal review of a draft version: SUBMIT_FOR_REVIEW records the version and its
 * drafter, a reviewer who is not the drafter (kernel rule `fourEyes`) approves it or returns it
 * with a reason, and every decision is logged in `context.reviews`. The review state's deadline
 * reminds the legal officers and tells the managers when it is overdue.
 */
import type { MachineContext } from 'xstate';
import { assignTo, emitTo, notice, numberIn, textIn, type ProcedureEvent } from './stage';
import type { WorkflowEvent } from './types';

/** The internal legal review's period, the same wherever the four-eyes review stage is used. */
export const REVIEW_PERIOD = Object.freeze({
  days: 10,
  unit: 'working' as const,
  remindBefore: [2],
  escalateTo: ['manager' as const],
});

export interface Review {
  draftVersion: number;
  by: string;
  at: string;
  decision: 'approved' | 'returned';
  reason: string | null;
}

/** The part of a machine's context the review reads and writes. */
export interface ReviewContext extends MachineContext {
  draftVersion: number | null;
  drafter: string | null;
  reviews: Review[];
}

/** The version sent to review and who drafted it (the sender). */
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
  };
  return { reviews: [...context.reviews, review] } as Partial<C>;
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
