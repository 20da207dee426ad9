/**
 * Correcting a wrongly recorded fact (a decision number, an adoption or signing date, the date of
 * a partner's notification): never an edit, always a correction. An officer proposes the new value
 * with a reason; a second officer (not the proposer: four-eyes) confirms it, and only then does the
 * record read the new value. The original event stays in the history; the correction's events
 * carry who, when, why, the old value and the new one.
 *
 * A definition declares the facts that may be corrected. Each names the payload schema of the
 * original field (a corrected value passes the same checks as the original) and the rule the
 * original event was guarded by, applied to the record as it would read after the correction.
 */
import type { z } from 'zod';
import type { World } from './types';

/** One correctable fact of a procedure's record. */
export interface CorrectableField<C = unknown> {
  /** The fact in a sentence, e.g. `the adoption date`. */
  label: string;
  /** The schema of the original payload field: a corrected value must pass it too. */
  value: z.ZodType;
  /** The value recorded now, or undefined when the fact has not been recorded yet. */
  read(context: C): unknown;
  /** The context with the corrected value. */
  write(context: C, value: unknown): C;
  /**
   * The rule the original event was guarded by, over the corrected context (`at`: now; `world`:
   * the reference data now). Null when the corrected record is consistent, else the reason.
   */
  refuse?(corrected: C, at: string, world: World): string | null;
  /**
   * When the fact is a member state's recorded answer (e.g. the date of its position), that state:
   * its people are told when the correction is confirmed. Absent for the Organisation's own facts.
   */
  answerOf?(context: C): string | null;
}

/** A definition's correctable facts by name (e.g. `adoption.date`). */
export type CorrectableFields<C = unknown> = Readonly<Record<string, CorrectableField<C>>>;

/** What a proposed correction asks, as recorded in its event. */
export interface CorrectionProposal {
  field: string;
  label: string;
  oldValue: unknown;
  newValue: unknown;
  reason: string;
}

/** Two recorded values are the same fact (compared as JSON, so objects compare by content). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Checks a proposed correction against the definition's fields and the record as it stands:
 * the reason a person reads when it is refused, or null. The value has already passed the field's
 * schema.
 */
export function refuseCorrection<C>(
  fields: CorrectableFields<C>,
  field: string,
  context: C,
  value: unknown,
  at: string,
  world: World,
): string | null {
  const spec = fields[field];
  if (!spec) return `There is no recorded fact "${field}" to correct.`;
  const current = spec.read(context);
  if (current === undefined || current === null)
    return `No value of ${spec.label} has been recorded yet, so there is nothing to correct: record it through the procedure.`;
  if (sameValue(current, value))
    return `${capitalise(spec.label)} is already recorded as ${shown(value)}; a correction must change it.`;
  return spec.refuse ? spec.refuse(spec.write(context, value), at, world) : null;
}

/** A value as a person reads it in a sentence. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
