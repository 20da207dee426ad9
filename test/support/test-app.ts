/**
 * Boots the real application (AppModule.forRoot) for e2e tests:
 *
 *   const t = await createTestApp();
 *   await t.http().get('/health').expect(200);
 *   t.clock.advance({ days: 31 });
 *   await t.close();
 *
 * Each app gets, by default, its own database (a clone of the migrated
 * template) and always its own Redis key prefix, so test files can run in
 * parallel without seeing each other's rows, keys or queued jobs.
 */
import { randomBytes } from 'node:crypto';
import type { LogLevel } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadEnv, type Env } from '../../src/config/env';
import { REDIS } from '../../src/infra/redis.module';
import type { Runtime } from '../../src/infra/runtime';
import { ENV_KEYS, deleteRedisKeys, required } from '../setup/test-infra';
import { createFreshDatabase, sharedDatabaseUrl, type TestDatabase } from './databases';
import { FakeClock } from './fake-clock';
import { FaultHooksModule } from './fault-hooks';
import { APP_ROLE } from '../../migrations/support/evidence';

export interface TestAppOptions {
  /** Clock injected as CLOCK (default: a new FakeClock at the current real time). */
  clock?: FakeClock;
  /**
   * true (default): a database of its own, dropped on close().
   * false: the run-wide shared database (rows persist across apps and files).
   */
  freshDatabase?: boolean;
  /** Extra environment variables (e.g. `{ WORKERS_IN_PROCESS: 'false' }`). */
  env?: Record<string, string | undefined>;
  /** Use another Redis (e.g. an unreachable one to test degraded behaviour). */
  redisUrl?: string;
  /** Use this database URL (e.g. through a proxy) instead of a database of its own; not dropped on close(). */
  databaseUrl?: string;
  /** The root pino logger (access log); default: one made from the environment. */
  rootLogger?: Runtime['logger'];
  /** Nest log levels (default: error and warn, or LOG_LEVEL if set). */
  logLevels?: LogLevel[];
  /**
   * Connect the app as the restricted role `amendflow_app` (no UPDATE or DELETE on evidence), as
   * production does; the migrations ran as the owner. `dataSource` is then the app's own, restricted.
   */
  appRole?: boolean;
}

export interface TestApp {
  app: NestExpressApplication;
  /** A supertest client for this app: `t.http().post('/x').send({...}).expect(201)`. */
  http: () => ReturnType<typeof request>;
  /** Base URL of the listening app, e.g. http://127.0.0.1:43127 */
  url: string;
  /** The app's own TypeORM DataSource. */
  dataSource: DataSource;
  /** The app's shared ioredis connection (token REDIS). */
  redis: Redis;
  /** The Redis key prefix of this app (env.REDIS_PREFIX). */
  redisPrefix: string;
  clock: FakeClock;
  env: Env;
  runtime: Runtime;
  databaseUrl: string;
  /** Closes the app, drops its own database and deletes its Redis keys. */
  close(): Promise<void>;
}

/** The same database, connected as another role (the test server trusts loopback connections). */
export function asRole(url: string, role: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = '';
  return u.toString();
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const clock = options.clock ?? new FakeClock();
  const redisUrl = options.redisUrl ?? required(ENV_KEYS.redisUrl);
  const redisPrefix = `${required(ENV_KEYS.redisPrefix)}-${randomBytes(3).toString('hex')}`;

  let database: TestDatabase | undefined;
  const databaseUrl =
    options.databaseUrl ??
    (options.freshDatabase === false ? sharedDatabaseUrl() : (database = await createFreshDatabase()).url);

  // Settings a test file put into process.env (e.g. RECONCILE_EVERY_MS) apply, as they would to a process.
  const env = loadEnv({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    JWT_SECRET: 'test-jwt-secret-not-for-production',
    WEBHOOK_SECRET_KEY: Buffer.from('test-webhook-key-not-for-prod!!!').toString('base64'),
    EVIDENCE_SIGNING_KEY: Buffer.from('test-evidence-key-not-for-prod!!').toString('base64'),
    PORT: '0',
    ...options.env,
  });
  const runtime: Runtime = Object.freeze({
    env,
    postgresUrl: options.appRole ? asRole(databaseUrl, APP_ROLE) : databaseUrl,
    redisUrl,
    clock,
    logger: options.rootLogger,
  });
  const logLevels = options.logLevels ?? (process.env.LOG_LEVEL ? undefined : (['error', 'warn'] as LogLevel[]));

  let app: NestExpressApplication;
  try {
    app = await createApp(runtime, { ...(logLevels ? { logger: logLevels } : {}), imports: [FaultHooksModule] });
    await app.listen(0, '127.0.0.1');
  } catch (err) {
    await database?.drop().catch(() => undefined);
    throw err;
  }
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  let closed = false;
  return {
    app,
    http: () => request(url),
    url,
    dataSource: app.get(DataSource),
    redis: app.get<Redis>(REDIS),
    redisPrefix,
    clock,
    env,
    runtime,
    databaseUrl,
    close: async () => {
      if (closed) return;
      closed = true;
      // An app whose Redis is unreachable cannot close its queues cleanly; do not let that hang the suite.
      await Promise.race([app.close(), new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref())]);
      await database?.drop();
      await deleteRedisKeys(redisUrl, redisPrefix).catch(() => undefined);
    },
  };
}
