import type { Env } from '../config/env';

/**
 * Tuning of the deadline and webhook queues, validated with every other setting in the one env
 * schema (src/config/env.ts) at boot. Every value has a production default; tests lower the delays.
 *
 *   RECONCILE_EVERY_MS        60000   periodic PostgreSQL -> Redis reconciliation; 0 = only at start
 *   DEADLINE_CONCURRENCY      8       groups of deadline jobs delivered at once per worker process (each
 *                                     group: up to 25 jobs fired together, one database connection;
 *                                     keep it below DB_POOL_SIZE, default 20)
 *   DEADLINE_JOB_ATTEMPTS     10      tries of a deadline job before it is marked failed
 *   DEADLINE_BACKOFF_MS       2000    first retry delay (exponential)
 *   WEBHOOK_CONCURRENCY       8       webhook POSTs at once per worker process
 *   WEBHOOK_ATTEMPTS          8
 *   WEBHOOK_BACKOFF_MS        5000    first retry delay (exponential)
 *   WEBHOOK_TIMEOUT_MS        10000   per POST
 */
export interface DeadlineSettings {
  reconcileEveryMs: number;
  deadlineConcurrency: number;
  deadlineAttempts: number;
  deadlineBackoffMs: number;
  webhookConcurrency: number;
  webhookAttempts: number;
  webhookBackoffMs: number;
  webhookTimeoutMs: number;
  /** Completed jobs are kept this long (seconds) so that re-adding the same id is a no-op. */
  keepCompletedSeconds: number;
  /** Completed deadline jobs are kept this long (seconds): what ran is never planned again (its event is in the history). */
  keepCompletedDeadlineSeconds: number;
  keepFailedSeconds: number;
}

export const DEADLINE_SETTINGS = 'DEADLINE_SETTINGS';

function int(source: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = source[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}, not "${raw}"`);
  return n;
}

/** The settings of a validated environment (what the application uses). */
export function deadlineSettingsOf(
  env: Pick<
    Env,
    | 'RECONCILE_EVERY_MS'
    | 'DEADLINE_CONCURRENCY'
    | 'DEADLINE_JOB_ATTEMPTS'
    | 'DEADLINE_BACKOFF_MS'
    | 'WEBHOOK_CONCURRENCY'
    | 'WEBHOOK_ATTEMPTS'
    | 'WEBHOOK_BACKOFF_MS'
    | 'WEBHOOK_TIMEOUT_MS'
  >,
): DeadlineSettings {
  return {
    reconcileEveryMs: env.RECONCILE_EVERY_MS,
    deadlineConcurrency: env.DEADLINE_CONCURRENCY,
    deadlineAttempts: env.DEADLINE_JOB_ATTEMPTS,
    deadlineBackoffMs: env.DEADLINE_BACKOFF_MS,
    webhookConcurrency: env.WEBHOOK_CONCURRENCY,
    webhookAttempts: env.WEBHOOK_ATTEMPTS,
    webhookBackoffMs: env.WEBHOOK_BACKOFF_MS,
    webhookTimeoutMs: env.WEBHOOK_TIMEOUT_MS,
    keepCompletedSeconds: 14 * 24 * 3600,
    keepCompletedDeadlineSeconds: 3600,
    keepFailedSeconds: 30 * 24 * 3600,
  };
}

/** The same settings read from raw variables (scripts and unit tests). */
export function deadlineSettingsFrom(source: Record<string, string | undefined>): DeadlineSettings {
  return {
    reconcileEveryMs: int(source, 'RECONCILE_EVERY_MS', 60_000, 0),
    deadlineConcurrency: int(source, 'DEADLINE_CONCURRENCY', 8, 1),
    deadlineAttempts: int(source, 'DEADLINE_JOB_ATTEMPTS', 10, 1),
    deadlineBackoffMs: int(source, 'DEADLINE_BACKOFF_MS', 2000, 1),
    webhookConcurrency: int(source, 'WEBHOOK_CONCURRENCY', 8, 1),
    webhookAttempts: int(source, 'WEBHOOK_ATTEMPTS', 8, 1),
    webhookBackoffMs: int(source, 'WEBHOOK_BACKOFF_MS', 5000, 1),
    webhookTimeoutMs: int(source, 'WEBHOOK_TIMEOUT_MS', 10_000, 1),
    keepCompletedSeconds: 14 * 24 * 3600,
    keepCompletedDeadlineSeconds: 3600,
    keepFailedSeconds: 30 * 24 * 3600,
  };
}
