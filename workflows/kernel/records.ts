/**
 * The rules of the records a procedure keeps about facts outside the system (who adopted a text,
 * on which date, who signed and on what authority), shared by the procedures that record them.
 * Each rule is a function giving the sentence shown to a person when it refuses, or null, so the
 * same check guards the original event and a later correction of the fact it recorded.
 */
import type { ConsensusRound } from './consensus';
import type { BodyFacts } from './types';

/** The latest calendar date anywhere on Earth (UTC+14) at `at`: a fact dated later has not happened yet. */
export function latestDateAt(at: string): string {
  return new Date(Date.parse(at) + 14 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The earliest calendar date anywhere on Earth (UTC-12) at `at`: a fact dated earlier happened before it. */
export function earliestDateAt(at: string): string {
  return new Date(Date.parse(at) - 12 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The date of a fact is not in the future at the time it is recorded (`what` names the fact, capitalised). */
export function refuseFutureDate(what: string, date: string, at: string): string | null {
  const today = latestDateAt(at);
  return date > today ? `${what} (${date}) is in the future: today is ${today} at the latest.` : null;
}

/** The last round that reached consensus, if any (the one an adoption or a signature rests on). */
export function lastConsensus(rounds: readonly ConsensusRound[]): ConsensusRound | undefined {
  return [...rounds].reverse().find((r) => r.outcome === 'consensus');
}

/**
 * The body a text is submitted to adopts that kind of text, as the reference data say: an unknown
 * body, a body that adopts nothing of the kind (the Council of National Coordinators prepares and
 * agrees drafts, it adopts none) and a body whose competence the data do not confirm are refused.
 */
export function refuseAdoptingBody(
  bodies: readonly BodyFacts[],
  bodyId: string,
  kind: string,
  document: string,
): string | null {
  const able = bodies.filter((b) => b.adopts?.includes(kind)).map((b) => `${b.name ?? b.id} (${b.id})`);
  const nobody = `no body is recorded as adopting ${document} yet: record which body adopts it, with its source, in the reference data first`;
  const body = bodies.find((b) => b.id === bodyId);
  if (!body)
    return `There is no body "${bodyId}" in the reference data; known bodies are ${bodies.map((b) => b.id).join(', ')}. ${able.length ? `${capitalised(document)} is adopted by ${able.join(' or ')}.` : `${capitalised(nobody)}.`}`;
  const name = `${body.name ?? body.id} (${body.id})`;
  if (body.adopts === null)
    return able.length
      ? `The reference data do not confirm that the ${name} adopts ${document}: submit it to ${able.join(' or ')}, or record what the ${body.id} adopts, with its source, first.`
      : `The reference data do not confirm that the ${name} adopts ${document}, and ${nobody}.`;
  if (!body.adopts.includes(kind))
    return `The ${name} does not adopt ${document}${body.adopts.length ? '' : ' (it adopts none of the documents of this roadmap)'}; ${able.length ? `submit it to ${able.join(' or ')}` : nobody}.`;
  return null;
}

/**
 * The adopting decision's date: not before the consensus the text rests on (dates compared as
 * calendar dates anywhere on Earth, so a decision taken in Beijing the day the round closed in UTC
 * is never refused), and not in the future.
 */
export function refuseDecisionDate(date: string, consensusAt: string | null, at: string): string | null {
  if (consensusAt && date < earliestDateAt(consensusAt))
    return `The decision date ${date} is before the consensus on the text (reached ${consensusAt.slice(0, 10)}): a text is adopted after it is agreed.`;
  return refuseFutureDate('The decision date', date, at);
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
