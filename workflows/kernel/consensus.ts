/**
 * The consensus rule of the SCO (Charter, art. 16): a decision is adopted without a vote when no
 * member state objects. Used wherever member states sign off on a draft version.
 *
 * - Each member state's position on one draft version: agree, agree with a reservation (text kept
 *   and carried forward), object (reason required) or no answer yet.
 * - Consensus: every state of the round's electorate has a position and none objects.
 * - One objection closes the round at once and sends the draft back with its reason.
 * - Silence procedure (where a stage uses it): no answer by the deadline counts as agree, and the
 *   position says so (`silence`).
 * - Positions belong to one draft version; a new version opens a new round. The electorate is the
 *   list of member states at the moment the round opens (data, not code).
 *
 * Pure functions over plain JSON: rounds live in machine context and in persisted snapshots.
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

export type RoundOutcome = 'open' | 'consensus' | 'objected' | 'superseded';

export interface ConsensusRound {
  number: number;
  /** Which stage the round belongs to (e.g. `circulation`, `cnc_approval`). */
  stage: string;
  draftVersion: number;
  electorate: string[];
  silenceProcedure: boolean;
  openedAt: string;
  positions: Record<string, Position>;
  outcome: RoundOutcome;
  closedAt: string | null;
  objection: { memberState: string; reason: string } | null;
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

export function openRound(
  previous: readonly ConsensusRound[],
  opts: { stage: string; draftVersion: number; electorate: readonly string[]; silenceProcedure: boolean; at: string },
): ConsensusRound {
  if (opts.electorate.length === 0) throw new Error('A consensus round needs at least one member state');
  return {
    number: previous.length + 1,
    stage: opts.stage,
    draftVersion: opts.draftVersion,
    electorate: [...new Set(opts.electorate)].sort(),
    silenceProcedure: opts.silenceProcedure,
    openedAt: opts.at,
    positions: {},
    outcome: 'open',
    closedAt: null,
    objection: null,
  };
}

/** Why this answer may not be recorded, or null when it may. */
export function refusePosition(round: ConsensusRound | undefined, who: Answerer, input: PositionInput): string | null {
  if (!round || round.outcome !== 'open') return 'No consensus round is open at this stage.';
  if (!who.memberState) return 'Only a member-state approver can record a position.';
  if (!round.electorate.includes(who.memberState))
    return `${who.memberState} is not among the member states of this round (${round.electorate.join(', ')}).`;
  if (input.draftVersion !== round.draftVersion)
    return `This round is on draft version ${round.draftVersion}; a position on version ${input.draftVersion} cannot be recorded.`;
  if (round.positions[who.memberState])
    return `${who.memberState} has already answered in round ${round.number} (${round.positions[who.memberState].kind}).`;
  const text = (input.text ?? '').trim();
  if (input.kind === 'object' && !text) return 'An objection needs a reason.';
  if (input.kind === 'agree_with_reservation' && !text) return 'A reservation needs its text.';
  return null;
}

function settle(round: ConsensusRound, at: string): ConsensusRound {
  if (round.outcome !== 'open') return round;
  const objection = Object.values(round.positions).find((p) => p.kind === 'object');
  if (objection) {
    return {
      ...round,
      outcome: 'objected',
      closedAt: at,
      objection: { memberState: objection.memberState, reason: objection.text ?? '' },
    };
  }
  if (round.electorate.every((s) => round.positions[s])) return { ...round, outcome: 'consensus', closedAt: at };
  return round;
}

/** Records one answer; throws if `refusePosition` would refuse it (machines guard first). */
export function recordPosition(round: ConsensusRound, who: Answerer, input: PositionInput, at: string): ConsensusRound {
  const why = refusePosition(round, who, input);
  if (why) throw new Error(why);
  const state = who.memberState as string;
  const text = input.kind === 'agree' ? null : (input.text ?? '').trim();
  const position: Position = { memberState: state, kind: input.kind, text, by: who.id, actingFor: who.actingFor, at };
  return settle({ ...round, positions: { ...round.positions, [state]: position } }, at);
}

/** At the deadline of a stage with the silence procedure: every state that has not answered agrees, recorded as silence. */
export function applySilence(round: ConsensusRound, at: string): ConsensusRound {
  if (round.outcome !== 'open' || !round.silenceProcedure) return round;
  const positions = { ...round.positions };
  for (const s of round.electorate) {
    if (!positions[s])
      positions[s] = { memberState: s, kind: 'silence', text: null, by: 'system', actingFor: null, at };
  }
  return settle({ ...round, positions }, at);
}

/** A round left open when the stage is left for another reason (withdrawal, a new version). */
export function supersede(round: ConsensusRound, at: string): ConsensusRound {
  return round.outcome === 'open' ? { ...round, outcome: 'superseded', closedAt: at } : round;
}

export function pendingStates(round: ConsensusRound | undefined): string[] {
  if (!round || round.outcome !== 'open') return [];
  return round.electorate.filter((s) => !round.positions[s]);
}

/** Every reservation ever entered, oldest first: they are kept and carried forward to later rounds. */
export function reservations(rounds: readonly ConsensusRound[]): Position[] {
  return rounds.flatMap((r) => Object.values(r.positions).filter((p) => p.kind === 'agree_with_reservation'));
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
