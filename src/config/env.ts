import { hkdfSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
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

export const ANSWER_SIGNING_POLICIES = ['required', 'optional'] as const;
export type AnswerSigningPolicy = (typeof ANSWER_SIGNING_POLICIES)[number];

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

function wholeNumber(min: number, max: number, defaultValue: number, unit = '') {
  const error = `must be a whole number${unit} from ${min} to ${max}`;
  return z.preprocess((value) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  }, z.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(defaultValue));
}

/** Upper bound of API_PROCESSES: far more than one machine's PostgreSQL connections can serve. */
export const MAX_API_PROCESSES = 64;

const apiProcesses = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default('1')
    .transform((v, ctx): number => {
      const value = v.trim().toLowerCase();
      if (value === 'auto') return Math.min(MAX_API_PROCESSES, availableParallelism());
      if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_API_PROCESSES) return Number(value);
      ctx.addIssue({
        code: 'custom',
        message: `must be a whole number from 1 to ${MAX_API_PROCESSES} or "auto" (one per core, ${availableParallelism()} here)`,
      });
      return z.NEVER;
    }),
);

/** Minimum length of JWT_SECRET, in bytes (HS256 wants a key at least as long as its 256-bit hash). */
export const JWT_SECRET_MIN_BYTES = 32;

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
  JWT_SECRET: optionalString(
    z.string().refine((v) => Buffer.byteLength(v, 'utf8') >= JWT_SECRET_MIN_BYTES, {
      error: `must be at least ${JWT_SECRET_MIN_BYTES} bytes long (e.g. openssl rand -base64 48)`,
    }),
  ),
  /** `iss` of the access tokens this service issues, and the only one it accepts. */
  JWT_ISSUER: z.preprocess(blankToUndefined, z.string().default('amendflow')),
  /** `aud` of the access tokens this service issues, and the only one it accepts. */
  JWT_AUDIENCE: z.preprocess(blankToUndefined, z.string().default('amendflow-api')),
  /** Lifetime of an access token, seconds. */
  ACCESS_TOKEN_TTL: wholeNumber(1, 24 * 60 * 60, 15 * 60),
  /**
   * How long an API process may reuse the answer of a token check (revoked? role, member state,
   * active), milliseconds; 0 checks the database on every request. Revocations and user changes
   * clear it at once in every process (PostgreSQL NOTIFY); this bounds what a lost notice could cost.
   */
  TOKEN_CACHE_TTL_MS: wholeNumber(0, 60_000, 10_000),
  /** Sign-in attempts accepted per minute from one address. */
  SIGN_IN_ATTEMPTS_PER_MINUTE: wholeNumber(1, 10_000, 10),
  /** Demo accounts with a known password (refused when NODE_ENV=production). */
  DEMO: booleanFlag(false),
  /**
   * Whether member-state answers must be signed (docs/evidence.md, "Signed answers"):
   * `required` (default in production) refuses an unsigned answer; `optional` (default otherwise,
   * for the demo and development) accepts it unsigned and still checks a signature that is given.
   */
  ANSWER_SIGNING: optionalString(
    z.enum(ANSWER_SIGNING_POLICIES, { error: `must be one of ${ANSWER_SIGNING_POLICIES.join(', ')}` }),
  ),
  /** Minimum length of a password, characters. */
  PASSWORD_MIN_LENGTH: wholeNumber(8, 128, 12),
  /** How long an administrator-issued password reset link stays valid, seconds. */
  PASSWORD_RESET_TTL: wholeNumber(60, 7 * 24 * 60 * 60, 24 * 60 * 60),
  /** The service's public base URL (e.g. https://amendflow.example.org), used in password reset links. */
  PUBLIC_URL: optionalString(urlWithProtocols(['http:', 'https:'], 'http(s)://')),
  /** Swagger UI at /docs and the document at /docs-json (default: on, except in production). */
  DOCS_ENABLED: z.preprocess(blankToUndefined, booleanFlag(false).optional()),
  /** Bearer token that /metrics requires, when set. */
  METRICS_TOKEN: optionalString(z.string().min(16, { error: 'must be at least 16 characters long' })),
  /** Serve /metrics on this port of its own (and not on PORT); a worker serves metrics only there. */
  METRICS_PORT: optionalString(port(0)),
  /** Address the metrics listener binds to. */
  METRICS_HOST: z.preprocess(blankToUndefined, z.string().default('0.0.0.0')),
  /** json (one object a line) or pretty (coloured text); default json in production, pretty otherwise. */
  LOG_FORMAT: optionalString(z.enum(['json', 'pretty'], { error: 'must be json or pretty' })),
  /**
   * Send an event's BEGIN with its lock and its COMMIT with its writes, executing statements
   * prepared per connection with SQL PREPARE (two round trips per event instead of four). Off
   * behind a pooler that does not keep a session's prepared statements (PgBouncer in transaction mode).
   */
  PIPELINED_TRANSACTIONS: booleanFlag(true),
  /** Period of the outbox sweep (messages a crashed process left), ms; 0 = only after each commit. */
  OUTBOX_SWEEP_MS: wholeNumber(0, 3_600_000, 5000, ' of milliseconds'),
  /** After SIGTERM, keep serving (with /health/ready answering 503) this long before closing, ms. */
  SHUTDOWN_DRAIN_MS: wholeNumber(0, 120_000, 0, ' of milliseconds'),
  /** Periodic PostgreSQL -> Redis deadline reconciliation, ms; 0 = only at start. */
  RECONCILE_EVERY_MS: wholeNumber(0, 86_400_000, 60_000, ' of milliseconds'),
  DEADLINE_CONCURRENCY: wholeNumber(1, 1000, 8),
  DEADLINE_JOB_ATTEMPTS: wholeNumber(1, 1000, 10),
  DEADLINE_BACKOFF_MS: wholeNumber(1, 86_400_000, 2000, ' of milliseconds'),
  WEBHOOK_CONCURRENCY: wholeNumber(1, 1000, 8),
  WEBHOOK_ATTEMPTS: wholeNumber(1, 1000, 8),
  WEBHOOK_BACKOFF_MS: wholeNumber(1, 86_400_000, 5000, ' of milliseconds'),
  WEBHOOK_TIMEOUT_MS: wholeNumber(1, 600_000, 10_000, ' of milliseconds'),
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
  /**
   * API processes on this machine sharing PORT (node:cluster, docs/operations.md): a whole number
   * from 1 to 64, or `auto` (one per core). 1 (the default) = this process serves HTTP itself.
   */
  API_PROCESSES: apiProcesses,
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
  /** Time one comparison of two draft versions may spend diffing (shared by all its redlines), ms: over it, 422. */
  DIFF_TIMEOUT_MS: wholeNumber(1, 60_000, 2000, ' of milliseconds'),
  /** Edits one redline may find before the comparison gives up (jsdiff maxEditLength): over it, 422. */
  DIFF_MAX_EDIT_LENGTH: wholeNumber(1, 1_000_000, 20_000),
  /** Characters one comparison may cover (both versions, every language compared): over it, 413 before any work. */
  DIFF_MAX_CHARS: wholeNumber(1, 50_000_000, 2_000_000),
  /** The mail server notifications are sent through (smtp://user:pass@host:587 or smtps://…:465); unset = in-app only. */
  SMTP_URL: optionalString(urlWithProtocols(['smtp:', 'smtps:'], 'smtp:// or smtps://')),
  /** The sender of notification mails, e.g. `amendflow <no-reply@sco.example.org>` (required with SMTP_URL). */
  MAIL_FROM: optionalString(
    z.string().refine((v) => /^[^<>@\s]+@[^<>@\s]+$/.test(v.trim()) || /^[^<>]*<[^<>@\s]+@[^<>@\s]+>$/.test(v.trim()), {
      error: 'must be an e-mail address, optionally with a name: Name <address@example.org>',
    }),
  ),
  /** Tries of one mail before it is recorded as failed. */
  MAIL_ATTEMPTS: wholeNumber(1, 100, 8),
  /** First retry delay of a mail the server did not take (exponential), ms. */
  MAIL_BACKOFF_MS: wholeNumber(1, 86_400_000, 30_000, ' of milliseconds'),
  /** Mails sent at once per worker process. */
  MAIL_CONCURRENCY: wholeNumber(1, 100, 4),
  /** Key that encrypts webhook signing secrets at rest (AES-256-GCM): 32 bytes, hex or base64. */
  WEBHOOK_SECRET_KEY: optionalString(
    z.string().refine((v) => parseKey32(v) !== undefined, {
      error: 'must be 32 bytes written as 64 hex digits or in base64 (openssl rand -base64 32)',
    }),
  ),
  /**
   * The database connection migrations run with (the owner of the schema), when the service itself
   * connects (DATABASE_URL) as the restricted role amendflow_app. Unset: migrations use DATABASE_URL.
   */
  MIGRATION_DATABASE_URL: optionalString(urlWithProtocols(['postgres:', 'postgresql:'], 'postgres://')),
  /** The service's Ed25519 key signing checkpoints: its 32-byte seed, hex or base64 (never stored in the database). */
  EVIDENCE_SIGNING_KEY: optionalString(
    z.string().refine((v) => parseKey32(v) !== undefined, {
      error: 'must be a 32-byte Ed25519 seed written as 64 hex digits or in base64 (openssl rand -base64 32)',
    }),
  ),
  /** A file holding the service's Ed25519 private key (PKCS#8 PEM, `openssl genpkey -algorithm ed25519`) or its seed. */
  EVIDENCE_SIGNING_KEY_FILE: optionalString(z.string()),
  /** Period of the checkpoint job (signs the chain head of every procedure changed since), ms; 0 = only when a procedure closes. */
  EVIDENCE_CHECKPOINT_EVERY_MS: wholeNumber(0, 86_400_000, 15 * 60_000, ' of milliseconds'),
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
  /** API processes sharing PORT (`auto` resolved to the core count); 1 = no cluster. */
  readonly API_PROCESSES: number;
  /** Absolute path (DATA_DIR resolved against the working directory). */
  readonly DATA_DIR: string;
  readonly LOG_LEVEL: LogLevel;
  readonly PG_LOCAL_PORT: number;
  readonly REDIS_LOCAL_PORT: number;
  readonly DB_POOL_SIZE: number;
  readonly DB_QUERY_TIMEOUT_MS: number;
  readonly JWT_ISSUER: string;
  readonly JWT_AUDIENCE: string;
  readonly ACCESS_TOKEN_TTL: number;
  readonly TOKEN_CACHE_TTL_MS: number;
  readonly SIGN_IN_ATTEMPTS_PER_MINUTE: number;
  readonly DEMO: boolean;
  readonly ANSWER_SIGNING: AnswerSigningPolicy;
  readonly PASSWORD_MIN_LENGTH: number;
  readonly PASSWORD_RESET_TTL: number;
  readonly PUBLIC_URL?: string;
  readonly DOCS_ENABLED: boolean;
  readonly METRICS_TOKEN?: string;
  readonly METRICS_PORT?: number;
  readonly METRICS_HOST: string;
  readonly LOG_FORMAT: 'json' | 'pretty';
  readonly PIPELINED_TRANSACTIONS: boolean;
  readonly OUTBOX_SWEEP_MS: number;
  readonly SHUTDOWN_DRAIN_MS: number;
  readonly RECONCILE_EVERY_MS: number;
  readonly DEADLINE_CONCURRENCY: number;
  readonly DEADLINE_JOB_ATTEMPTS: number;
  readonly DEADLINE_BACKOFF_MS: number;
  readonly WEBHOOK_CONCURRENCY: number;
  readonly WEBHOOK_ATTEMPTS: number;
  readonly WEBHOOK_BACKOFF_MS: number;
  readonly WEBHOOK_TIMEOUT_MS: number;
  /** Express `trust proxy`: a hop count or the trusted proxies' addresses/CIDRs. */
  readonly TRUST_PROXY: number | string[];
  readonly RATE_LIMIT_WINDOW_SECONDS: number;
  readonly RATE_LIMIT_REQUESTS: number;
  readonly RATE_LIMIT_COMMENTS: number;
  readonly RATE_LIMIT_VERSIONS: number;
  readonly RATE_LIMIT_EVENTS: number;
  readonly SIGN_IN_LIMIT_PER_ACCOUNT: number;
  /** Lower-cased host names, IP addresses and CIDR networks webhooks may reach although internal. */
  readonly WEBHOOK_ALLOWED_HOSTS: readonly string[];
  /** The 32-byte webhook secret key, base64. */
  readonly WEBHOOK_SECRET_KEY: string;
  readonly MIGRATION_DATABASE_URL?: string;
  readonly EVIDENCE_SIGNING_KEY?: string;
  readonly EVIDENCE_SIGNING_KEY_FILE?: string;
  readonly EVIDENCE_CHECKPOINT_EVERY_MS: number;
  /** True when WEBHOOK_SECRET_KEY was not configured and the key was derived from JWT_SECRET. */
  readonly WEBHOOK_SECRET_KEY_DERIVED: boolean;
  /** The mail server, when notifications go out by e-mail (with MAIL_FROM and PUBLIC_URL). */
  readonly SMTP_URL?: string;
  readonly MAIL_FROM?: string;
  readonly MAIL_ATTEMPTS: number;
  readonly MAIL_BACKOFF_MS: number;
  readonly MAIL_CONCURRENCY: number;
  /** The work one comparison of draft versions may do (see DiffBudget in src/documents/draft-diff.ts). */
  readonly DIFF_TIMEOUT_MS: number;
  readonly DIFF_MAX_EDIT_LENGTH: number;
  readonly DIFF_MAX_CHARS: number;
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
  // Judged on the raw values too, so that a production boot lists every missing setting at once.
  const nodeEnv = data?.NODE_ENV ?? String(source.NODE_ENV ?? '').trim();
  if (nodeEnv === 'production') {
    // Production never falls back to a local superuser, an embedded PostgreSQL, a child Redis,
    // a random secret or demo accounts: each of those must be an explicit choice.
    const has = (name: string) => blankToUndefined(source[name]) !== undefined;
    const seen = new Set(issues.map((i) => i.variable));
    const requireSet = (variable: string, message: string) => {
      if (!seen.has(variable) && !has(variable)) issues.push({ variable, message });
    };
    requireSet('DATABASE_URL', 'is required when NODE_ENV=production (postgres://user:password@host:5432/database)');
    requireSet('REDIS_URL', 'is required when NODE_ENV=production (redis://host:6379)');
    requireSet('JWT_SECRET', `is required when NODE_ENV=production (at least ${JWT_SECRET_MIN_BYTES} random bytes)`);
    requireSet('WEBHOOK_SECRET_KEY', 'is required when NODE_ENV=production (32 bytes: openssl rand -base64 32)');
    if (!seen.has('EVIDENCE_SIGNING_KEY') && !has('EVIDENCE_SIGNING_KEY') && !has('EVIDENCE_SIGNING_KEY_FILE'))
      issues.push({
        variable: 'EVIDENCE_SIGNING_KEY',
        message:
          'or EVIDENCE_SIGNING_KEY_FILE is required when NODE_ENV=production (the checkpoint signing key: openssl rand -base64 32)',
      });
    if (
      TRUE_WORDS.includes(
        String(source.DEMO ?? '')
          .trim()
          .toLowerCase(),
      )
    ) {
      issues.push({
        variable: 'DEMO',
        message: 'demo accounts (a known password) are refused when NODE_ENV=production',
      });
    }
  }
  if (data) {
    // Mail needs a sender and absolute links; a sender without a server is a forgotten setting.
    const seen = new Set(issues.map((i) => i.variable));
    const add = (variable: string, message: string) => {
      if (!seen.has(variable)) issues.push({ variable, message });
    };
    if (data.SMTP_URL && !data.MAIL_FROM)
      add('MAIL_FROM', 'is required with SMTP_URL (the sender of notification mails, e.g. no-reply@sco.example.org)');
    if (data.SMTP_URL && !data.PUBLIC_URL)
      add('PUBLIC_URL', 'is required with SMTP_URL (mails link to the web application at this address)');
    if (data.MAIL_FROM && !data.SMTP_URL)
      add('SMTP_URL', 'is required with MAIL_FROM (the mail server to send through, smtp://host:587)');
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
    API_PROCESSES: data.API_PROCESSES,
    DATA_DIR: path.resolve(data.DATA_DIR),
    LOG_LEVEL: data.LOG_LEVEL ?? (data.NODE_ENV === 'test' ? 'warn' : 'log'),
    PG_LOCAL_PORT: data.PG_LOCAL_PORT,
    REDIS_LOCAL_PORT: data.REDIS_LOCAL_PORT,
    DB_POOL_SIZE: data.DB_POOL_SIZE,
    DB_QUERY_TIMEOUT_MS: data.DB_QUERY_TIMEOUT_MS,
    JWT_ISSUER: data.JWT_ISSUER,
    JWT_AUDIENCE: data.JWT_AUDIENCE,
    ACCESS_TOKEN_TTL: data.ACCESS_TOKEN_TTL,
    TOKEN_CACHE_TTL_MS: data.TOKEN_CACHE_TTL_MS,
    SIGN_IN_ATTEMPTS_PER_MINUTE: data.SIGN_IN_ATTEMPTS_PER_MINUTE,
    DEMO: data.DEMO,
    ANSWER_SIGNING: data.ANSWER_SIGNING ?? (data.NODE_ENV === 'production' ? 'required' : 'optional'),
    PASSWORD_MIN_LENGTH: data.PASSWORD_MIN_LENGTH,
    PASSWORD_RESET_TTL: data.PASSWORD_RESET_TTL,
    PUBLIC_URL: data.PUBLIC_URL?.replace(/\/+$/, ''),
    DOCS_ENABLED: data.DOCS_ENABLED ?? data.NODE_ENV !== 'production',
    METRICS_TOKEN: data.METRICS_TOKEN,
    METRICS_PORT: data.METRICS_PORT,
    METRICS_HOST: data.METRICS_HOST,
    LOG_FORMAT: data.LOG_FORMAT ?? (data.NODE_ENV === 'production' ? 'json' : 'pretty'),
    PIPELINED_TRANSACTIONS: data.PIPELINED_TRANSACTIONS,
    OUTBOX_SWEEP_MS: data.OUTBOX_SWEEP_MS,
    SHUTDOWN_DRAIN_MS: data.SHUTDOWN_DRAIN_MS,
    RECONCILE_EVERY_MS: data.RECONCILE_EVERY_MS,
    DEADLINE_CONCURRENCY: data.DEADLINE_CONCURRENCY,
    DEADLINE_JOB_ATTEMPTS: data.DEADLINE_JOB_ATTEMPTS,
    DEADLINE_BACKOFF_MS: data.DEADLINE_BACKOFF_MS,
    WEBHOOK_CONCURRENCY: data.WEBHOOK_CONCURRENCY,
    WEBHOOK_ATTEMPTS: data.WEBHOOK_ATTEMPTS,
    WEBHOOK_BACKOFF_MS: data.WEBHOOK_BACKOFF_MS,
    WEBHOOK_TIMEOUT_MS: data.WEBHOOK_TIMEOUT_MS,
    TRUST_PROXY: data.TRUST_PROXY,
    RATE_LIMIT_WINDOW_SECONDS: data.RATE_LIMIT_WINDOW_SECONDS,
    RATE_LIMIT_REQUESTS: data.RATE_LIMIT_REQUESTS,
    RATE_LIMIT_COMMENTS: data.RATE_LIMIT_COMMENTS,
    RATE_LIMIT_VERSIONS: data.RATE_LIMIT_VERSIONS,
    RATE_LIMIT_EVENTS: data.RATE_LIMIT_EVENTS,
    SIGN_IN_LIMIT_PER_ACCOUNT: data.SIGN_IN_LIMIT_PER_ACCOUNT,
    WEBHOOK_ALLOWED_HOSTS: Object.freeze(data.WEBHOOK_ALLOWED_HOSTS),
    WEBHOOK_SECRET_KEY: webhookKey.toString('base64'),
    WEBHOOK_SECRET_KEY_DERIVED: !data.WEBHOOK_SECRET_KEY,
    MIGRATION_DATABASE_URL: data.MIGRATION_DATABASE_URL,
    EVIDENCE_SIGNING_KEY: data.EVIDENCE_SIGNING_KEY,
    EVIDENCE_SIGNING_KEY_FILE: data.EVIDENCE_SIGNING_KEY_FILE,
    EVIDENCE_CHECKPOINT_EVERY_MS: data.EVIDENCE_CHECKPOINT_EVERY_MS,
    SMTP_URL: data.SMTP_URL,
    MAIL_FROM: data.MAIL_FROM?.trim(),
    MAIL_ATTEMPTS: data.MAIL_ATTEMPTS,
    MAIL_BACKOFF_MS: data.MAIL_BACKOFF_MS,
    MAIL_CONCURRENCY: data.MAIL_CONCURRENCY,
    DIFF_TIMEOUT_MS: data.DIFF_TIMEOUT_MS,
    DIFF_MAX_EDIT_LENGTH: data.DIFF_MAX_EDIT_LENGTH,
    DIFF_MAX_CHARS: data.DIFF_MAX_CHARS,
  };
  return Object.freeze(env);
}
