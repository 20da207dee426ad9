import cluster from 'node:cluster';
import { inspect } from 'node:util';
import { Logger, type LogLevel as NestLogLevel, type LoggerService, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { json, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module';
import { BODY_LIMIT, bodyParserError, DRAFT_BODY_LIMIT } from './common/http-exception.filter';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './common/json-depth';
import {
  answerUnparsableRequests,
  decompressionError,
  duplicateJsonKey,
  refuseUnreadableTransport,
} from './common/request-transport';
import { enabledLogLevels, EnvValidationError, loadEnv, type Env, type LogLevel } from './config/env';
import { BootError } from './infra/boot-error';
import { systemClock, type Clock } from './infra/clock';
import { runMigrations } from './infra/migrations';
import { createOpenApiDocument } from './openapi-document';
import { createRootLogger, PinoBootLogger } from './infra/logging';
import { errorReason } from './infra/net';
import { resolvePostgres, type ResolvedPostgres } from './infra/postgres-resolver';
import { resolveRedis, type ResolvedRedis } from './infra/redis-resolver';
import type { Runtime } from './infra/runtime';
import { Readiness } from './health/readiness';
import { OperationalMetrics } from './web/operational-metrics';

export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  return ['fatal', ...enabledLogLevels(level)];
}

export interface ResolvedInfrastructure {
  readonly env: Env;
  readonly postgres: ResolvedPostgres;
  readonly redis: ResolvedRedis;
  readonly runtime: Runtime;
  /** Stops what the resolvers started (embedded PostgreSQL, child redis-server). */
  stop(): Promise<void>;
}

/**
 * Validates the environment (unless `env` is given) and finds PostgreSQL and
 * Redis (see the resolvers), then logs the one "Using ..." line.
 * Throws EnvValidationError / BootError with readable messages.
 */
export async function resolveRuntime(
  options: { env?: Env; clock?: Clock; logger?: Pino; apiProcess?: Runtime['apiProcess'] } = {},
): Promise<ResolvedInfrastructure> {
  const env = options.env ?? loadEnv();
  const logger = new Logger('Bootstrap');
  const postgres = await resolvePostgres({
    databaseUrl: env.DATABASE_URL,
    localPort: env.PG_LOCAL_PORT,
    dataDir: env.DATA_DIR,
  });
  let redis: ResolvedRedis;
  try {
    redis = await resolveRedis({ redisUrl: env.REDIS_URL, localPort: env.REDIS_LOCAL_PORT });
  } catch (err) {
    await postgres.stop().catch(() => undefined);
    throw err;
  }
  logger.log(`Using PostgreSQL ${postgres.describe} and Redis ${redis.describe}`);
  if (env.JWT_SECRET_GENERATED) {
    logger.warn('JWT_SECRET is not set: using a random secret for this run only (tokens will not survive a restart)');
  }
  if (env.WEBHOOK_SECRET_KEY_DERIVED) {
    logger.warn(
      'WEBHOOK_SECRET_KEY is not set: webhook secrets are encrypted with a key derived from JWT_SECRET (set it before production)',
    );
  }
  return {
    env,
    postgres,
    redis,
    runtime: Object.freeze({
      env,
      postgresUrl: postgres.url,
      redisUrl: redis.url,
      clock: options.clock ?? systemClock,
      logger: options.logger,
      ...(options.apiProcess ? { apiProcess: Object.freeze({ ...options.apiProcess }) } : {}),
    }),
    stop: async () => {
      const results = await Promise.allSettled([redis.stop(), postgres.stop()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

export { revertMigrations, runMigrations } from './infra/migrations';

/**
 * Body-parser `verify`: absurdly deep nesting is refused (400) before anything recursive walks it
 * (a stack overflow, 500); so is a key given twice in one object (JSON.parse would keep the last).
 */
function refuseDeepJson(_req: unknown, _res: unknown, buf: Buffer): void {
  if (jsonNestsDeeperThan(buf)) {
    throw Object.assign(new Error(`The request body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`), {
      status: 400,
      type: 'entity.too.deep',
    });
  }
  const duplicate = duplicateJsonKey(buf);
  if (duplicate !== null) {
    throw Object.assign(
      new Error(`The request body gives the key "${duplicate.slice(0, 100)}" twice in one object; send it once`),
      { status: 400, type: 'entity.duplicate.key' },
    );
  }
}

/** A lone UTF-16 surrogate (only a JSON `\\uD800`-style escape can make one) is not text: validators and PostgreSQL choke on it. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Body-parser `reviver`: every key and string must be valid Unicode (400 otherwise). */
function refuseIllFormedText(key: string, value: unknown): unknown {
  if (LONE_SURROGATE.test(key) || (typeof value === 'string' && LONE_SURROGATE.test(value)))
    throw new SyntaxError('a text holds an unpaired surrogate (\\uD800-\\uDFFF); send valid Unicode');
  return value;
}

/** The route pattern a request matched (`/instances/:id`), for metrics labels; never the concrete path. */
function routeOf(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}`;
  return req.baseUrl || 'unmatched';
}

/** Middleware-level wiring shared by the service and the tests (headers, metrics, body limits, docs). */
export function configureApp(app: NestExpressApplication, env: Pick<Env, 'DOCS_ENABLED'>): void {
  app.disable('x-powered-by');
  // Security headers on every route (HSTS, nosniff, frame options, ...). The API answers JSON and
  // the Swagger UI, both covered by helmet's default CSP; /app/ sets its own stricter one.
  app.use(helmet());
  app.use(refuseUnreadableTransport);
  const metrics = app.get(OperationalMetrics, { strict: false });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () =>
      metrics.httpRequest(req.method, routeOf(req), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9),
    );
    next();
  });
  // Saving a draft version sends every article in three languages: that one route has a larger limit.
  const draftJson = json({ limit: DRAFT_BODY_LIMIT, verify: refuseDeepJson, reviver: refuseIllFormedText });
  const draftVersions = /^\/instances\/[^/]+\/draft\/versions\/?$/;
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.method === 'POST' && draftVersions.test(req.path) ? draftJson(req, res, next) : next(),
  );
  app.useBodyParser('json', { limit: BODY_LIMIT, verify: refuseDeepJson, reviver: refuseIllFormedText });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: true });
  // Body-parser failures (malformed JSON, too large) become DomainExceptions
  // before Nest's error handler sees them, so the global filter shapes them.
  app.use((err: unknown, req: Request, _res: Response, next: NextFunction) =>
    next(decompressionError(err, req) ?? bodyParserError(err) ?? err),
  );

  if (!env.DOCS_ENABLED) return;
  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/** Creates (but does not start) the Nest application for a resolved Runtime. */
export async function createApp(
  runtime: Runtime,
  options: { logger?: LoggerService | NestLogLevel[] | false; imports?: NonNullable<ModuleMetadata['imports']> } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime, options.imports), {
    bodyParser: false,
    abortOnError: false,
    // Without an explicit logger, the application logs through pino (JSON in production).
    ...(options.logger !== undefined ? { logger: options.logger } : { bufferLogs: true }),
  });
  if (options.logger === undefined) app.useLogger(app.get(PinoNestLogger));
  // The client address (sign-in limits, audit) is X-Forwarded-For's only through the proxies trusted here.
  app.set('trust proxy', runtime.env.TRUST_PROXY);
  answerUnparsableRequests(app.getHttpServer());
  configureApp(app, runtime.env);
  return app;
}

/** The message the cluster's primary process sends an API process to shut it down (src/cluster.ts). */
export interface ShutdownRequest {
  readonly amendflow: 'shutdown';
  readonly signal: NodeJS.Signals;
}

export function isShutdownRequest(message: unknown): message is ShutdownRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { amendflow?: unknown }).amendflow === 'shutdown' &&
    typeof (message as { signal?: unknown }).signal === 'string'
  );
}

/**
 * SIGTERM / SIGINT: close the app (HTTP server, pools, queues), then stop the
 * embedded PostgreSQL / child redis-server, then exit 0. A second signal
 * exits at once. (Used instead of app.enableShutdownHooks(), whose handler
 * re-raises the signal after closing and so cannot stop the infrastructure
 * afterwards nor exit 0.)
 *
 * An API process of a cluster (API_PROCESSES > 1) also shuts down when the primary process asks
 * (a {@link ShutdownRequest}); a terminal's Ctrl-C reaches it both ways, so only a second
 * signal, not the request beside one, exits at once.
 */
export function installShutdownHandlers(
  app: NestExpressApplication,
  infra: Pick<ResolvedInfrastructure, 'stop'>,
  drainMs = 0,
): void {
  const logger = new Logger('Shutdown');
  let startedBy: 'signal' | 'primary' | null = null;
  const begin = (signal: NodeJS.Signals, by: 'signal' | 'primary') => {
    if (startedBy !== null) {
      if (by === 'primary' || startedBy === 'primary') return;
      logger.warn(`Received ${signal} again; exiting now`);
      process.exit(1);
    }
    startedBy = by;
    app.get(Readiness, { strict: false }).beginShutdown();
    logger.log(
      `${by === 'signal' ? `Received ${signal}` : `The primary process received ${signal}`}; shutting down${drainMs > 0 ? ` in ${drainMs} ms (GET /health/ready answers 503 meanwhile)` : ''}`,
    );
    const force = setTimeout(() => {
      logger.error(`Shutdown did not finish within ${20 + drainMs / 1000} s; exiting`);
      process.exit(1);
    }, 20_000 + drainMs);
    force.unref();
    void (async () => {
      let code = 0;
      if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
      try {
        await app.close();
      } catch (err) {
        code = 1;
        logger.error(`Closing the application failed: ${errorReason(err)}`, (err as Error)?.stack);
      }
      try {
        await infra.stop();
      } catch (err) {
        code = 1;
        logger.error(`Stopping PostgreSQL/Redis failed: ${errorReason(err)}`);
      }
      logger.log('Stopped');
      process.exit(code);
    })();
  };
  process.on('SIGTERM', (signal) => begin(signal, 'signal'));
  process.on('SIGINT', (signal) => begin(signal, 'signal'));
  if (cluster.isWorker)
    process.on('message', (message: unknown) => {
      if (isShutdownRequest(message)) begin(message.signal, 'primary');
    });
}

/** Applies the pending migrations (as MIGRATION_DATABASE_URL when set), logging what it applied. */
export async function applyMigrations(
  env: Env,
  infra: Pick<ResolvedInfrastructure, 'runtime'>,
  logger = new Logger('Bootstrap'),
): Promise<void> {
  const applied = await runMigrations(env.MIGRATION_DATABASE_URL ?? infra.runtime.postgresUrl).catch((err: unknown) => {
    throw new BootError(`Database migrations failed: ${errorReason(err)}`, { cause: err });
  });
  if (applied.length > 0) logger.log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
}

/** Prints a boot failure: one readable line for known failures, the stack otherwise. */
export function reportBootFailure(err: unknown): void {
  if (err instanceof EnvValidationError || err instanceof BootError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Boot failed: ${(err as Error)?.stack ?? String(err)}\n`);
  }
}

/**
 * One API process (src/main.ts, through src/cluster.ts): validates the environment (unless `env` is
 * given), finds PostgreSQL and Redis, applies the migrations and serves HTTP on PORT. An API process
 * of a cluster (`apiProcess`) skips the migrations: its primary applied them before starting it.
 */
export async function startService(options: { env?: Env; apiProcess?: Runtime['apiProcess'] } = {}): Promise<void> {
  let infra: ResolvedInfrastructure | undefined;
  try {
    const env = options.env ?? loadEnv();
    const root = createRootLogger(env);
    Logger.overrideLogger(new PinoBootLogger(root));
    infra = await resolveRuntime({ env, logger: root, apiProcess: options.apiProcess });
    const logger = new Logger('Bootstrap');

    if (!options.apiProcess) await applyMigrations(env, infra, logger);

    const app = await createApp(infra.runtime);
    installShutdownHandlers(app, infra, env.SHUTDOWN_DRAIN_MS);
    await app.listen(env.PORT);
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : env.PORT;
    logger.log(
      options.apiProcess
        ? `API process ${options.apiProcess.index} of ${options.apiProcess.count} (pid ${process.pid}) listening on http://localhost:${port}`
        : `amendflow listening on http://localhost:${port} (API docs at http://localhost:${port}/docs)`,
    );
  } catch (err) {
    reportBootFailure(err);
    if (err instanceof BootError && err.cause) {
      const cause = err.cause;
      new Logger('Bootstrap').debug(cause instanceof Error ? (cause.stack ?? String(cause)) : inspect(cause));
    }
    await infra?.stop().catch(() => undefined);
    process.exit(1);
  }
}
