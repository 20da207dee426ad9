import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { z } from 'zod';

/**
 * Environment configuration, validated once at boot.
 *
 * `loadEnv()` never prints or exits by itself: it returns a frozen, typed
 * object or throws an {@link EnvValidationError} whose message has one
 * readable line per bad variable. The boot code prints that message and
 * exits with code 1.
 */

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** Empty strings (e.g. `FOO=` in a compose file) count as "not set". */
const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalString = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

function urlWithProtocols(protocols: string[], label: string) {
  return z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return protocols.includes(url.protocol) && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: `must be a ${label} URL` },
  );
}

function port(defaultValue: number) {
  const error = 'must be a port number between 0 and 65535';
  return z.preprocess((value) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  }, z.number({ error }).int({ error }).min(0, { error }).max(65535, { error }).default(defaultValue));
}

function booleanFlag(defaultValue: boolean) {
  const error = `must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}`;
  return z.preprocess((value) => {
    const v = blankToUndefined(value);
    if (typeof v !== 'string') return v;
    const word = v.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    return v;
  }, z.boolean({ error }).default(defaultValue));
}

function wholeNumber(min: number, max: number, defaultValue: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    blankToUndefined,
    z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(defaultValue),
  );
}

/**
 * TRUST_PROXY: how many proxies in front of the service to trust for the client address
 * (`X-Forwarded-For`): a hop count (0 = none, the default), or a comma-separated list of
 * addresses/CIDRs of the trusted proxies (e.g. `10.0.0.0/8,127.0.0.1`).
 */
const IPV4_CIDR = /^(\d{1,3})(\.\d{1,3}){3}(\/(3[0-2]|[12]?\d))?$/;
const IPV6_CIDR = /^[0-9a-f:]*:[0-9a-f:.]*(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/i;
const trustProxy = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default('0')
    .transform((v, ctx): number | string[] => {
      const value = v.trim();
      if (/^\d+$/.test(value) && Number(value) <= 10) return Number(value);
      const parts = value.split(',').map((p) => p.trim());
      const bad = parts.find(
        (p) =>
          !(
            (IPV4_CIDR.test(p) &&
              p
                .split('/')[0]
                .split('.')
                .every((o) => Number(o) <= 255)) ||
            IPV6_CIDR.test(p) ||
            ['loopback', 'linklocal', 'uniquelocal'].includes(p)
          ),
      );
      if (bad !== undefined || parts.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a hop count from 0 to 10 or a comma-separated list of proxy addresses or CIDRs (bad: "${bad ?? value}")`,
        });
        return z.NEVER;
      }
      return parts;
    }),
);

const schema = z.object({
  TRUST_PROXY: trustProxy,
  /** Length of the window every per-user limit below counts in. */
  RATE_LIMIT_WINDOW_SECONDS: wholeNumber(1, 3600, 60),
  /** Requests per user per window, any route (429 with Retry-After beyond). */
  RATE_LIMIT_REQUESTS: wholeNumber(1, 1_000_000, 1200),
  /** Comments per user per window. */
  RATE_LIMIT_COMMENTS: wholeNumber(1, 1_000_000, 60),
  /** Draft versions per user per window. */
  RATE_LIMIT_VERSIONS: wholeNumber(1, 1_000_000, 30),
  /** Events (including approvers' answers) per user per window. */
  RATE_LIMIT_EVENTS: wholeNumber(1, 1_000_000, 300),
  /** Sign-in attempts per account (e-mail) per minute, from any address (per address: SIGN_IN_ATTEMPTS_PER_MINUTE). */
  SIGN_IN_LIMIT_PER_ACCOUNT: wholeNumber(1, 100_000, 10),
  NODE_ENV: z.preprocess(
    blankToUndefined,
    z.enum(NODE_ENVS, { error: `must be one of ${NODE_ENVS.join(', ')}` }).default('development'),
  ),
  DATABASE_URL: optionalString(urlWithProtocols(['postgres:', 'postgresql:'], 'postgres://')),
  REDIS_URL: optionalString(urlWithProtocols(['redis:', 'rediss:'], 'redis://')),
  PORT: port(3000),
  JWT_SECRET: optionalString(z.string().min(16, { error: 'must be at least 16 characters long' })),
  REDIS_PREFIX: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, {
        error: 'must start with a letter or digit and contain only letters, digits, "_", ".", ":" or "-"',
      })
      .default('amendflow'),
  ),
  WORKERS_IN_PROCESS: booleanFlag(true),
  DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./data')),
  LOG_LEVEL: optionalString(
    z
      .string()
      .transform((s) => (s.trim().toLowerCase() === 'info' ? 'log' : s.trim().toLowerCase()))
      .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')} (info = log)` })),
  ),
  /** Port probed for a local PostgreSQL when DATABASE_URL is not set. */
  PG_LOCAL_PORT: port(5432),
  /** Port probed for a local Redis when REDIS_URL is not set. */
  REDIS_LOCAL_PORT: port(6379),
  /** A query with no answer after this long fails (503) and its connection is dropped. */
  DB_QUERY_TIMEOUT_MS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number of milliseconds from 100 to 600000' })
      .int({ error: 'must be a whole number of milliseconds from 100 to 600000' })
      .min(100, { error: 'must be a whole number of milliseconds from 100 to 600000' })
      .max(600_000, { error: 'must be a whole number of milliseconds from 100 to 600000' })
      .default(30_000),
  ),
  /** Connections in the PostgreSQL pool of each process. */
  DB_POOL_SIZE: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number from 2 to 200' })
      .int({ error: 'must be a whole number from 2 to 200' })
      .min(2, { error: 'must be a whole number from 2 to 200' })
      .max(200, { error: 'must be a whole number from 2 to 200' })
      .default(20),
  ),
});

export interface Env {
  readonly NODE_ENV: NodeEnv;
  readonly DATABASE_URL?: string;
  readonly REDIS_URL?: string;
  readonly PORT: number;
  readonly JWT_SECRET: string;
  /** True when JWT_SECRET was not configured and a random one was generated for this boot. */
  readonly JWT_SECRET_GENERATED: boolean;
  readonly REDIS_PREFIX: string;
  readonly WORKERS_IN_PROCESS: boolean;
  /** Absolute path (DATA_DIR resolved against the working directory). */
  readonly DATA_DIR: string;
  readonly LOG_LEVEL: LogLevel;
  readonly PG_LOCAL_PORT: number;
  readonly REDIS_LOCAL_PORT: number;
  readonly DB_POOL_SIZE: number;
  readonly DB_QUERY_TIMEOUT_MS: number;
  /** Express `trust proxy`: a hop count or the trusted proxies' addresses/CIDRs. */
  readonly TRUST_PROXY: number | string[];
  readonly RATE_LIMIT_WINDOW_SECONDS: number;
  readonly RATE_LIMIT_REQUESTS: number;
  readonly RATE_LIMIT_COMMENTS: number;
  readonly RATE_LIMIT_VERSIONS: number;
  readonly RATE_LIMIT_EVENTS: number;
  readonly SIGN_IN_LIMIT_PER_ACCOUNT: number;
}

export interface EnvIssue {
  variable: string;
  message: string;
}

export class EnvValidationError extends Error {
  override readonly name = 'EnvValidationError';

  constructor(readonly issues: EnvIssue[]) {
    super(issues.map((i) => `${i.variable}: ${i.message}`).join('\n'));
  }
}

/** Nest logger levels enabled for a configured LOG_LEVEL (each level includes the ones above it). */
export function enabledLogLevels(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

export function loadEnv(source: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): Env {
  const parsed = schema.safeParse(source);
  const issues: EnvIssue[] = [];
  if (!parsed.success) {
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '(environment)');
      if (seen.has(variable)) continue; // one message per variable
      seen.add(variable);
      issues.push({ variable, message: issue.message });
    }
  }

  const data = parsed.success ? parsed.data : undefined;
  const nodeEnv = data?.NODE_ENV ?? 'development';
  if (nodeEnv === 'production' && data && !data.JWT_SECRET) {
    issues.push({ variable: 'JWT_SECRET', message: 'is required when NODE_ENV=production' });
  }
  if (issues.length > 0 || !data) {
    throw new EnvValidationError(issues);
  }

  const generated = !data.JWT_SECRET;
  const env: Env = {
    NODE_ENV: data.NODE_ENV,
    DATABASE_URL: data.DATABASE_URL,
    REDIS_URL: data.REDIS_URL,
    PORT: data.PORT,
    JWT_SECRET: data.JWT_SECRET ?? randomBytes(32).toString('base64url'),
    JWT_SECRET_GENERATED: generated,
    REDIS_PREFIX: data.REDIS_PREFIX,
    WORKERS_IN_PROCESS: data.WORKERS_IN_PROCESS,
    DATA_DIR: path.resolve(data.DATA_DIR),
    LOG_LEVEL: data.LOG_LEVEL ?? (data.NODE_ENV === 'test' ? 'warn' : 'log'),
    PG_LOCAL_PORT: data.PG_LOCAL_PORT,
    REDIS_LOCAL_PORT: data.REDIS_LOCAL_PORT,
    DB_POOL_SIZE: data.DB_POOL_SIZE,
    DB_QUERY_TIMEOUT_MS: data.DB_QUERY_TIMEOUT_MS,
    TRUST_PROXY: data.TRUST_PROXY,
    RATE_LIMIT_WINDOW_SECONDS: data.RATE_LIMIT_WINDOW_SECONDS,
    RATE_LIMIT_REQUESTS: data.RATE_LIMIT_REQUESTS,
    RATE_LIMIT_COMMENTS: data.RATE_LIMIT_COMMENTS,
    RATE_LIMIT_VERSIONS: data.RATE_LIMIT_VERSIONS,
    RATE_LIMIT_EVENTS: data.RATE_LIMIT_EVENTS,
    SIGN_IN_LIMIT_PER_ACCOUNT: data.SIGN_IN_LIMIT_PER_ACCOUNT,
  };
  return Object.freeze(env);
}
