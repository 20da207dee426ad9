/**
 * Where the test suite finds PostgreSQL and Redis, and the names it gives
 * the per-run database and Redis key prefix. Shared by globalSetup,
 * globalTeardown and test/support.
 *
 * TEST_DATABASE_URL: any database URL on the server to use (default
 *   postgres://postgres@127.0.0.1:5432/postgres); the suite creates and drops
 *   its own databases there.
 * TEST_REDIS_URL: Redis to use (default redis://127.0.0.1:6379); the suite
 *   only touches keys under its own prefix.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';

export const ENV_KEYS = {
  adminUrl: 'AMENDFLOW_TEST_ADMIN_URL',
  databaseUrl: 'AMENDFLOW_TEST_DATABASE_URL',
  databaseName: 'AMENDFLOW_TEST_DATABASE',
  templateName: 'AMENDFLOW_TEST_TEMPLATE',
  redisUrl: 'AMENDFLOW_TEST_REDIS_URL',
  redisPrefix: 'AMENDFLOW_TEST_REDIS_PREFIX',
} as const;

export const TEST_DB_PREFIX = 'amendflow_test_';
export const TEST_REDIS_PREFIX = 'amendflow-test-';

/** URL of the maintenance database (`postgres`) on the test server. */
export function adminUrl(): string {
  const u = new URL(process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  u.pathname = '/postgres';
  return u.toString();
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
}

/** Same server as `admin`, another database. */
export function databaseUrl(admin: string, name: string): string {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Base36 timestamp (seconds) + random: sortable, fixed length, unique per run. */
export function runId(): string {
  return (
    Math.floor(Date.now() / 1000)
      .toString(36)
      .padStart(7, '0') + randomBytes(4).toString('hex')
  );
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the tests through jest (npm test), whose globalSetup prepares the test database and Redis prefix`,
    );
  }
  return value;
}

export async function withPg<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createDatabase(admin: string, name: string, template?: string): Promise<void> {
  await withPg(admin, async (client) => {
    const sql = `create database ${client.escapeIdentifier(name)}${template ? ` template ${client.escapeIdentifier(template)}` : ''}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(sql);
        return;
      } catch (err) {
        // 55006: the template is briefly in use (e.g. another clone starting); retry
        if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  });
}

export async function dropDatabase(admin: string, name: string): Promise<void> {
  await withPg(admin, (client) =>
    client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`),
  );
}

export async function listDatabases(admin: string, prefix: string): Promise<string[]> {
  return withPg(admin, async (client) => {
    const result = await client.query<{ datname: string }>(
      `select datname from pg_database where starts_with(datname, $1) order by datname`,
      [prefix],
    );
    return result.rows.map((r) => r.datname);
  });
}

/** Deletes every key starting with `prefix` (SCAN + UNLINK); returns how many. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  let deleted = 0;
  try {
    await redis.connect();
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
