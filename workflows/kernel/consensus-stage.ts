/**
 * The wiring of a consensus stage, shared by every procedure that asks the member states to sign
 * off on a version: entering the stage opens a round on `context.draftVersion`, POSITION records an
 * answer in the last round, REMINDER tells the states that have not answered, DEADLINE_PASSED tells
 * the managers who is holding the round up (or, under the silence procedure, records the silent
 * states as agreeing and tells the managers who they were). WITHDRAW supersedes any open round.
 *
 * The machines keep what is theirs: the stage name, the deadline guard, the subjects of the
 * notifications, and where the stage goes on consensus or objection (`always`, guarded by the
 * kernel rules `roundObjected` and `roundConsensus`).
 */
import { enqueueActions, type MachineContext } from 'xstate';
import { lastCommentRound, unansweredComments, type CommentRound, type CommentsContext } from './comment-round';
import {
  lastRound,
  openRound,
  positionIn,
  pendingStates,
  recordPosition,
  applySilence,
  supersede,
  type Answerer,
  type ConsensusRound,
} from './consensus';
import type { Refusal } from './definition';
import { deadlineOf } from './rules';
import { assignTo, emitTo, notice, numberIn, textIn, type ProcedureEvent } from './stage';
import type { Actor, WorkflowEffect, WorkflowEvent } from './types';

/** The part of a machine's context a consensus stage reads and writes. */
export interface RoundsContext extends MachineContext {
  rounds: ConsensusRound[];
  draftVersion: number | null;
}

/** The record of a withdrawal, kept in `context.withdrawal`. */
export interface Withdrawal {
  reason: string;
  by: string;
  at: string;
  /** The member states that owed an answer when the procedure was withdrawn (and were told). */
  owedBy?: string[];
}

export interface WithdrawableContext extends RoundsContext {
  withdrawal: Withdrawal | null;
  /** Circulations for comments, in the procedures that have them. */
  commentRounds?: CommentRound[];
}

/** Who answers, as the consensus rule sees them: taken from the actor's identity, never from a payload. */
export function answererOf(actor: Actor): Answerer {
  return { id: actor.id, memberState: actor.memberState, actingFor: actor.actingFor };
}

/** The round being decided (the last one); a consensus stage always has one once entered. */
function currentRound(rounds: readonly ConsensusRound[]): ConsensusRound {
  return lastRound(rounds) as ConsensusRound;
}

/** `rounds` with the last one replaced. */
function replaceLast(rounds: readonly ConsensusRound[], round: ConsensusRound): ConsensusRound[] {
  return [...rounds.slice(0, -1), round];
}

/** Opens a new round on the context's draft version, with the member states of this moment as electorate. */
export function withRoundOpened<C extends RoundsContext>(
  context: C,
  event: ProcedureEvent,
  opts: { stage: string; silenceProcedure: boolean },
): Partial<C> {
  const round = openRound(context.rounds, {
    stage: opts.stage,
    draftVersion: context.draftVersion as number,
    electorate: event.world.memberStates,
    silenceProcedure: opts.silenceProcedure,
    at: event.at,
  });
  return { rounds: [...context.rounds, round] } as Partial<C>;
}

/** Records the sender's position in the last round (guard with `positionAllowed` first). */
export function withPosition<C extends RoundsContext>(context: C, event: ProcedureEvent): Partial<C> {
  const input = positionIn(event);
  if (!input) return {};
  return {
    rounds: replaceLast(
      context.rounds,
      recordPosition(currentRound(context.rounds), answererOf(event.actor), input, event.at),
    ),
  } as Partial<C>;
}

/** Applies the silence procedure to the last round. */
export function withSilence<C extends RoundsContext>(context: C, at: string): Partial<C> {
  return { rounds: replaceLast(context.rounds, applySilence(currentRound(context.rounds), at)) } as Partial<C>;
}

/** Every round still open marked superseded. */
export function withRoundsSuperseded<C extends RoundsContext>(context: C, at: string): Partial<C> {
  return { rounds: context.rounds.map((r) => supersede(r, at)) } as Partial<C>;
}

/** The states that have not answered in the last round (none when it is closed). */
export function pendingIn(context: RoundsContext): string[] {
  return pendingStates(lastRound(context.rounds));
}

/** What a return to drafting records after the last round was objected to: the version, who objected and why, when. */
export function objectionReturn(context: RoundsContext): { draftVersion: number; reason: string; at: string } {
  const r = currentRound(context.rounds);
  return {
    draftVersion: r.draftVersion,
    reason: `${r.objection?.memberState}: ${r.objection?.reason}`,
    at: r.closedAt as string,
  };
}

/** The latest round that ended in an objection, if any. */
export function lastObjected(rounds: readonly ConsensusRound[]): ConsensusRound | undefined {
  return [...rounds].reverse().find((r) => r.outcome === 'objected');
}

/** DEADLINE_PASSED of a consensus stage whose round uses the silence procedure. */
export const silenceDueOf =
  (stateKey: string): Refusal<{ rounds: ConsensusRound[] }> =>
  (args) => {
    const d = deadlineOf(stateKey)(args);
    if (d) return d;
    return lastRound(args.context.rounds)?.silenceProcedure
      ? null
      : 'This round does not use the silence procedure: a missing answer is not an agreement.';
  };

/**
 * The member states that owe an answer now: those that have not answered the open consensus round,
 * or the open circulation for comments, of the procedure (none outside a member-state round).
 */
export function owingStates(context: WithdrawableContext): string[] {
  const round = lastRound(context.rounds ?? []);
  const inConsensus = round && round.outcome === 'open' ? pendingStates(round) : [];
  const comments = Array.isArray(context.commentRounds)
    ? unansweredComments(context as unknown as CommentsContext)
    : [];
  return [...new Set([...inConsensus, ...comments])].sort();
}

/** The circulation part of a context that keeps circulations for comments. */
function commentsOf(context: WithdrawableContext, commentRounds: CommentRound[]): CommentsContext {
  return { draftVersion: context.draftVersion, commentRounds };
}

/** Whether a member-state round (a consensus round or a circulation for comments) is open. */
export function inMemberStateRound(context: WithdrawableContext): boolean {
  const round = lastRound(context.rounds ?? []);
  const comments = context.commentRounds ? lastCommentRound(commentsOf(context, context.commentRounds)) : undefined;
  return round?.outcome === 'open' || (comments !== undefined && comments.closedAt === null);
}

/**
 * WITHDRAW: outside a member-state round a legal officer or a manager withdraws with a reason;
 * while the member states are answering, withdrawal is a manager's act (the states were asked by
 * the Organisation, and are told it no longer asks).
 */
export const withdrawable: Refusal<WithdrawableContext> = ({ context, event }) => {
  if (!inMemberStateRound(context) || event.actor.role === 'manager') return null;
  const owing = owingStates(context);
  return `The member states are answering on draft version ${context.draftVersion ?? ''}: during a member-state round only a manager may withdraw the procedure, with a reason${owing.length ? `, and ${owing.join(', ')}, which still owe an answer, will be told` : ''}. Ask a manager.`;
};

/**
 * WITHDRAW from any open stage (guarded by the kernel rule `withdrawable`; name it so in the
 * machine's refusals): the reason is recorded, open rounds are superseded and the states that owed
 * an answer are told (`owedBy` in the record); `also` closes what else the machine keeps open.
 */
export function withdrawTransition<C extends WithdrawableContext, E extends WorkflowEvent = ProcedureEvent>(
  also?: (context: C, at: string) => Partial<C>,
) {
  return {
    guard: 'withdrawable' as const,
    target: '.withdrawn',
    actions: enqueueActions<C, E, undefined, E, never, never, never, never, WorkflowEffect>(
      ({ context, event, enqueue }) => {
        const reason = textIn(event, 'reason') ?? '';
        const owing = owingStates(context);
        if (owing.length)
          enqueue.emit(
            notice(
              'info',
              { memberStates: owing },
              `The procedure was withdrawn while your state's answer on draft version ${context.draftVersion ?? ''} was awaited: no answer is needed any more`,
              { reason, draftVersion: context.draftVersion, owing },
            ),
          );
        const withdrawal: Withdrawal = {
          reason,
          by: event.actor.id,
          at: event.at,
          ...(owing.length ? { owedBy: owing } : {}),
        };
        enqueue.assign({
          ...(also ? also(context, event.at) : {}),
          ...withRoundsSuperseded(context, event.at),
          withdrawal,
        });
      },
    ),
  } as const;
}

export interface ConsensusStageOptions<C, D extends string, S extends string> {
  /** The state's key, recorded in each round (`stage`). */
  stage: string;
  /** The guard that accepts only this state's deadline (REMINDER, DEADLINE_PASSED). */
  deadline: D;
  /**
   * Where the silence procedure may be chosen: the round takes it from the entering event's
   * `silenceProcedure`, and DEADLINE_PASSED guarded by `guard` records the silent states. Without
   * it no round of the stage uses the silence procedure.
   */
  silence?: { guard: S; subject: (context: C, silent: string[]) => string };
  /** Subject of the reminder to the states that have not answered. */
  reminder: (context: C, daysBefore: number) => string;
  /** Subject of the escalation to the managers when the deadline passes with states still to answer. */
  overdue: (context: C, pending: string[]) => string;
}

/**
 * The entry action and the POSITION, REMINDER and DEADLINE_PASSED transitions of a consensus stage.
 * POSITION is guarded by the kernel rule `positionAllowed`.
 */
export function consensusStage<
  C extends RoundsContext,
  D extends string,
  S extends string = never,
  E extends WorkflowEvent = ProcedureEvent,
>(opts: ConsensusStageOptions<C, D, S>) {
  const escalate = {
    guard: opts.deadline,
    actions: emitTo<C, E>(({ context }) => {
      const pending = pendingIn(context);
      return notice('escalation', { roles: ['manager'] }, opts.overdue(context, pending), { pending });
    }),
  };
  const silence = opts.silence;
  const position = {
    guard: 'positionAllowed' as const,
    actions: assignTo<C, E>(({ context, event }) => withPosition(context, event)),
  };
  const reminder = {
    guard: opts.deadline,
    actions: emitTo<C, E>(({ context, event }) =>
      notice(
        'reminder',
        { memberStates: pendingIn(context) },
        opts.reminder(context, numberIn(event, 'daysBefore') ?? 0),
      ),
    ),
  };
  const deadlinePassed = silence
    ? [
        {
          guard: silence.guard,
          actions: [
            emitTo<C, E>(({ context }) => {
              const silent = pendingIn(context);
              return notice('info', { roles: ['manager'] }, silence.subject(context, silent), { silent });
            }),
            assignTo<C, E>(({ context, event }) => withSilence(context, event.at)),
          ],
        },
        escalate,
      ]
    : [escalate];
  return {
    /** Entry action: opens the round. */
    open: assignTo<C, E>(({ context, event }) =>
      withRoundOpened(context, event, {
        stage: opts.stage,
        silenceProcedure: silence ? event.payload.silenceProcedure === true : false,
      }),
    ),
    position,
    reminder,
    deadlinePassed,
    /** The stage's events, for a state that accepts no others. */
    on: { POSITION: position, REMINDER: reminder, DEADLINE_PASSED: deadlinePassed },
  };
}
