import { DataSource } from 'typeorm';
import { execute, queryOne, queryRows } from '../../src/infra/sql';
import { createEmptyDatabase, type TestDatabase } from '../support/databases';

interface ItemRow {
  id: number;
  name: string;
  at: Date;
}

describe('typed raw SQL', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    ds = await new DataSource({ type: 'postgres', url: db.url, poolSize: 3 }).initialize();
    await execute(
      ds,
      `CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
    );
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await execute(ds, `DELETE FROM item`);
  });

  it('gives the rows of a SELECT, decoded by pg, and undefined for no first row', async () => {
    expect(await execute(ds, `INSERT INTO item (id, name) VALUES (1, 'a'), (2, 'b')`)).toBe(2);
    const rows = await queryRows<ItemRow>(ds, `SELECT id, name, at FROM item ORDER BY id`);
    expect(rows.map((r) => [r.id, r.name])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(rows[0].at).toBeInstanceOf(Date);
    expect(await queryOne<ItemRow>(ds, `SELECT id, name, at FROM item WHERE id = $1`, [2])).toMatchObject({
      id: 2,
      name: 'b',
    });
    expect(await queryOne<ItemRow>(ds, `SELECT id, name, at FROM item WHERE id = $1`, [3])).toBeUndefined();
  });

  it('gives the RETURNING rows of an UPDATE or DELETE (not a [rows, count] pair) and counts writes', async () => {
    await execute(ds, `INSERT INTO item (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    const updated = await queryRows<{ id: number }>(ds, `UPDATE item SET name = 'z' WHERE id >= $1 RETURNING id`, [2]);
    expect(updated.map((r) => r.id).sort()).toEqual([2, 3]);
    expect(await queryRows<{ id: number }>(ds, `DELETE FROM item WHERE id = 1 RETURNING id`)).toEqual([{ id: 1 }]);
    expect(await execute(ds, `UPDATE item SET name = 'y'`)).toBe(2);
    expect(await execute(ds, `DELETE FROM item WHERE id = 99`)).toBe(0);
  });

  it("runs on a transaction's manager and on a query runner, inside their transaction", async () => {
    await expect(
      ds.transaction(async (m) => {
        await execute(m, `INSERT INTO item (id, name) VALUES (1, 'a')`);
        expect(await queryOne<{ n: number }>(m, `SELECT count(*)::int AS n FROM item`)).toEqual({ n: 1 });
        // not visible outside the transaction before it commits
        expect(await queryOne<{ n: number }>(ds, `SELECT count(*)::int AS n FROM item`)).toEqual({ n: 0 });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await queryRows<ItemRow>(ds, `SELECT id, name, at FROM item`)).toEqual([]);

    const runner = ds.createQueryRunner();
    try {
      await runner.startTransaction();
      await execute(runner, `INSERT INTO item (id, name) VALUES (5, 'e')`);
      expect(await queryRows<{ id: number }>(runner.manager, `SELECT id FROM item`)).toEqual([{ id: 5 }]);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await queryRows<{ id: number }>(ds.manager, `SELECT id FROM item`)).toEqual([{ id: 5 }]);
  });

  it('hands back every pooled connection it takes, also when the statement fails', async () => {
    for (let i = 0; i < 10; i++) {
      await expect(queryRows(ds, `SELECT * FROM no_such_table`)).rejects.toThrow(/no_such_table/);
    }
    // a pool of 3 that leaked would hang here
    const counts = await Promise.all(
      [1, 2, 3, 4].map(() => queryOne<{ n: number }>(ds, `SELECT count(*)::int AS n FROM item`)),
    );
    expect(counts).toEqual([{ n: 0 }, { n: 0 }, { n: 0 }, { n: 0 }]);
  });
});
