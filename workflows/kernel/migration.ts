/**
 * Moving a running instance into another stage by migration, under the same rules as getting there
 * by its own events:
 * - a stage has prerequisites that the instance's record must show (a version reviewed by another
 *   officer, a comment round closed, a consensus reached on the version): a definition lists them
 *   per stage (`stagePrerequisite`), and a mapping into a stage whose prerequisite the record does
 *   not show is refused with the reason, so no migration skips a review or a consensus;
 * - the rounds the instance leaves open are closed (a consensus round superseded, a circulation
 *   closed with the states that did not answer), and entering the stage runs its entry actions
 *   (a consensus stage opens a new round with the member states of that moment); the engine plans
 *   the stage's deadlines as for any transition.
 * Pure: the engine hands in the snapshot and the entering event.
 */
import type { AnyMachineSnapshot, AnyStateMachine, StateValue } from 'xstate';
import { supersede, type ConsensusRound } from './consensus';
import type { CommentRound } from './comment-round';
import { isReviewed, type Review } from './review';
import { lastOf } from './stage';
import type { WorkflowEvent } from './types';
import { enterStates } from './xstate-fence';

/** One stage's prerequisite: null when the record shows it, else what is missing. */
export type StagePrerequisite<C> = (context: C) => string | null;

/** A definition's `stagePrerequisite` from a table of stage path -> prerequisites (all must hold). */
export function prerequisitesOf<C>(
  table: Readonly<Record<string, readonly StagePrerequisite<C>[]>>,
): (statePath: string, context: C) => string | null {
  return (statePath, context) => {
    for (const check of Object.hasOwn(table, statePath) ? table[statePath] : []) {
      const missing = check(context);
      if (missing) return missing;
    }
    return null;
  };
}

/** A version was sent to review. */
export const versionSubmitted: StagePrerequisite<{ draftVersion: number | null }> = (c) =>
  c.draftVersion === null ? 'no draft version has been submitted for review' : null;

/** The current version was approved by another officer (review or confirmed changes). */
export const versionReviewed: StagePrerequisite<{ draftVersion: number | null; reviews: readonly Review[] }> = (c) => {
  if (c.draftVersion === null) return 'no draft version has been submitted for review';
  return isReviewed(c.reviews, c.draftVersion)
    ? null
    : `draft version ${c.draftVersion} has not passed the internal review by another officer`;
};

/** The current version was not objected to in a consensus round: it cannot be put to the states again unchanged. */
export const versionNotObjected: StagePrerequisite<{
  draftVersion: number | null;
  rounds: readonly ConsensusRound[];
}> = (c) => {
  const objected = [...c.rounds].reverse().find((r) => r.outcome === 'objected');
  return objected && objected.draftVersion === c.draftVersion
    ? `version ${c.draftVersion} was objected to by ${objected.objection?.memberState ?? 'a member state'} and needs a new version first`
    : null;
};

/** The member states were consulted on a version and the round is closed. */
export const commentsClosed: StagePrerequisite<{ commentRounds: readonly CommentRound[] }> = (c) => {
  const r = lastOf(c.commentRounds);
  if (!r) return 'the member states have not been consulted on any version';
  return r.closedAt ? null : `the circulation of version ${r.draftVersion} is still open`;
};

/** The last consensus round reached consensus on the current version. */
export const consensusReached: StagePrerequisite<{ draftVersion: number | null; rounds: readonly ConsensusRound[] }> = (
  c,
) => {
  const r = lastOf(c.rounds);
  if (!r || r.outcome !== 'consensus') return 'the member states have not reached consensus on a version';
  return r.draftVersion === c.draftVersion
    ? null
    : `the consensus was reached on version ${r.draftVersion}, not on the current version ${c.draftVersion}`;
};

function isRoundList(v: unknown): v is ConsensusRound[] {
  return Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && 'outcome' in r);
}

function isCommentRoundList(v: unknown): v is CommentRound[] {
  return Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && 'responses' in r);
}

/** The context with every open consensus round superseded and an open circulation closed. */
export function withOpenRoundsClosed(context: unknown, at: string): unknown {
  if (typeof context !== 'object' || context === null) return context;
  const c = { ...(context as Record<string, unknown>) };
  if (isRoundList(c.rounds)) c.rounds = c.rounds.map((r) => supersede(r, at));
  if (isCommentRoundList(c.commentRounds)) {
    const last = lastOf(c.commentRounds);
    if (last && !last.closedAt)
      c.commentRounds = [
        ...c.commentRounds.slice(0, -1),
        { ...last, closedAt: at, unanswered: last.electorate.filter((s) => !last.responses[s]) },
      ];
  }
  return c;
}

/**
 * The snapshot after moving into `paths` (the stages the mapping changed): open rounds closed, then
 * the stages entered with `event` (its entry actions and eventless transitions run).
 */
export function enterByMigration(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  paths: readonly string[],
  event: WorkflowEvent,
): [AnyMachineSnapshot, { type: string; params?: unknown }[]] {
  const value: StateValue = snapshot.value as StateValue;
  const context = withOpenRoundsClosed(snapshot.context, event.at) as Record<string, unknown>;
  return enterStates(machine, machine.resolveState({ value, context }), paths, event);
}
