/**
 * Business rules shared by several procedures, written once as refusals (reason or null) so the
 * same function guards the machine and explains a refusal to a person.
 */
import type { Refusal } from './definition';
import { lastRound, positionIn, refuseEarlyClose, refusePosition, type ConsensusRound } from './consensus';
import { roundAtEvent } from './consensus-stage';
import { numberIn, textIn } from './stage';

/** The draft version an event names must exist and have no drifted authentic texts. */
export const draftReady: Refusal = ({ event }) => {
  const v = numberIn(event, 'draftVersion');
  const draft = event.world.draft;
  if (v === null) return 'The event must name the draft version it concerns (draftVersion).';
  if (!draft) return null; // no document kept for this instance: the version number is the legal officer's record
  if (v > draft.latestVersion) return `Draft version ${v} does not exist; the latest is ${draft.latestVersion}.`;
  if (v !== draft.latestVersion)
    return `Only the latest draft version (${draft.latestVersion}) can be sent on, not version ${v}.`;
  if (draft.driftedArticles.length)
    return `The Russian and Chinese texts disagree in ${draft.driftedArticles.length} article(s) (${draft.driftedArticles.join(', ')}): update both authentic texts first.`;
  return null;
};

/** A new round needs a newer version than the one last circulated. */
export const newerDraft: Refusal<{ draftVersion: number | null }> = ({ context, event }) => {
  const v = numberIn(event, 'draftVersion');
  const current = context.draftVersion;
  if (current !== null && v !== null && v <= current)
    return `A new round needs a new draft version: version ${current} was already circulated.`;
  return draftReady({ context, event });
};

/** Four-eyes: the reviewer is not the officer who drafted. */
export const fourEyes: Refusal<{ drafter: string | null }> = ({ context, event }) => {
  const drafter = context.drafter;
  if (drafter && drafter === event.actor.id)
    return 'Four-eyes rule: the officer who drafted this version cannot review it.';
  return null;
};

/**
 * A member-state position (new or changed) in the current consensus round, whose electorate is
 * first brought to the member states of the event's moment.
 */
export const positionAllowed: Refusal<{ rounds: ConsensusRound[] }> = ({ context, event }) => {
  const round = roundAtEvent(context.rounds, event);
  const input = positionIn(event);
  if (!input) return 'A position names the draft version and its kind (agree, agree_with_reservation, object).';
  return refusePosition(
    round,
    { id: event.actor.id, memberState: event.actor.memberState, actingFor: event.actor.actingFor },
    input,
  );
};

/** A manager's early close of a round that can no longer reach consensus (at least one objection stands). */
export const earlyCloseAllowed: Refusal<{ rounds: ConsensusRound[] }> = ({ context, event }) =>
  refuseEarlyClose(roundAtEvent(context.rounds, event));

export const roundConsensus: Refusal<{ rounds: ConsensusRound[] }> = ({ context }) =>
  lastRound(context.rounds)?.outcome === 'consensus' ? null : 'Consensus has not been reached.';

export const roundObjected: Refusal<{ rounds: ConsensusRound[] }> = ({ context }) =>
  lastRound(context.rounds)?.outcome === 'objected' ? null : 'No member state has objected.';

/** A REMINDER or DEADLINE_PASSED event for the deadline this state owns (not a stale one). */
export const deadlineOf =
  (stateKey: string): Refusal =>
  ({ event }) =>
    textIn(event, 'deadlineKey') === stateKey
      ? null
      : `This deadline (${textIn(event, 'deadlineKey') ?? 'undefined'}) does not belong to the current stage.`;

/**
 * After a return to drafting, only a newer version may go forward; the first version may be any
 * saved one. The refusal says why the version came back, in the procedure's words for where it
 * came back from (`returns[].from`), and asks to `verb` (submit, send) a revised version.
 */
export const revisedDraftOf =
  (
    returnWords: Readonly<Record<string, string>>,
    verb: string,
  ): Refusal<{ draftVersion: number | null; returns: readonly { from: string; reason: string }[] }> =>
  ({ context, event }) => {
    const v = numberIn(event, 'draftVersion');
    const current = context.draftVersion;
    if (current !== null && v !== null && v <= current) {
      const back = context.returns[context.returns.length - 1];
      const why = back ? `was ${returnWords[back.from]} ("${back.reason}")` : 'has already gone forward';
      return `Version ${current} ${why}: ${verb} a revised version (${current + 1} or later).`;
    }
    return draftReady({ context, event });
  };
