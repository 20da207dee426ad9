/**
 * Runs once before the whole suite: checks that PostgreSQL and Redis answer,
 * creates this run's database `amendflow_test_<run>` with the real migrations
 * applied, a pristine copy of it used as template for per-app databases,
 * and picks this run's Redis key prefix `amendflow-test-<run>`. Everything
 * is handed to the test workers through environment variables (ENV_KEYS).
 */
import Redis from 'ioredis';
import { runMigrations } from '../../src/infra/migrations';
import {
  adminUrl,
  createDatabase,
  databaseUrl,
  dropDatabase,
  ENV_KEYS,
  listDatabases,
  runId,
  TEST_DB_PREFIX,
  TEST_REDIS_PREFIX,
  testRedisUrl,
  withPg,
} from './test-infra';

const STALE_AFTER_SECONDS = 6 * 3600;

/** Databases left by runs that crashed long ago (never those of a run in progress). */
async function dropStaleDatabases(admin: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  for (const name of await listDatabases(admin, TEST_DB_PREFIX)) {
    const started = parseInt(name.slice(TEST_DB_PREFIX.length, TEST_DB_PREFIX.length + 7), 36);
    if (Number.isFinite(started) && now - started > STALE_AFTER_SECONDS) {
      await dropDatabase(admin, name).catch(() => undefined);
    }
  }
}

export default async function globalSetup(): Promise<void> {
  const admin = adminUrl();
  const where = new URL(admin).host;
  try {
    await withPg(admin, (c) => c.query('select 1'));
  } catch (err) {
    throw new Error(
      `The tests need PostgreSQL at ${where} (user postgres): ${(err as Error).message}. Start it or set TEST_DATABASE_URL.`,
      { cause: err },
    );
  }

  const redisUrl = testRedisUrl();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `The tests need Redis at ${new URL(redisUrl).host}: ${(err as Error).message}. Start it or set TEST_REDIS_URL.`,
      { cause: err },
    );
  } finally {
    redis.disconnect();
  }

  await dropStaleDatabases(admin);

  const run = runId();
  const name = `${TEST_DB_PREFIX}${run}`;
  const template = `${name}_tpl`;
  await createDatabase(admin, name);
  await runMigrations(databaseUrl(admin, name));
  // Nobody ever connects to the template, so it can always be cloned.
  await createDatabase(admin, template, name);

  process.env[ENV_KEYS.adminUrl] = admin;
  process.env[ENV_KEYS.databaseName] = name;
  process.env[ENV_KEYS.databaseUrl] = databaseUrl(admin, name);
  process.env[ENV_KEYS.templateName] = template;
  process.env[ENV_KEYS.redisUrl] = redisUrl;
  process.env[ENV_KEYS.redisPrefix] = `${TEST_REDIS_PREFIX}${run}`;
}
