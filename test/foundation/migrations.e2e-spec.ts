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
  it("moves the notifications' context into one notice per message, and back", async () => {
    const scratch = await createEmptyDatabase();
    try {
      const applied = await runMigrations(scratch.url);
      const since = applied.indexOf('NoticeOncePerMessage1700000072000');
      expect(since).toBeGreaterThan(0);
      await revertMigrations(scratch.url, applied.length - since);
      // notifications as stored before: each reader's row with its copy of the message's context
      const readers = await withPg(scratch.url, async (c) => {
        const ids: string[] = [];
        for (const name of ['a', 'b'])
          ids.push(
            (
              await c.query<{ id: string }>(
                `INSERT INTO app_user (email, display_name, password_hash, role) VALUES ($1, $1, 'x', 'manager') RETURNING id`,
                [`${name}@example.org`],
              )
            ).rows[0].id,
          );
        const row = `INSERT INTO notification (id, user_id, kind, topic, subject, data, outbox_id, created_at)
                     VALUES (gen_random_uuid(), $1, 'info', 'info', $2, $3, $4, now())`;
        await c.query(row, [ids[0], 'first', { stage: 'one' }, 7]);
        await c.query(row, [ids[1], 'first', { stage: 'one' }, 7]);
        await c.query(row, [ids[0], 'second', { stage: 'two' }, 8]);
        await c.query(row, [ids[1], 'no context', {}, 9]);
        return ids;
      });
      await runMigrations(scratch.url);
      await withPg(scratch.url, async (c) => {
        const notices = await c.query(`SELECT outbox_id::int AS id, data FROM notice ORDER BY outbox_id`);
        expect(notices.rows).toEqual([
          { id: 7, data: { stage: 'one' } },
          { id: 8, data: { stage: 'two' } },
          { id: 9, data: {} },
        ]);
        const rows = await c.query(`SELECT count(*)::int AS n FROM notification`);
        expect(rows.rows[0].n).toBe(4);
      });
      await revertMigrations(scratch.url, applied.length - since);
      await withPg(scratch.url, async (c) => {
        const back = await c.query(
          `SELECT user_id, outbox_id::int AS id, data FROM notification ORDER BY outbox_id, subject, user_id`,
        );
        expect(back.rows).toEqual(
          [
            { user_id: readers[0], id: 7, data: { stage: 'one' } },
            { user_id: readers[1], id: 7, data: { stage: 'one' } },
            { user_id: readers[0], id: 8, data: { stage: 'two' } },
            { user_id: readers[1], id: 9, data: {} },
          ].sort((x, y) => x.id - y.id || (x.user_id < y.user_id ? -1 : 1)),
        );
      });
    } finally {
      await scratch.drop();
    }
  });
});
