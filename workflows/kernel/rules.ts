/**
 * Business rules shared by several procedures, written once as refusals (reason or null) so the
 * same function guards the machine and explains a refusal to a person.
 */
import type { Refusal } from './definition';
import { lastRound, positionIn, refuseEarlyClose, refusePosition, type ConsensusRound } from './consensus';
import { roundAtEvent } from './consensus-stage';
import { isReviewed, versionsToReview, type Review } from './review';
import { numberIn, textIn } from './stage';
import type { WorkflowEvent } from './types';

/**
 * The draft version an event names must exist in the procedure's draft document, be the latest
 * and have no drifted authentic texts. A stage that sends text on needs the text: without a draft
 * document the event is refused (a bare version number is no record of what was sent).
 */
export const draftReady: Refusal = ({ event }) => {
  const v = numberIn(event, 'draftVersion');
  const draft = event.world.draft;
  if (v === null) return 'The event must name the draft version it concerns (draftVersion).';
  if (!draft)
    return `This procedure has no draft document, so there is no text of version ${v} to send on: create the draft (POST /instances/{id}/draft) and save the version first.`;
  if (draft.latestVersion === 0) return `The draft has no saved version yet: save version ${v} of the text first.`;
  if (v > draft.latestVersion) return `Draft version ${v} does not exist; the latest is ${draft.latestVersion}.`;
  if (v !== draft.latestVersion)
    return `Only the latest draft version (${draft.latestVersion}) can be sent on, not version ${v}.`;
  if (draft.driftedArticles.length)
    return `The Russian and Chinese texts disagree in ${draft.driftedArticles.length} article(s) (${draft.driftedArticles.join(', ')}): update both authentic texts first.`;
  return null;
};

/** A new round needs a newer version than the one last circulated, and that version was reviewed. */
export const newerDraft: Refusal<{ draftVersion: number | null; reviews: Review[] }> = ({ context, event }) => {
  const v = numberIn(event, 'draftVersion');
  const current = context.draftVersion;
  if (current !== null && v !== null && v <= current)
    return `A new round needs a new draft version: version ${current} was already circulated.`;
  return reviewedDraft({ context, event });
};

/**
 * Four-eyes on `version`: the reviewer wrote or edited none of the versions since the last one
 * another officer approved (the draft's authorship, from the world facts). Where the world holds
 * no draft facts, the officer who submitted the version stands for its author.
 */
export function fourEyesOn(
  context: { drafter: string | null; reviews: readonly Review[] },
  event: WorkflowEvent,
  version: number,
): string | null {
  const versions = versionsToReview(context.reviews, event.world, version);
  if (!versions) {
    if (context.drafter && context.drafter === event.actor.id)
      return 'Four-eyes rule: the officer who drafted this version cannot review it.';
    return null;
  }
  const own = versions.filter((v) => v.author === event.actor.id).map((v) => v.number);
  if (own.length)
    return `Four-eyes rule: you wrote or edited draft version${own.length > 1 ? 's' : ''} ${own.join(', ')} since the last reviewed version, so you cannot review version ${version}; another legal officer must.`;
  return null;
}

/** Four-eyes in a review stage: on the version under review (`context.draftVersion`). */
export const fourEyes: Refusal<{ drafter: string | null; draftVersion: number | null; reviews: Review[] }> = ({
  context,
  event,
}) => (context.draftVersion === null ? null : fourEyesOn(context, event, context.draftVersion));

/**
 * CONFIRM_CHANGES, the light review of a consolidated version: the version is ready to send on
 * (`draftReady`), not yet approved, and the confirming officer wrote or edited none of the versions
 * since the last approved one.
 */
export const changesConfirmable: Refusal<{ drafter: string | null; reviews: Review[] }> = ({ context, event }) => {
  const ready = draftReady({ context, event });
  if (ready) return ready;
  const v = numberIn(event, 'draftVersion') as number;
  if (isReviewed(context.reviews, v)) return `Version ${v} has already been reviewed; it can be sent on.`;
  return fourEyesOn(context, event, v);
};

/**
 * Every version sent to the member states (a new circulation, the coordinators) was approved by
 * another officer: in the review stage, or by confirming its changes (CONFIRM_CHANGES).
 */
export const reviewedDraft: Refusal<{ reviews: Review[] }> = ({ context, event }) => {
  const ready = draftReady({ context, event });
  if (ready) return ready;
  const v = numberIn(event, 'draftVersion') as number;
  if (!isReviewed(context.reviews, v))
    return `Version ${v} has not been reviewed: another legal officer, who wrote none of its changes, must confirm them (CONFIRM_CHANGES) before it goes to the member states.`;
  return null;
};

/**
 * The version put to the member states for approval is one they have seen in circulation, or is
 * marked as the consolidation of their comments (`consolidation: true`); either way it was reviewed.
 */
export const circulatedOrConsolidated: Refusal<{
  reviews: Review[];
  commentRounds: readonly { draftVersion: number }[];
}> = ({ context, event }) => {
  const reviewed = reviewedDraft({ context, event });
  if (reviewed) return reviewed;
  const v = numberIn(event, 'draftVersion') as number;
  if (event.payload.consolidation !== true && !context.commentRounds.some((r) => r.draftVersion === v)) {
    const seen = [...new Set(context.commentRounds.map((r) => r.draftVersion))];
    return `Version ${v} was never circulated to the member states (they have seen ${seen.length ? `version ${seen.join(', ')}` : 'no version'}): circulate it, or mark it as the consolidation of their comments (consolidation: true).`;
  }
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
