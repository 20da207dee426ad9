import type { Logger as Pino } from 'pino';
import type { Env } from '../config/env';
import type { Clock } from './clock';

/**
 * Everything the application needs from the outside world, resolved before
 * Nest boots (see src/bootstrap.ts). Tests build their own with a scratch
 * database, their own Redis prefix and a fake clock.
 */
export interface Runtime {
  readonly env: Env;
  /** postgres:// URL of the database the app uses (migrations already applied). */
  readonly postgresUrl: string;
  /** redis:// URL. All keys the app writes start with `${env.REDIS_PREFIX}:`. */
  readonly redisUrl: string;
  readonly clock: Clock;
  /** The process's root pino logger (access log, JSON or pretty lines); made from env when absent. */
  readonly logger?: Pino;
  /**
   * Set in an API process of a cluster (API_PROCESSES > 1, src/cluster.ts): its place (1-based)
   * among `count`. What must happen once at start (demo accounts) happens in process 1 only.
   */
  readonly apiProcess?: { readonly index: number; readonly count: number };
}

export const RUNTIME = 'RUNTIME';
