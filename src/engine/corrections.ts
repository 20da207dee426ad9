import { queryRows, type SqlRunner } from '../infra/sql';
import { ENGINE_EVENTS } from './engine.types';

/** Who may propose, confirm or reject a correction of a recorded fact. */
export const CORRECTION_ROLES = ['legal_officer', 'manager'] as const;

export type CorrectionStatus = 'pending' | 'confirmed' | 'rejected';

/**
 * One correction as the history records it: the proposal (its event's seq is its number) and,
 * once decided, who confirmed or rejected it, when, and why (a rejection).
 */
export interface CorrectionRecord {
  number: number;
  field: string;
  label: string;
  oldValue: unknown;
  newValue: unknown;
  reason: string;
  proposedBy: string;
  proposedAt: string;
  status: CorrectionStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  rejectionReason: string | null;
}

interface CorrectionEventRow {
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  actor_id: string;
  at: Date;
}

/** Every correction of an instance, in order, read from its events (the history is the record). */
export async function correctionsOf(db: SqlRunner, instanceId: string): Promise<CorrectionRecord[]> {
  const rows = await queryRows<CorrectionEventRow>(
    db,
    `SELECT seq, type, payload, actor_id, at FROM workflow_event
      WHERE instance_id = $1 AND type = ANY($2::text[]) ORDER BY seq`,
    [
      instanceId,
      [ENGINE_EVENTS.correctionProposed, ENGINE_EVENTS.correctionConfirmed, ENGINE_EVENTS.correctionRejected],
    ],
  );
  const out = new Map<number, CorrectionRecord>();
  for (const r of rows) {
    const p = r.payload;
    if (r.type === ENGINE_EVENTS.correctionProposed) {
      out.set(r.seq, {
        number: r.seq,
        field: textOf(p.field),
        label: textOf(p.label),
        oldValue: p.oldValue ?? null,
        newValue: p.newValue ?? null,
        reason: textOf(p.reason),
        proposedBy: r.actor_id,
        proposedAt: new Date(r.at).toISOString(),
        status: 'pending',
        decidedBy: null,
        decidedAt: null,
        rejectionReason: null,
      });
      continue;
    }
    const c = out.get(Number(p.correction));
    if (!c) continue;
    c.status = r.type === ENGINE_EVENTS.correctionConfirmed ? 'confirmed' : 'rejected';
    c.decidedBy = r.actor_id;
    c.decidedAt = new Date(r.at).toISOString();
    c.rejectionReason = c.status === 'rejected' ? textOf(p.reason) : null;
  }
  return [...out.values()];
}

function textOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
