import { hkdfSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
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

/** A 32-byte key as 64 hex digits or base64/base64url (43-44 characters); undefined when malformed. */
export function parseKey32(value: string): Buffer | undefined {
  const v = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(v)
    ? Buffer.from(v, 'hex')
    : /^[A-Za-z0-9+/_-]{43}={0,1}$/.test(v)
      ? Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : undefined;
  return bytes?.length === 32 ? bytes : undefined;
}

/** One entry of WEBHOOK_ALLOWED_HOSTS: a host name, an IP address or an IP network in CIDR notation. */
export function isAllowedHostEntry(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length) return false;
  const family = isIP(address);
  if (bits !== undefined) {
    const n = Number(bits);
    return family !== 0 && /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
  }
  return (
    family !== 0 ||
    /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(entry)
  );
}

const schema = z.object({
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
  /**
   * Webhook targets allowed although they resolve to a loopback, private or otherwise internal
   * address: comma-separated host names, IP addresses and CIDR networks (docs/webhooks.md).
   */
  WEBHOOK_ALLOWED_HOSTS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.string().refine(isAllowedHostEntry, {
            error:
              'must be a comma-separated list of host names, IP addresses and CIDR networks (e.g. hooks.internal,10.1.0.0/16)',
          }),
        ),
      )
      .default([]),
  ),
  /** Key that encrypts webhook signing secrets at rest (AES-256-GCM): 32 bytes, hex or base64. */
  WEBHOOK_SECRET_KEY: optionalString(
    z.string().refine((v) => parseKey32(v) !== undefined, {
      error: 'must be 32 bytes written as 64 hex digits or in base64 (openssl rand -base64 32)',
    }),
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
  /** Lower-cased host names, IP addresses and CIDR networks webhooks may reach although internal. */
  readonly WEBHOOK_ALLOWED_HOSTS: readonly string[];
  /** The 32-byte webhook secret key, base64. */
  readonly WEBHOOK_SECRET_KEY: string;
  /** True when WEBHOOK_SECRET_KEY was not configured and the key was derived from JWT_SECRET. */
  readonly WEBHOOK_SECRET_KEY_DERIVED: boolean;
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
  if (nodeEnv === 'production' && data && !data.WEBHOOK_SECRET_KEY) {
    issues.push({
      variable: 'WEBHOOK_SECRET_KEY',
      message: 'is required when NODE_ENV=production (32 bytes: openssl rand -base64 32)',
    });
  }
  if (issues.length > 0 || !data) {
    throw new EnvValidationError(issues);
  }

  const generated = !data.JWT_SECRET;
  const jwtSecret = data.JWT_SECRET ?? randomBytes(32).toString('base64url');
  // Outside production an unset key is derived from JWT_SECRET, so processes sharing it agree.
  const webhookKey = data.WEBHOOK_SECRET_KEY
    ? (parseKey32(data.WEBHOOK_SECRET_KEY) as Buffer)
    : Buffer.from(hkdfSync('sha256', jwtSecret, 'amendflow', 'webhook-secret-key', 32));
  const env: Env = {
    NODE_ENV: data.NODE_ENV,
    DATABASE_URL: data.DATABASE_URL,
    REDIS_URL: data.REDIS_URL,
    PORT: data.PORT,
    JWT_SECRET: jwtSecret,
    JWT_SECRET_GENERATED: generated,
    REDIS_PREFIX: data.REDIS_PREFIX,
    WORKERS_IN_PROCESS: data.WORKERS_IN_PROCESS,
    DATA_DIR: path.resolve(data.DATA_DIR),
    LOG_LEVEL: data.LOG_LEVEL ?? (data.NODE_ENV === 'test' ? 'warn' : 'log'),
    PG_LOCAL_PORT: data.PG_LOCAL_PORT,
    REDIS_LOCAL_PORT: data.REDIS_LOCAL_PORT,
    DB_POOL_SIZE: data.DB_POOL_SIZE,
    DB_QUERY_TIMEOUT_MS: data.DB_QUERY_TIMEOUT_MS,
    WEBHOOK_ALLOWED_HOSTS: Object.freeze(data.WEBHOOK_ALLOWED_HOSTS),
    WEBHOOK_SECRET_KEY: webhookKey.toString('base64'),
    WEBHOOK_SECRET_KEY_DERIVED: !data.WEBHOOK_SECRET_KEY,
  };
  return Object.freeze(env);
}
