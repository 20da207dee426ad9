/**
 * Several API processes on one machine, behind one port (API_PROCESSES > 1, docs/operations.md).
 *
 * The primary process serves no HTTP and opens no database pool: it validates the environment,
 * finds PostgreSQL and Redis (starting the embedded ones when nothing is configured), applies the
 * migrations once, and then forks API_PROCESSES API processes with node:cluster. Each boots the whole
 * application (src/bootstrap.ts startService) and listens on PORT; the primary hands each new
 * connection to one of them in turn. The primary
 *
 * - gives every API process the same PostgreSQL and Redis, the same JWT_SECRET (a random one made
 *   here when none is set, so that a token signed by one process is accepted by the others) and,
 *   outside production when none is set, the same checkpoint signing key;
 * - starts a new API process in place of one that dies, after a backoff that grows while the
 *   same place keeps failing (1 s, 2 s, 4 s ... 30 s; reset after a minute of uptime), and logs it;
 * - on SIGTERM / SIGINT asks every API process to shut down (each drains, closes its server and its
 *   connections), starts no new one, and exits when all have (0 when all exited cleanly); a second
 *   signal kills them and exits at once.
 *
 * API_PROCESSES=1 (the default): this process is the API process, as before.
 */
import { randomBytes } from 'node:crypto';
import cluster, { type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import {
  applyMigrations,
  reportBootFailure,
  resolveRuntime,
  startService,
  type ResolvedInfrastructure,
  type ShutdownRequest,
} from './bootstrap';
import { loadEnv, type Env } from './config/env';
import { createRootLogger, PinoBootLogger } from './infra/logging';
import { errorReason } from './infra/net';

/** The variable the primary sets in each API process it starts: its place, 1 to API_PROCESSES. */
export const API_PROCESS_INDEX = 'AMENDFLOW_API_PROCESS_INDEX';

/** First restart delay of a place whose process died; doubled while it keeps dying, up to the maximum. */
export const RESTART_BACKOFF_MS = 1000;
export const RESTART_BACKOFF_MAX_MS = 30_000;
/** A process that ran this long before dying restarts after the first delay again. */
const STABLE_AFTER_MS = 60_000;

/** The entry point of src/main.ts: one API process, or the primary of API_PROCESSES of them. */
export async function startApi(): Promise<void> {
  if (cluster.isWorker) {
    const index = Number(process.env[API_PROCESS_INDEX]);
    let env: Env;
    try {
      env = loadEnv();
    } catch (err) {
      reportBootFailure(err);
      process.exit(1);
    }
    return startService({ env, apiProcess: { index, count: env.API_PROCESSES } });
  }
  let env: Env;
  try {
    env = loadEnv();
  } catch (err) {
    reportBootFailure(err);
    process.exit(1);
  }
  if (env.API_PROCESSES <= 1) return startService({ env });
  return startPrimary(env);
}

/** The restart delay of a place after `failures` deaths in a row (1-based). */
export function restartDelay(failures: number): number {
  return Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_MS * 2 ** Math.max(0, Math.min(failures - 1, 20)));
}

interface Place {
  readonly index: number;
  worker: Worker | null;
  startedAt: number;
  failures: number;
  restart: NodeJS.Timeout | null;
}

async function startPrimary(env: Env): Promise<void> {
  const root = createRootLogger(env);
  Logger.overrideLogger(new PinoBootLogger(root));
  const logger = new Logger('Cluster');
  let infra: ResolvedInfrastructure | undefined;
  try {
    infra = await resolveRuntime({ env, logger: root });
    await applyMigrations(env, infra, logger);
  } catch (err) {
    reportBootFailure(err);
    await infra?.stop().catch(() => undefined);
    process.exit(1);
  }
  const resolved = infra;

  // What every API process must agree on, whatever the machine's environment left unset.
  const shared: Record<string, string> = {
    DATABASE_URL: resolved.postgres.url,
    REDIS_URL: resolved.redis.url,
    JWT_SECRET: env.JWT_SECRET,
  };
  if (!env.EVIDENCE_SIGNING_KEY && !env.EVIDENCE_SIGNING_KEY_FILE) {
    shared.EVIDENCE_SIGNING_KEY = randomBytes(32).toString('base64');
    if (env.NODE_ENV !== 'test')
      logger.warn(
        'EVIDENCE_SIGNING_KEY is not set: the API processes sign checkpoints with a key made for this run only; set one before production',
      );
  }

  const count = env.API_PROCESSES;
  const places: Place[] = Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    worker: null,
    startedAt: 0,
    failures: 0,
    restart: null,
  }));
  let up = false;
  let stopping = false;
  let failedExit = false;
  let allExited: (() => void) | null = null;
  const live = () => places.filter((p) => p.worker !== null);
  const listening = new WeakSet<Worker>();

  const fork = (place: Place) => {
    place.restart = null;
    const worker = cluster.fork({ ...shared, [API_PROCESS_INDEX]: String(place.index) });
    place.worker = worker;
    place.startedAt = Date.now();
    worker.on('listening', () => {
      if (listening.has(worker)) return; // a second listener of its own (METRICS_PORT)
      listening.add(worker);
      if (up) logger.log(`API process ${place.index} (pid ${worker.process.pid}) is serving again`);
      else if (places.every((p) => p.worker !== null && listening.has(p.worker))) onAllUp();
    });
    worker.on('exit', (code, signal) => onExit(place, worker, code, signal));
    // a message to a process that has just died (its exit follows and is handled there)
    worker.on('error', (err) => logger.warn(`API process ${place.index}: ${errorReason(err)}`));
  };

  const onAllUp = () => {
    up = true;
    logger.log(
      `amendflow listening on http://localhost:${env.PORT} with ${count} API processes ` +
        `(pids ${places.map((p) => p.worker?.process.pid).join(', ')}; primary ${process.pid})`,
    );
  };

  const onExit = (place: Place, worker: Worker, code: number | null, signal: string | null) => {
    if (place.worker !== worker) return;
    place.worker = null;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (stopping) {
      if (code !== 0) failedExit = true;
      if (live().length === 0) allExited?.();
      return;
    }
    if (!up) {
      // A process that cannot start (bad settings, database unreachable) would fail again: stop.
      logger.error(`API process ${place.index} (pid ${worker.process.pid}) ${how} while starting; stopping`);
      shutdown('SIGTERM', 1);
      return;
    }
    place.failures = Date.now() - place.startedAt >= STABLE_AFTER_MS ? 1 : place.failures + 1;
    const delay = restartDelay(place.failures);
    logger.error(
      `API process ${place.index} (pid ${worker.process.pid}) ${how}; starting a new one in ${delay} ms` +
        (place.failures > 1 ? ` (failure ${place.failures} in a row)` : ''),
    );
    place.restart = setTimeout(() => fork(place), delay);
  };

  const shutdown = (signal: NodeJS.Signals, code = 0) => {
    if (stopping) {
      logger.warn(`Received ${signal} again; killing the API processes and exiting now`);
      for (const p of live()) p.worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    if (code !== 0) failedExit = true;
    for (const p of places) if (p.restart) clearTimeout(p.restart);
    logger.log(`Received ${signal}; stopping ${live().length} API process(es)`);
    const graceMs = 20_000 + env.SHUTDOWN_DRAIN_MS + 10_000;
    const force = setTimeout(() => {
      logger.error(`The API processes did not stop within ${graceMs / 1000} s; killing them`);
      for (const p of live()) p.worker?.process.kill('SIGKILL');
      process.exit(1);
    }, graceMs);
    force.unref();
    const done = new Promise<void>((resolve) => (allExited = resolve));
    for (const p of live()) {
      const worker = p.worker as Worker;
      // one still booting has no handler yet: the signal's default ends it
      if (listening.has(worker) && worker.isConnected()) {
        const request: ShutdownRequest = { amendflow: 'shutdown', signal };
        worker.send(request);
      } else worker.process.kill('SIGTERM');
    }
    void (async () => {
      if (live().length > 0) await done;
      let exitCode = failedExit ? 1 : 0;
      try {
        await resolved.stop();
      } catch (err) {
        exitCode = 1;
        logger.error(`Stopping PostgreSQL/Redis failed: ${errorReason(err)}`);
      }
      logger.log('Stopped');
      process.exit(exitCode);
    })();
  };

  process.on('SIGTERM', (signal) => shutdown(signal));
  process.on('SIGINT', (signal) => shutdown(signal));
  logger.log(`Starting ${count} API processes on port ${env.PORT}`);
  for (const place of places) fork(place);
}
