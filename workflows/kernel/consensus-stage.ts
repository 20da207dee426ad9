/**
 * The wiring of a consensus stage, shared by every procedure that asks the member states to sign
 * off on a version: entering the stage opens a round on `context.draftVersion`; POSITION records an
 * answer (or a change of answer) in the last round; REMINDER tells the states that have not
 * answered; DEADLINE_PASSED settles the round if it can (under the silence procedure, after
 * recording the silent states as agreeing) and otherwise tells the managers who is holding it up;
 * CLOSE_ROUND lets a manager close a round that can no longer reach consensus; MEMBERSHIP_CHANGED
 * brings the electorate to the member states of the moment. Every one of these events first does
 * the same (the round's electorate is checked against the member states the engine read in the
 * event's transaction), so no event settles a round on an outdated electorate. WITHDRAW
 * supersedes any open round.
 *
 * The machines keep what is theirs: the stage name, the deadline guard, the silence rule, the
 * subjects of the notifications, and where the stage goes on consensus or objection (`always`,
 * guarded by the kernel rules `roundObjected` and `roundConsensus`).
 */
import { enqueueActions, type MachineContext } from 'xstate';
import { lastCommentRound, unansweredComments, type CommentRound, type CommentsContext } from './comment-round';
import {
  closeEarly,
  lastRound,
  openRound,
  positionIn,
  pendingStates,
  recordPosition,
  reservationsIn,
  roundOf,
  settleAtDeadline,
  silentStates,
  supersede,
  withElectorate,
  type Answerer,
  type ConsensusRound,
  type StatedView,
} from './consensus';
import type { Refusal } from './definition';
import { assignTo, notice, numberIn, textIn, type ProcedureEvent } from './stage';
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

/** Why a state is removed from an open round: the reason MEMBERSHIP_CHANGED carries, else the reference data of the moment. */
function leavingReason(event: WorkflowEvent): string {
  return (
    (event.type === 'MEMBERSHIP_CHANGED' ? textIn(event, 'reason') : null) ??
    `no longer a member state on ${event.at.slice(0, 10)} according to the reference data`
  );
}

/**
 * The last round with its electorate brought to the member states of the event's moment (where the
 * round follows membership). Rules and actions both read the round through this, so a guard and
 * the transition it allows see the same electorate.
 */
export function roundAtEvent(rounds: readonly ConsensusRound[], event: WorkflowEvent): ConsensusRound | undefined {
  const round = lastRound(rounds);
  if (!round || round.outcome !== 'open') return round;
  return withElectorate(round, event.world.memberStates, event.at, leavingReason(event));
}

/** Opens a new round on the context's draft version, with the member states of this moment as electorate. */
export function withRoundOpened<C extends RoundsContext>(
  context: C,
  event: ProcedureEvent,
  opts: { stage: string; silenceProcedure: boolean; followsMembership?: boolean },
): Partial<C> {
  const round = openRound(context.rounds, {
    stage: opts.stage,
    draftVersion: context.draftVersion as number,
    electorate: event.world.memberStates,
    silenceProcedure: opts.silenceProcedure,
    followsMembership: opts.followsMembership ?? true,
    at: event.at,
  });
  return { rounds: [...context.rounds, round] } as Partial<C>;
}

/** The last round brought to the member states of the event's moment. */
export function withMembership<C extends RoundsContext>(context: C, event: ProcedureEvent): Partial<C> {
  const round = roundAtEvent(context.rounds, event);
  return round ? ({ rounds: replaceLast(context.rounds, round) } as Partial<C>) : {};
}

/** Records the sender's position in the last round (guard with `positionAllowed` first). */
export function withPosition<C extends RoundsContext>(context: C, event: ProcedureEvent): Partial<C> {
  const input = positionIn(event);
  if (!input) return {};
  const round = roundAtEvent(context.rounds, event) as ConsensusRound;
  return {
    rounds: replaceLast(context.rounds, recordPosition(round, answererOf(event.actor), input, event.at)),
  } as Partial<C>;
}

/** Whether the event brings a state into the open last round (it then gets a full answer period). */
function joinsAt(rounds: readonly ConsensusRound[], event: WorkflowEvent): boolean {
  const before = lastRound(rounds);
  const after = roundAtEvent(rounds, event);
  return (
    !!before && !!after && after.outcome === 'open' && after.electorate.some((s) => !before.electorate.includes(s))
  );
}

/**
 * The deadline of the last round has passed: silence where its rules use it, then settle if it can.
 * A state that joins at this very moment gets its full period (the deadline moves later), so the
 * round is then not settled: the moved deadline passes again later.
 */
export function withDeadlinePassed<C extends RoundsContext>(context: C, event: ProcedureEvent): Partial<C> {
  const round = roundAtEvent(context.rounds, event) as ConsensusRound;
  if (joinsAt(context.rounds, event)) return { rounds: replaceLast(context.rounds, round) } as Partial<C>;
  return { rounds: replaceLast(context.rounds, settleAtDeadline(round, event.at)) } as Partial<C>;
}

/** A manager closes the last round early (guard with `earlyCloseAllowed` first). */
export function withRoundClosedEarly<C extends RoundsContext>(context: C, event: ProcedureEvent): Partial<C> {
  const round = roundAtEvent(context.rounds, event) as ConsensusRound;
  return {
    rounds: replaceLast(context.rounds, closeEarly(round, event.actor.id, textIn(event, 'reason') ?? '', event.at)),
  } as Partial<C>;
}

/** Every round still open marked superseded. */
export function withRoundsSuperseded<C extends RoundsContext>(context: C, at: string): Partial<C> {
  return { rounds: context.rounds.map((r) => supersede(r, at)) } as Partial<C>;
}

/** The states that have not answered in the last round (none when it is closed). */
export function pendingIn(context: RoundsContext): string[] {
  return pendingStates(lastRound(context.rounds));
}

/** A return to drafting after an objected round: every objection and reservation that stood. */
export interface ObjectionReturn {
  draftVersion: number;
  reason: string;
  at: string;
  objections: StatedView[];
  reservations: StatedView[];
}

const listed = (views: readonly StatedView[]) => views.map((v) => `${v.memberState}: ${v.text}`).join('; ');

/**
 * What a return to drafting records after the last round was objected to: the version, every
 * objection and every reservation that stood when it settled (and who closed it early, why), when.
 */
export function objectionReturn(context: RoundsContext): ObjectionReturn {
  const r = roundOf(currentRound(context.rounds));
  const reservations = reservationsIn(r);
  const parts = [`Objections: ${listed(r.objections)}`];
  if (reservations.length) parts.push(`Reservations: ${listed(reservations)}`);
  if (r.closedEarly) parts.push(`Round closed early by ${r.closedEarly.by}: ${r.closedEarly.reason}`);
  return {
    draftVersion: r.draftVersion,
    reason: `${parts.join('. ')}.`,
    at: r.closedAt as string,
    objections: r.objections,
    reservations,
  };
}

/** The objections of a settled round, in words: `RU ("Art. 5"), IN ("Art. 7")`. */
export function objectionsOf(round: ConsensusRound): string {
  return roundOf(round)
    .objections.map((o) => `${o.memberState} ("${o.text}")`)
    .join(', ');
}

/** The latest round that ended in an objection, if any. */
export function lastObjected(rounds: readonly ConsensusRound[]): ConsensusRound | undefined {
  return [...rounds].reverse().find((r) => r.outcome === 'objected');
}

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
 * an answer are recorded (`owedBy`); the kernel notices (`transitionNotices`, topic `withdrawn`)
 * tell the officers and those states. `also` closes what else the machine keeps open.
 */
export function withdrawTransition<C extends WithdrawableContext, E extends WorkflowEvent = ProcedureEvent>(
  also?: (context: C, at: string) => Partial<C>,
) {
  return {
    guard: 'withdrawable' as const,
    target: '.withdrawn',
    actions: enqueueActions<C, E, undefined, E, never, never, never, never, WorkflowEffect>(
      ({ context, event, enqueue }) => {
        const owing = owingStates(context);
        const withdrawal: Withdrawal = {
          reason: textIn(event, 'reason') ?? '',
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

/**
 * The silence rule of a consensus stage: part of the procedure's definition (and so of its
 * version), never an officer's choice. `applies` says, from the procedure's own facts, whether a
 * round of the stage uses the silence procedure; `rule` says it in words for the views.
 */
export interface SilenceRule<C> {
  rule: string;
  applies: (context: C) => boolean;
  /** Subject of the notice to the managers naming the states counted as agreeing by silence. */
  subject: (context: C, silent: string[]) => string;
}

export interface ConsensusStageOptions<C, D extends string> {
  /** The state's key, recorded in each round (`stage`) and the key of its deadline. */
  stage: string;
  /** The guard that accepts only this state's deadline (REMINDER, DEADLINE_PASSED). */
  deadline: D;
  /** Where the stage's rules use the silence procedure; without it no round of the stage does. */
  silence?: SilenceRule<C>;
  /**
   * Whether the electorate follows the member states of each moment (default). A stage whose
   * electorate is not the membership (e.g. the Parties of one treaty) sets it to false.
   */
  followsMembership?: boolean;
  /** Subject of the reminder to the states that have not answered. */
  reminder: (context: C, daysBefore: number) => string;
  /** Subject of the escalation to the managers when the deadline passes with states still to answer. */
  overdue: (context: C, pending: string[]) => string;
}

/** What an event asks for besides the context change: notices, and a deadline moved later. */
type StageStep<C> = { update: Partial<C>; effects: WorkflowEffect[] };

/**
 * One action that assigns the context and emits the effects `step` computes from the context and
 * the event (none, one or several: `emit` alone always emits exactly one).
 */
function stepAction<C extends RoundsContext, E extends WorkflowEvent>(
  step: (args: { context: C; event: E }) => StageStep<C>,
) {
  return enqueueActions<C, E, undefined, E, never, never, never, never, WorkflowEffect>(
    ({ context, event, enqueue }) => {
      const { update, effects } = step({ context, event });
      enqueue.assign(update);
      for (const effect of effects) enqueue.emit(effect);
    },
  );
}

/**
 * The entry action and the POSITION, REMINDER, DEADLINE_PASSED, CLOSE_ROUND and MEMBERSHIP_CHANGED
 * transitions of a consensus stage. POSITION is guarded by the kernel rule `positionAllowed`,
 * CLOSE_ROUND by `earlyCloseAllowed`: each procedure lists both among its refusals.
 */
export function consensusStage<C extends RoundsContext, D extends string, E extends WorkflowEvent = ProcedureEvent>(
  opts: ConsensusStageOptions<C, D>,
) {
  /** What a change of electorate asks for: the new states are told and get the full period from now; the managers hear who left. */
  const membershipEffects = (context: C, event: E): WorkflowEffect[] => {
    const before = lastRound(context.rounds);
    const round = roundAtEvent(context.rounds, event);
    if (!before || !round || round === before) return [];
    const joined = round.outcome === 'open' ? round.electorate.filter((s) => !before.electorate.includes(s)) : [];
    const left = roundOf(round).left.filter((l) => l.at === event.at && before.electorate.includes(l.memberState));
    const effects: WorkflowEffect[] = [];
    if (joined.length)
      effects.push(
        notice(
          'info',
          { memberStates: joined },
          `Your state is asked for its position on draft version ${round.draftVersion} (round ${round.number}) as a member state`,
          { joined, round: round.number },
        ),
        {
          type: 'effect.fullPeriod',
          deadlineKey: opts.stage,
          reason: `${joined.join(', ')} joined round ${round.number}: a full answer period from ${event.at.slice(0, 10)}`,
        },
      );
    if (left.length)
      effects.push(
        notice(
          'info',
          { roles: ['manager'] },
          `Removed from round ${round.number} on draft version ${round.draftVersion}: ${left.map((l) => `${l.memberState} (${l.reason})`).join(', ')}`,
          { left: left.map((l) => l.memberState), round: round.number },
        ),
      );
    return effects;
  };

  /** Applies `change` to the context, then lists the effects of a changed electorate and `more`. */
  const step =
    (change: (context: C, event: E) => Partial<C>, more?: (before: C, after: C, event: E) => WorkflowEffect[]) =>
    ({ context, event }: { context: C; event: E }): StageStep<C> => {
      const update = change(context, event);
      const after = { ...context, ...update };
      return { update, effects: [...membershipEffects(context, event), ...(more ? more(context, after, event) : [])] };
    };

  const overdue = (after: C): WorkflowEffect[] => {
    const pending = pendingIn(after);
    return pending.length
      ? [notice('escalation', { roles: ['manager'] }, opts.overdue(after, pending), { pending })]
      : [];
  };

  const position = {
    guard: 'positionAllowed' as const,
    actions: stepAction<C, E>(step((context, event) => withPosition(context, event))),
  };
  const reminder = {
    guard: opts.deadline,
    actions: stepAction<C, E>(
      step(
        (context, event) => withMembership(context, event),
        (_before, after, event) => {
          const pending = pendingIn(after);
          return pending.length
            ? [notice('reminder', { memberStates: pending }, opts.reminder(after, numberIn(event, 'daysBefore') ?? 0))]
            : [];
        },
      ),
    ),
  };
  const silence = opts.silence;
  const deadlinePassed = {
    guard: opts.deadline,
    actions: stepAction<C, E>(
      step(
        (context, event) => withDeadlinePassed(context, event),
        (before, after, event) => {
          if (joinsAt(before.rounds, event)) return [];
          const silent = silentStates(roundAtEvent(before.rounds, event));
          const told =
            silence && silent.length
              ? [notice('info', { roles: ['manager'] }, silence.subject(after, silent), { silent })]
              : [];
          return [...told, ...overdue(after)];
        },
      ),
    ),
  };
  const closeRound = {
    guard: 'earlyCloseAllowed' as const,
    actions: stepAction<C, E>(step((context, event) => withRoundClosedEarly(context, event))),
  };
  const membershipChanged = {
    actions: stepAction<C, E>(step((context, event) => withMembership(context, event))),
  };
  return {
    /** Entry action: opens the round, under the silence procedure where the stage's rules apply it. */
    open: assignTo<C, E>(({ context, event }) =>
      withRoundOpened(context, event, {
        stage: opts.stage,
        silenceProcedure: silence ? silence.applies(context) : false,
        followsMembership: opts.followsMembership ?? true,
      }),
    ),
    position,
    reminder,
    deadlinePassed,
    closeRound,
    membershipChanged,
    /** The stage's events, for a state that accepts no others. */
    on: {
      POSITION: position,
      REMINDER: reminder,
      DEADLINE_PASSED: deadlinePassed,
      CLOSE_ROUND: closeRound,
      MEMBERSHIP_CHANGED: membershipChanged,
    },
  };
}
