import type { Env } from '../config/env';

/** Token and sign-in limits. ACCESS_TOKEN_TTL and SIGN_IN_ATTEMPTS_PER_MINUTE are read here, not in the boot env. */
export interface AuthSettings {
  readonly jwtSecret: string;
  /** Lifetime of an access token, seconds (ACCESS_TOKEN_TTL, default 900 = 15 minutes). */
  readonly accessTokenTtlSeconds: number;
  /** Sign-in attempts accepted per minute from one IP address (SIGN_IN_ATTEMPTS_PER_MINUTE, default 10). */
  readonly signInAttemptsPerMinute: number;
}

export const AUTH_SETTINGS = 'AUTH_SETTINGS';

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const DEFAULT_SIGN_IN_ATTEMPTS_PER_MINUTE = 10;

function positiveInteger(
  source: Record<string, string | undefined>,
  name: string,
  fallback: number,
  max: number,
): number {
  const raw = source[name]?.trim();
  if (!raw) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new Error(`${name}: must be a whole number between 1 and ${max} (got "${raw}")`);
  }
  return value;
}

export function authSettingsFrom(
  env: Pick<Env, 'JWT_SECRET'>,
  source: Record<string, string | undefined> = process.env,
): AuthSettings {
  return Object.freeze({
    jwtSecret: env.JWT_SECRET,
    accessTokenTtlSeconds: positiveInteger(source, 'ACCESS_TOKEN_TTL', DEFAULT_ACCESS_TOKEN_TTL_SECONDS, 24 * 60 * 60),
    signInAttemptsPerMinute: positiveInteger(
      source,
      'SIGN_IN_ATTEMPTS_PER_MINUTE',
      DEFAULT_SIGN_IN_ATTEMPTS_PER_MINUTE,
      10_000,
    ),
  });
}
