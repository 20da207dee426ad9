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
}

export function eventHash(e: HashedEventContent): string {
  return createHash('sha256')
    .update(stringify(e) as string)
    .digest('hex');
}

export function requestHash(value: unknown): string {
  return createHash('sha256')
    .update(stringify(value) as string)
    .digest('hex');
}
