/** The part of `pg`'s internal utilities used here: a parameter converted to text as `pg` sends it. */
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): string | Buffer | null | undefined;
}
