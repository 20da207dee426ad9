import { revertMigrations, runMigrations } from '../../src/infra/migrations';
import { withPg } from '../setup/test-infra';
import { createEmptyDatabase, type TestDatabase } from '../support/databases';

async function userTables(url: string): Promise<string[]> {
  return withPg(url, async (c) => {
    const r = await c.query<{ table_name: string }>(
      `select table_name from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema') and table_name <> 'migrations'
        order by table_name`,
    );
    return r.rows.map((row) => row.table_name);
  });
}

async function appliedCount(url: string): Promise<number> {
  return withPg(url, async (c) => Number((await c.query('select count(*) as n from migrations')).rows[0].n));
}

describe('migrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('apply, revert and apply again cleanly on a scratch database', async () => {
    const applied = await runMigrations(db.url);
    expect(applied[0]).toBe('Init1700000000000');
    const tables = await userTables(db.url);
    expect(tables).toContain('app_meta');
    expect(await appliedCount(db.url)).toBe(applied.length);

    expect(await runMigrations(db.url)).toEqual([]); // idempotent

    const reverted = await revertMigrations(db.url, Number.POSITIVE_INFINITY);
    expect(reverted).toEqual([...applied].reverse());
    expect(await userTables(db.url)).toEqual([]);
    expect(await appliedCount(db.url)).toBe(0);

    expect(await runMigrations(db.url)).toEqual(applied);
    expect(await userTables(db.url)).toEqual(tables);
  });

  it('app_meta has the documented columns', async () => {
    await withPg(db.url, async (c) => {
      await c.query(`insert into app_meta(key, value) values ('k', '{"a": 1}')`);
      const row = (await c.query('select key, value, updated_at from app_meta')).rows[0];
      expect(row.value).toEqual({ a: 1 });
      expect(row.updated_at).toBeInstanceOf(Date);
      await expect(c.query(`insert into app_meta(key) values ('x')`)).rejects.toThrow(/null value/);
    });
  });
});
