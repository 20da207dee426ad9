/**
 * Circulation for comments: the member states each answer a version with comments or "no
 * comments" within the stage's period. Entering the stage opens a round on `context.draftVersion`
 * (electorate: the member states of that moment); RESPOND records an answer; when every state has
 * answered, or the deadline passes, the round is closed with the states that did not answer and
 * the stage moves on. Every round is kept in `context.commentRounds`.
 */
import type { MachineContext } from 'xstate';
import type { Refusal } from './definition';
import { assignTo, emitTo, lastOf, notice, numberIn, textIn, type ProcedureEvent } from './stage';
import type { WorkflowEvent } from './types';

export interface CommentResponse {
  memberState: string;
  hasComments: boolean;
  comments: string | null;
  by: string;
  actingFor: string | null;
  at: string;
}

export interface CommentRound {
  number: number;
  draftVersion: number;
  electorate: string[];
  openedAt: string;
  responses: Record<string, CommentResponse>;
  closedAt: string | null;
  /** States that had not answered when the period ended. */
  unanswered: string[];
}

/** The part of a machine's context a circulation for comments reads and writes. */
export interface CommentsContext extends MachineContext {
  draftVersion: number | null;
  commentRounds: CommentRound[];
}

export const lastCommentRound = (context: CommentsContext): CommentRound | undefined => lastOf(context.commentRounds);

/** The states that have not answered the open round (none when no round is open). */
export function unansweredComments(context: CommentsContext): string[] {
  const r = lastCommentRound(context);
  return r && !r.closedAt ? r.electorate.filter((s) => !r.responses[s]) : [];
}

/** Opens a round on the context's draft version with the member states of this moment. */
export function withCommentRoundOpened<C extends CommentsContext>(context: C, event: ProcedureEvent): Partial<C> {
  const round: CommentRound = {
    number: context.commentRounds.length + 1,
    draftVersion: context.draftVersion as number,
    electorate: [...new Set(event.world.memberStates)].sort(),
    openedAt: event.at,
    responses: {},
    closedAt: null,
    unanswered: [],
  };
  return { commentRounds: [...context.commentRounds, round] } as Partial<C>;
}

/** Records the sender's answer in the open round (guard with a `commentAllowedOf` rule first). */
export function withResponse<C extends CommentsContext>(context: C, event: ProcedureEvent): Partial<C> {
  const r = lastCommentRound(context) as CommentRound;
  const state = event.actor.memberState as string;
  const comments = (textIn(event, 'comments') ?? '').trim();
  const response: CommentResponse = {
    memberState: state,
    hasComments: comments.length > 0,
    comments: comments || null,
    by: event.actor.id,
    actingFor: event.actor.actingFor,
    at: event.at,
  };
  return {
    commentRounds: [...context.commentRounds.slice(0, -1), { ...r, responses: { ...r.responses, [state]: response } }],
  } as Partial<C>;
}

/** Closes the open round, if any, recording the states that did not answer; nothing to change otherwise. */
export function closeComments<C extends CommentsContext>(context: C, at: string): Partial<C> {
  const r = lastCommentRound(context);
  if (!r || r.closedAt) return {};
  return {
    commentRounds: [
      ...context.commentRounds.slice(0, -1),
      { ...r, closedAt: at, unanswered: r.electorate.filter((s) => !r.responses[s]) },
    ],
  } as Partial<C>;
}

/** How a procedure names its circulation in the sentences of a refusal. */
export interface CommentRoundWording {
  /** When no round is open, e.g. `No circulation round is open.` */
  noneOpen: string;
  /** When the sender answers for no member state. */
  notApprover: string;
  /** The round in a sentence, starting with `this`, e.g. `this circulation`. */
  round: string;
  /** The version in a sentence, e.g. `draft version`. */
  version: string;
}

/** RESPOND: a member state of the open round answers once, on the round's version. */
export function commentAllowedOf(wording: CommentRoundWording): Refusal {
  const theRound = wording.round.charAt(0).toUpperCase() + wording.round.slice(1);
  return ({ context, event }) => {
    const r = lastCommentRound(context as CommentsContext);
    const state = event.actor.memberState;
    if (!r || r.closedAt) return wording.noneOpen;
    if (!state) return wording.notApprover;
    if (!r.electorate.includes(state)) return `${state} is not among the member states of ${wording.round}.`;
    const v = event.payload.draftVersion;
    if (v !== r.draftVersion)
      return `${theRound} is on ${wording.version} ${r.draftVersion}; an answer on version ${String(v)} cannot be recorded.`;
    if (r.responses[state]) return `${state} has already answered ${wording.round}.`;
    return null;
  };
}

/** Every state of the open round has answered. */
export const allCommentsIn: Refusal = ({ context }) =>
  lastCommentRound(context as CommentsContext) && unansweredComments(context as CommentsContext).length === 0
    ? null
    : 'Some member states have not answered yet.';

/**
 * The entry action, the `always` transition and the RESPOND, REMINDER and DEADLINE_PASSED
 * transitions of a circulation for comments. RESPOND is guarded by `commentAllowed` and the
 * `always` transition by `allCommentsIn` (name them so in the machine's refusals).
 */
export function commentRoundStage<
  C extends CommentsContext,
  D extends string,
  T extends string,
  E extends WorkflowEvent = ProcedureEvent,
>(opts: {
  /** The guard that accepts only this state's deadline. */
  deadline: D;
  /** Where the stage goes once the round is closed. */
  next: T;
  /** Subject of the reminder to the states that have not answered. */
  reminder: (context: C, daysBefore: number) => string;
  /** Subject of the notice to the managers when the period ends (the states that did not answer). */
  closed: (context: C, unanswered: string[]) => string;
}) {
  const close = assignTo<C, E>(({ context, event }) => closeComments(context, event.at));
  const respond = {
    guard: 'commentAllowed' as const,
    actions: assignTo<C, E>(({ context, event }) => withResponse(context, event)),
  };
  const reminder = {
    guard: opts.deadline,
    actions: emitTo<C, E>(({ context, event }) =>
      notice(
        'reminder',
        { memberStates: unansweredComments(context) },
        opts.reminder(context, numberIn(event, 'daysBefore') ?? 0),
      ),
    ),
  };
  const deadlinePassed = {
    guard: opts.deadline,
    target: opts.next,
    actions: [
      emitTo<C, E>(({ context }) => {
        const unanswered = unansweredComments(context);
        return notice('escalation', { roles: ['manager'] }, opts.closed(context, unanswered), { unanswered });
      }),
      close,
    ],
  };
  return {
    /** Entry action: opens the round. */
    open: assignTo<C, E>(({ context, event }) => withCommentRoundOpened(context, event)),
    /** The `always` transition: every state has answered. */
    allIn: { guard: 'allCommentsIn' as const, target: opts.next, actions: close },
    respond,
    reminder,
    deadlinePassed,
    /** The stage's events, for a state that accepts no others. */
    on: { RESPOND: respond, REMINDER: reminder, DEADLINE_PASSED: deadlinePassed },
  };
}
