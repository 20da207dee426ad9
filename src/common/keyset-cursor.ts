import { DomainException, ErrorCode } from './domain.exception';

/**
 * Keyset pagination: the position after the last row of a page, as an opaque string (`cursor`
 * in, `nextCursor` out). Reading page n+1 from a cursor costs the same as reading page 1, where
 * `OFFSET` reads and drops every row before it.
 */
export interface KeysetPosition {
  /** The sort timestamp of the last row, as PostgreSQL wrote it (microseconds kept). */
  at: string;
  id: string;
}

/** Deepest page reachable with `page`; beyond it, `cursor`. */
export const MAX_PAGE = 100;

export function encodeCursor(p: KeysetPosition): string {
  return Buffer.from(JSON.stringify([p.at, p.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  const bad = () =>
    new DomainException(
      ErrorCode.INVALID_PAYLOAD,
      'cursor is not one this service gave out: pass the nextCursor of the previous page unchanged.',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    Number.isNaN(Date.parse(parsed[0])) ||
    typeof parsed[1] !== 'string' ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(parsed[1])
  )
    throw bad();
  return { at: parsed[0], id: parsed[1] };
}

/** 400 when both `page` (beyond the first) and `cursor` are given. */
export function assertOnePosition(page: number | undefined, cursor: string | undefined): void {
  if (cursor !== undefined && page !== undefined && page !== 1)
    throw new DomainException(
      ErrorCode.INVALID_PAYLOAD,
      'Give either page or cursor, not both: cursor already says where the page starts.',
    );
}
