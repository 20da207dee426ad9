/** SQLSTATE codes the application reacts to. */
export const PgErrorCode = {
  UNIQUE_VIOLATION: '23505',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
  DUPLICATE_DATABASE: '42P04',
} as const;

/**
 * The SQLSTATE of a PostgreSQL error, whether it comes straight from `pg` (`code`) or wrapped by
 * TypeORM (`QueryFailedError.driverError.code`); undefined for any other error.
 */
export function pgErrorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const { driverError, code } = err as { driverError?: unknown; code?: unknown };
  if (driverError && typeof driverError === 'object') {
    const inner = (driverError as { code?: unknown }).code;
    if (typeof inner === 'string') return inner;
  }
  return typeof code === 'string' ? code : undefined;
}
