/**
 * Which member states owe an answer in a procedure, read from the conventions every procedure
 * keeps in its context: consensus rounds in `context.rounds`, circulations for comments in
 * `context.commentRounds`. The engine keeps this as an indexed table (for inboxes and the
 * managers' "who is holding it up"), the approvals module answers with it.
 */
import type { CommentRound } from './comment-round';
import { lastRound, pendingStates, type ConsensusRound } from './consensus';

export interface AwaitedAnswers {
  kind: 'position' | 'comments';
  event: 'POSITION' | 'RESPOND';
  round: number;
  draftVersion: number;
  electorate: string[];
  pending: string[];
  /** When the round opened: how long the pending states have held it up. */
  since: string;
}

/** A list the context keeps under the conventions above (the procedures write it; nothing else does). */
function listIn<T>(value: unknown): readonly T[] {
  if (!Array.isArray(value)) return [];
  const list: readonly unknown[] = value;
  return list as readonly T[];
}

export function awaitedAnswers(context: unknown): AwaitedAnswers | null {
  const c = (context ?? {}) as { rounds?: unknown; commentRounds?: unknown };
  const rounds = listIn<ConsensusRound>(c.rounds);
  const r = lastRound(rounds);
  if (r && r.outcome === 'open')
    return {
      kind: 'position',
      event: 'POSITION',
      round: r.number,
      draftVersion: r.draftVersion,
      electorate: r.electorate,
      pending: pendingStates(r),
      since: r.openedAt,
    };
  const comments = listIn<CommentRound>(c.commentRounds);
  const last = comments[comments.length - 1];
  if (last && !last.closedAt)
    return {
      kind: 'comments',
      event: 'RESPOND',
      round: last.number,
      draftVersion: last.draftVersion,
      electorate: last.electorate,
      pending: last.electorate.filter((s) => !last.responses[s]),
      since: last.openedAt,
    };
  return null;
}
