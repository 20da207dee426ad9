/** Deepest nesting of arrays and objects accepted in a JSON request body. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when the JSON text in `buf` nests arrays/objects deeper than `limit`. One pass over the
 * bytes, strings skipped (structural characters are ASCII, so UTF-8 needs no decoding); stops at
 * the first level past the limit. Deeper bodies would overflow the stack of the recursive
 * transformers and validators that run on every body, so they are refused up front.
 */
export function jsonNestsDeeperThan(buf: Buffer, limit: number = MAX_JSON_DEPTH): boolean {
  if (buf.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}
