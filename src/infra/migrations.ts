import { Client } from 'pg';
import { createDataSource } from './data-source';
import { queryOne } from './sql';

/** Any number that identifies "amendflow migrations" among advisory locks. */
const MIGRATION_LOCK_KEY = 727_001;

/** Serialises migration runs of several processes (API, workers) on one database. */
async function withMigrationLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await fn();
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

/** Applies pending migrations (each in its own transaction); returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  return withMigrationLock(url, async () => {
    const dataSource = createDataSource(url);
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  });
}

/** Reverts the last `count` applied migrations (all of them with `Infinity`); returns the names reverted. */
export async function revertMigrations(url: string, count = 1): Promise<string[]> {
  return withMigrationLock(url, async () => {
    const dataSource = createDataSource(url);
    await dataSource.initialize();
    const reverted: string[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const last = await queryOne<{ name: string }>(
          dataSource,
          `select name from ${dataSource.driver.escape(dataSource.options.migrationsTableName ?? 'migrations')} order by "timestamp" desc, id desc limit 1`,
        ).catch(() => undefined);
        if (!last) break;
        await dataSource.undoLastMigration({ transaction: 'each' });
        reverted.push(last.name);
      }
      return reverted;
    } finally {
      await dataSource.destroy();
    }
  });
}
