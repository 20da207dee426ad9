/**
 * The hash chain of an instance's history: each event's hash covers its content and the hash of
 * the event before it, so changing or removing a stored event breaks every later link.
 * Canonical JSON (sorted keys) keeps the hash independent of key order in jsonb.
 */
import { createHash } from 'node:crypto';
import stringify from 'json-stable-stringify';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedEventContent {
  instanceId: string;
  seq: number;
  type: string;
  payload: unknown;
  actorId: string;
  actorRole: string;
  actorMemberState: string | null;
  actingFor: string | null;
  at: string;
  stateAfter: string;
  prevHash: string;
  /**
   * The hash of the signed statement stored with the event (`workflow_event.signature ->>
   * 'statementHash'`), when the answer was signed: removing or swapping a signature breaks the
   * chain. Absent (not null) for unsigned events, so their hashes are unchanged.
   */
  statementHash?: string | null;
}

export function eventHash(e: HashedEventContent): string {
  const { statementHash, ...rest } = e;
  const content = statementHash ? { ...rest, statementHash } : rest;
  return createHash('sha256')
    .update(stringify(content) as string)
    .digest('hex');
}

export function requestHash(value: unknown): string {
  return createHash('sha256')
    .update(stringify(value) as string)
    .digest('hex');
}
