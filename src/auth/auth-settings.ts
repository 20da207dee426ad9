import type { Env } from '../config/env';

/** Token, sign-in and password settings, from the validated environment (src/config/env.ts). */
export interface AuthSettings {
  readonly jwtSecret: string;
  /** `iss` and `aud` written into every access token and required of every token presented. */
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** Lifetime of an access token, seconds (ACCESS_TOKEN_TTL, default 900 = 15 minutes). */
  readonly accessTokenTtlSeconds: number;
  /** Sign-in attempts accepted per minute from one IP address (SIGN_IN_ATTEMPTS_PER_MINUTE, default 10). */
  readonly signInAttemptsPerMinute: number;
  /** PASSWORD_MIN_LENGTH, default 12. */
  readonly passwordMinLength: number;
  /** PASSWORD_RESET_TTL, seconds, default one day. */
  readonly passwordResetTtlSeconds: number;
  /** PUBLIC_URL without a trailing slash, when set (reset links are absolute then). */
  readonly publicUrl: string | null;
}

export const AUTH_SETTINGS = 'AUTH_SETTINGS';

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const DEFAULT_SIGN_IN_ATTEMPTS_PER_MINUTE = 10;

export function authSettingsFrom(
  env: Pick<
    Env,
    | 'JWT_SECRET'
    | 'JWT_ISSUER'
    | 'JWT_AUDIENCE'
    | 'ACCESS_TOKEN_TTL'
    | 'SIGN_IN_ATTEMPTS_PER_MINUTE'
    | 'PASSWORD_MIN_LENGTH'
    | 'PASSWORD_RESET_TTL'
    | 'PUBLIC_URL'
  >,
): AuthSettings {
  return Object.freeze({
    jwtSecret: env.JWT_SECRET,
    jwtIssuer: env.JWT_ISSUER,
    jwtAudience: env.JWT_AUDIENCE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
    signInAttemptsPerMinute: env.SIGN_IN_ATTEMPTS_PER_MINUTE,
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    passwordResetTtlSeconds: env.PASSWORD_RESET_TTL,
    publicUrl: env.PUBLIC_URL ?? null,
  });
}
