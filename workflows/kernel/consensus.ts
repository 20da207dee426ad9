/**
 * The consensus rule of the SCO (Charter, art. 16): a decision is adopted without a vote when no
 * member state objects. Used wherever member states sign off on a draft version.
 *
 * - Each member state's position on one draft version: agree, agree with a reservation (text kept
 *   and carried forward), object (reason required) or no answer yet.
 * - Full rounds: the round stays open until every state of its electorate has answered (it then
 *   settles at once) or its deadline passes (it then settles if it can). A settled round is
 *   `consensus` when every state has a non-objecting position, else `objected`, listing every
 *   objection. An objection alone does not close the round: every state's view on the version
 *   is collected. A manager may close a round early once it holds an objection (with a reason).
 * - Positions may be revised until the round settles: each change is a new position; the one it
 *   replaces is kept in `earlier`, marked superseded.
 * - The electorate follows membership: where a round `followsMembership`, each event that reaches
 *   it first brings its electorate to the member states of that moment (a state that joined is
 *   added, one that left is removed with the reason, its positions kept in `earlier`).
 * - Silence procedure (where the stage's rules use it): at the deadline, a state that has not
 *   answered counts as agreeing (`silence`), except a state that objected on the previous version
 *   of the stage (`mustAnswer`): it must answer. A consensus reached with any silent state says so
 *   (`settledBySilence`).
 * - Positions belong to one draft version; a new version opens a new round.
 *
 * Pure functions over plain JSON: rounds live in machine context and in persisted snapshots.
 * Rounds persisted before full rounds lack the newer fields; `roundOf` reads them with defaults.
 */

import type { WorkflowEvent } from './types';

export const POSITION_KINDS = ['agree', 'agree_with_reservation', 'object'] as const;
export type PositionKind = (typeof POSITION_KINDS)[number];

export interface Position {
  memberState: string;
  kind: PositionKind | 'silence';
  /** Reservation text or the objection's reason; null for a plain agreement or silence. */
  text: string | null;
  /** User id of who answered (`system` for silence). */
  by: string;
  /** When an acting approver answered, the approver they stood in for. */
  actingFor: string | null;
  at: string;
}

/** A position replaced by a later one of the same state, or set aside when its state left the electorate. */
export interface SupersededPosition extends Position {
  supersededAt: string;
}

export type RoundOutcome = 'open' | 'consensus' | 'objected' | 'superseded';

export interface StatedView {
  memberState: string;
  text: string;
}

export interface ConsensusRound {
  number: number;
  /** Which stage the round belongs to (e.g. `circulation`, `cnc_approval`). */
  stage: string;
  draftVersion: number;
  /** The states whose positions decide the round, now. */
  electorate: string[];
  /** Whether the electorate follows the member states of each moment (else it is fixed at opening). */
  followsMembership: boolean;
  silenceProcedure: boolean;
  /** States that objected on the previous version of this stage: silence never counts for them. */
  mustAnswer: string[];
  openedAt: string;
  /** The current position of each state that has answered. */
  positions: Record<string, Position>;
  /** Every position that was replaced or set aside, oldest first: nothing recorded is lost. */
  earlier: SupersededPosition[];
  /** States added while the round was open (they became members). */
  joined: { memberState: string; at: string }[];
  /** States removed while the round was open (they ceased to be members), with the reason. */
  left: { memberState: string; at: string; reason: string }[];
  /** When the deadline passed with the round still open (no consensus without every state): an objection then settles it. */
  deadlinePassedAt: string | null;
  outcome: RoundOutcome;
  closedAt: string | null;
  /** The first objection of a round settled as objected (kept for readers of a single objection). */
  objection: { memberState: string; reason: string } | null;
  /** Every objection standing when the round settled. */
  objections: StatedView[];
  /** A manager closed the round before every state answered and before the deadline. */
  closedEarly: { by: string; reason: string; at: string } | null;
  /** The consensus counts at least one state as agreeing by silence. */
  settledBySilence: boolean;
}

export interface PositionInput {
  kind: PositionKind;
  text?: string | null;
  draftVersion: number;
}

export interface Answerer {
  id: string;
  memberState: string | null;
  actingFor: string | null;
}

/** A round as persisted, with the fields of rounds kept before full rounds filled in. */
export function roundOf(round: ConsensusRound): ConsensusRound {
  const r: Partial<ConsensusRound> & Pick<ConsensusRound, 'number'> = round;
  if (
    r.earlier &&
    r.joined &&
    r.left &&
    r.objections &&
    r.mustAnswer &&
    r.followsMembership !== undefined &&
    r.deadlinePassedAt !== undefined
  )
    return round;
  return {
    ...round,
    followsMembership: r.followsMembership ?? false,
    mustAnswer: r.mustAnswer ?? [],
    earlier: r.earlier ?? [],
    joined: r.joined ?? [],
    left: r.left ?? [],
    objections: r.objections ?? (round.objection ? [{ ...round.objection, text: round.objection.reason }] : []),
    closedEarly: r.closedEarly ?? null,
    settledBySilence: r.settledBySilence ?? false,
    deadlinePassedAt: r.deadlinePassedAt ?? null,
  };
}

/** The states whose last answer on the previous version of `stage` was an objection. */
function objectorsOfPrevious(previous: readonly ConsensusRound[], stage: string, draftVersion: number): string[] {
  for (let i = previous.length - 1; i >= 0; i--) {
    const r = previous[i];
    if (r.stage !== stage || r.draftVersion >= draftVersion) continue;
    return Object.values(r.positions)
      .filter((p) => p.kind === 'object')
      .map((p) => p.memberState)
      .sort();
  }
  return [];
}

export function openRound(
  previous: readonly ConsensusRound[],
  opts: {
    stage: string;
    draftVersion: number;
    electorate: readonly string[];
    silenceProcedure: boolean;
    at: string;
    followsMembership?: boolean;
  },
): ConsensusRound {
  if (opts.electorate.length === 0) throw new Error('A consensus round needs at least one member state');
  return {
    number: previous.length + 1,
    stage: opts.stage,
    draftVersion: opts.draftVersion,
    electorate: [...new Set(opts.electorate)].sort(),
    followsMembership: opts.followsMembership ?? false,
    silenceProcedure: opts.silenceProcedure,
    mustAnswer: opts.silenceProcedure ? objectorsOfPrevious(previous, opts.stage, opts.draftVersion) : [],
    openedAt: opts.at,
    positions: {},
    earlier: [],
    joined: [],
    left: [],
    deadlinePassedAt: null,
    outcome: 'open',
    closedAt: null,
    objection: null,
    objections: [],
    closedEarly: null,
    settledBySilence: false,
  };
}

const KIND_WORDS: Readonly<Record<Position['kind'], string>> = {
  agree: 'agree',
  agree_with_reservation: 'agree with a reservation',
  object: 'object',
  silence: 'agree by silence',
};

/** Why this answer may not be recorded, or null when it may. */
export function refusePosition(round: ConsensusRound | undefined, who: Answerer, input: PositionInput): string | null {
  if (!round || round.outcome !== 'open') return 'No consensus round is open at this stage.';
  if (!who.memberState) return 'Only a member-state approver can record a position.';
  if (!round.electorate.includes(who.memberState)) {
    const left = roundOf(round).left.find((l) => l.memberState === who.memberState);
    if (left)
      return `${who.memberState} was removed from round ${round.number} on ${left.at.slice(0, 10)} (${left.reason}); it no longer answers in it.`;
    return `${who.memberState} is not among the member states of this round (${round.electorate.join(', ')}).`;
  }
  if (input.draftVersion !== round.draftVersion)
    return `This round is on draft version ${round.draftVersion}; a position on version ${input.draftVersion} cannot be recorded.`;
  const text = (input.text ?? '').trim();
  if (input.kind === 'object' && !text) return 'An objection needs a reason.';
  if (input.kind === 'agree_with_reservation' && !text) return 'A reservation needs its text.';
  const current = round.positions[who.memberState];
  if (current && current.kind === input.kind && (current.text ?? '') === (input.kind === 'agree' ? '' : text))
    return `${who.memberState} already holds this position in round ${round.number} (${KIND_WORDS[current.kind]}, recorded ${current.at}); a change must differ from it.`;
  return null;
}

/** The objections standing in a round (current positions), oldest first. */
export function objectionsIn(round: ConsensusRound): StatedView[] {
  return Object.values(round.positions)
    .filter((p) => p.kind === 'object')
    .sort((a, b) => a.at.localeCompare(b.at) || a.memberState.localeCompare(b.memberState))
    .map((p) => ({ memberState: p.memberState, text: p.text ?? '' }));
}

/** The reservations standing in a round (current positions), oldest first. */
export function reservationsIn(round: ConsensusRound): StatedView[] {
  return Object.values(round.positions)
    .filter((p) => p.kind === 'agree_with_reservation')
    .sort((a, b) => a.at.localeCompare(b.at) || a.memberState.localeCompare(b.memberState))
    .map((p) => ({ memberState: p.memberState, text: p.text ?? '' }));
}

function closeAsObjected(round: ConsensusRound, at: string): ConsensusRound {
  const objections = objectionsIn(round);
  return {
    ...round,
    outcome: 'objected',
    closedAt: at,
    objections,
    objection: { memberState: objections[0].memberState, reason: objections[0].text },
  };
}

/**
 * Settles a round every state of which has answered, or whose deadline has passed once an objection
 * stands; leaves any other round as it is.
 */
function settleIfComplete(round: ConsensusRound, at: string): ConsensusRound {
  if (round.outcome !== 'open') return round;
  const complete = round.electorate.every((s) => round.positions[s]);
  if (!complete) return round.deadlinePassedAt && objectionsIn(round).length ? closeAsObjected(round, at) : round;
  if (objectionsIn(round).length) return closeAsObjected(round, at);
  const settledBySilence = round.electorate.some((s) => round.positions[s].kind === 'silence');
  return { ...round, outcome: 'consensus', closedAt: at, settledBySilence };
}

/** Records one answer, new or revised; throws if `refusePosition` would refuse it (machines guard first). */
export function recordPosition(round: ConsensusRound, who: Answerer, input: PositionInput, at: string): ConsensusRound {
  const why = refusePosition(round, who, input);
  if (why) throw new Error(why);
  const r = roundOf(round);
  const state = who.memberState as string;
  const text = input.kind === 'agree' ? null : (input.text ?? '').trim();
  const position: Position = { memberState: state, kind: input.kind, text, by: who.id, actingFor: who.actingFor, at };
  const before = r.positions[state];
  return settleIfComplete(
    {
      ...r,
      positions: { ...r.positions, [state]: position },
      earlier: before ? [...r.earlier, { ...before, supersededAt: at }] : r.earlier,
    },
    at,
  );
}

/**
 * Brings a round that follows membership to the member states of this moment: a state that joined
 * is added (it owes an answer from `at`), one that left is removed with `reason` and its position
 * set aside (kept in `earlier`). The round then settles if every remaining state has answered.
 */
export function withElectorate(
  round: ConsensusRound,
  memberStates: readonly string[],
  at: string,
  reason: string,
): ConsensusRound {
  const r = roundOf(round);
  if (r.outcome !== 'open' || !r.followsMembership) return round;
  const now = new Set(memberStates);
  const joining = [...now].filter((s) => !r.electorate.includes(s)).sort();
  const leaving = r.electorate.filter((s) => !now.has(s));
  if (!joining.length && !leaving.length) return round;
  // A consensus round never loses its whole electorate to the data: the Organisation has members.
  if (now.size === 0) return round;
  const positions = { ...r.positions };
  const setAside: SupersededPosition[] = [];
  for (const s of leaving) {
    const p = positions[s];
    if (p) setAside.push({ ...p, supersededAt: at });
    delete positions[s];
  }
  return settleIfComplete(
    {
      ...r,
      electorate: [...r.electorate.filter((s) => now.has(s)), ...joining].sort(),
      positions,
      earlier: [...r.earlier, ...setAside],
      joined: [...r.joined, ...joining.map((memberState) => ({ memberState, at }))],
      // a state that joins gets a full answer period: the deadline is moved later, so it has not passed
      deadlinePassedAt: joining.length ? null : r.deadlinePassedAt,
      left: [...r.left, ...leaving.map((memberState) => ({ memberState, at, reason }))],
    },
    at,
  );
}

/** The states that joined the round at `at` (by the event applied at that moment). */
export function joinedAt(round: ConsensusRound | undefined, at: string): string[] {
  return round
    ? roundOf(round)
        .joined.filter((j) => j.at === at)
        .map((j) => j.memberState)
    : [];
}

/** The states that the silence procedure would count as agreeing in this round now. */
export function silentStates(round: ConsensusRound | undefined): string[] {
  if (!round || round.outcome !== 'open' || !round.silenceProcedure) return [];
  const must = new Set(roundOf(round).mustAnswer);
  return round.electorate.filter((s) => !round.positions[s] && !must.has(s));
}

/**
 * At the deadline of a stage with the silence procedure: every state that has not answered agrees,
 * recorded as silence — except a state that objected on the previous version, which must answer.
 */
export function applySilence(round: ConsensusRound, at: string): ConsensusRound {
  if (round.outcome !== 'open' || !round.silenceProcedure) return round;
  const r = roundOf(round);
  const positions = { ...r.positions };
  for (const s of silentStates(r))
    positions[s] = { memberState: s, kind: 'silence', text: null, by: 'system', actingFor: null, at };
  return settleIfComplete({ ...r, positions }, at);
}

/**
 * The deadline has passed: the silence procedure counts the silent states (where the round uses
 * it); then the round settles when every state has answered, or as objected when an objection
 * stands. Otherwise it stays open (no consensus without every state) and the managers are told.
 */
export function settleAtDeadline(round: ConsensusRound, at: string): ConsensusRound {
  const r = applySilence(round, at);
  if (r.outcome !== 'open') return r;
  return settleIfComplete({ ...roundOf(r), deadlinePassedAt: at }, at);
}

/** Why a manager may not close this round early, or null when they may. */
export function refuseEarlyClose(round: ConsensusRound | undefined): string | null {
  if (!round || round.outcome !== 'open') return 'No consensus round is open at this stage.';
  if (!objectionsIn(round).length)
    return `Round ${round.number} can still reach consensus (no member state objects): it stays open until every state has answered or the deadline passes.`;
  return null;
}

/** A manager closes a round that can no longer reach consensus, with the reason; it settles as objected. */
export function closeEarly(round: ConsensusRound, by: string, reason: string, at: string): ConsensusRound {
  const why = refuseEarlyClose(round);
  if (why) throw new Error(why);
  return { ...closeAsObjected(roundOf(round), at), closedEarly: { by, reason: reason.trim(), at } };
}

/** A round left open when the stage is left for another reason (withdrawal, a new version). */
export function supersede(round: ConsensusRound, at: string): ConsensusRound {
  return round.outcome === 'open' ? { ...round, outcome: 'superseded', closedAt: at } : round;
}

export function pendingStates(round: ConsensusRound | undefined): string[] {
  if (!round || round.outcome !== 'open') return [];
  return round.electorate.filter((s) => !round.positions[s]);
}

/** Every reservation standing at the end of each round, oldest first: they are kept and carried forward to later rounds. */
export function reservations(rounds: readonly ConsensusRound[]): Position[] {
  return rounds.flatMap((r) =>
    Object.values(r.positions)
      .filter((p) => p.kind === 'agree_with_reservation')
      .sort((a, b) => a.at.localeCompare(b.at) || a.memberState.localeCompare(b.memberState)),
  );
}

/** The reservations of the last round that reached consensus: what an adoption record lists. */
export function finalReservations(rounds: readonly ConsensusRound[]): StatedView[] {
  for (let i = rounds.length - 1; i >= 0; i--) if (rounds[i].outcome === 'consensus') return reservationsIn(rounds[i]);
  return [];
}

/** Every objection a round ever recorded, standing or superseded: the record never loses one. */
export function objectionsEverIn(round: ConsensusRound): Position[] {
  const r = roundOf(round);
  return [...r.earlier, ...Object.values(r.positions)].filter((p) => p.kind === 'object');
}

export function lastRound(rounds: readonly ConsensusRound[], stage?: string): ConsensusRound | undefined {
  for (let i = rounds.length - 1; i >= 0; i--) if (!stage || rounds[i].stage === stage) return rounds[i];
  return undefined;
}

/** A POSITION event's answer, read from its payload; null when the payload is not one. */
export function positionIn(event: WorkflowEvent): PositionInput | null {
  const draftVersion = typeof event.payload.draftVersion === 'number' ? event.payload.draftVersion : null;
  const kind = POSITION_KINDS.find((k) => k === event.payload.kind);
  const text = event.payload.text;
  if (draftVersion === null || !kind) return null;
  if (text === undefined) return { draftVersion, kind };
  return typeof text === 'string' || text === null ? { draftVersion, kind, text } : null;
}
