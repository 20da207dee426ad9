/**
 * Limits of what one request may store, and the characters a text may hold. Text is stored as
 * typed (never rewritten or "sanitised" into something else); it is escaped wherever it is
 * rendered. What is refused: control characters other than newline (LF or CR LF) and tab, and
 * the bidirectional override characters that can make a text display differently from what it says.
 */
import { DomainException, ErrorCode } from '../common/domain.exception';

export const DRAFT_LIMITS = Object.freeze({
  articlesPerVersion: 500,
  articleText: 20_000,
  comment: 10_000,
  title: 500,
  note: 2_000,
});

/**
 * C0 controls except TAB and LF (CR only as part of CR LF), DEL, C1 controls (together: the Cc category),
 * bidi embeddings/overrides/isolates.
 */
const FORBIDDEN = /(?![\t\n\r])\p{Cc}|[\u202A-\u202E\u2066-\u2069]|\r(?!\n)/u;

/** Length in characters (code points), the unit a person counts. */
export function characters(s: string): number {
  if (s.length < 2) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Refuses a text that is too long (413) or holds a forbidden character (400); returns it unchanged. */
export function checkText(field: string, value: string, max: number): string {
  // Code points never outnumber UTF-16 units, so the quick test settles almost every text.
  if (value.length > max && characters(value) > max)
    throw new DomainException(
      ErrorCode.TOO_LARGE,
      `${field} is ${characters(value)} characters long; the limit is ${max}.`,
      { field, limit: max },
    );
  const bad = FORBIDDEN.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new DomainException(
      ErrorCode.INVALID_PAYLOAD,
      `${field} contains the control character U+${code} at position ${bad.index + 1}; only text, newlines and tabs are accepted.`,
      {
        field,
        character: `U+${code}`,
      },
    );
  }
  return value;
}
