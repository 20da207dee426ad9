/**
 * A pipelined transaction (src/infra/pipelined-transaction.ts): BEGIN travels with the first
 * statement and COMMIT with the last, the values as literals. Checked against real PostgreSQL:
 * every kind of value the engine writes arrives exactly as through parameters, hostile text
 * included; a failing last statement commits nothing; a failure in between rolls back; a nested
 * transaction is a savepoint; the connection is clean for its next user.
 */
import { DataSource } from 'typeorm';
import { PipelinedTransaction, sqlLiteral } from '../../src/infra/pipelined-transaction';
import { execute, queryRows } from '../../src/infra/sql';
import { createEmptyDatabase, type TestDatabase } from '../support/databases';
import { statementsDuring } from '../support/statements';

interface Row {
  id: number;
  t: string | null;
  j: unknown;
  a: string[] | null;
  at: Date | null;
  n: number | null;
  b: boolean | null;
  bin: Buffer | null;
}

const INSERT = `INSERT INTO item (id, t, j, a, at, n, b, bin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

describe('pipelined transactions', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    // one connection: whatever a transaction leaves on it, the next one meets
    ds = await new DataSource({ type: 'postgres', url: db.url, poolSize: 1 }).initialize();
    await execute(
      ds,
      `CREATE TABLE item (id int PRIMARY KEY, t text, j jsonb, a text[], at timestamptz, n numeric, b boolean, bin bytea)`,
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });
  beforeEach(() => execute(ds, `DELETE FROM item`));

  const hostile = [
    `it's`,
    `back\\slash and \\' quote`,
    `'); DROP TABLE item; --`,
    `$1 $$ dollar $$`,
    `多语言 русский ✓ \u{1F600}`,
    `line\nbreak\ttab`,
    `E'\\x00'`,
  ];

  it('writes every kind of value exactly as parameters would, hostile text included', async () => {
    const values: unknown[][] = hostile.map((t, i) => [
      i + 1,
      t,
      JSON.stringify({ text: t, nested: { list: [t, null, 1.5] } }),
      [t, 'plain', `"quoted"`, '{brace}', null],
      new Date(Date.UTC(2026, 11, 1, 3, 4, 5, 678)),
      i === 0 ? '12345678901234567890.5' : i,
      i % 2 === 0,
      Buffer.from(t, 'utf8'),
    ]);
    // the reference: the same rows through the extended protocol's parameters
    for (const v of values) await execute(ds, INSERT, v);
    const expected = await queryRows<Row>(ds, `SELECT * FROM item ORDER BY id`);
    await execute(ds, `DELETE FROM item`);

    for (const v of values)
      await PipelinedTransaction.run(ds, async (tx) => {
        await tx.query(`SELECT count(*) FROM item WHERE id = $1`, [v[0]]);
        await tx.last(INSERT, v);
      });
    expect(await queryRows<Row>(ds, `SELECT * FROM item ORDER BY id`)).toEqual(expected);
    expect(expected).toHaveLength(hostile.length);
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
  });

  it('sends BEGIN with the first statement and COMMIT with the last: two messages', async () => {
    await execute(ds, `INSERT INTO item (id, t) VALUES (1, 'a')`);
    const { statements: seen, result: rows } = await statementsDuring(() =>
      PipelinedTransaction.run(ds, async (tx) => {
        const locked = await tx.query<{ t: string }>(`SELECT t FROM item WHERE id = $1 FOR UPDATE`, [1]);
        await tx.last(`UPDATE item SET t = $2 WHERE id = $1`, [1, `${locked[0].t}b`]);
        return locked;
      }),
    );
    expect(rows).toEqual([{ t: 'a' }]);
    const messages = seen.filter((s) => !s.startsWith('PREPARE '));
    expect(messages).toEqual([
      expect.stringMatching(/^BEGIN; EXECUTE afp_\w+\('1'\)$/),
      expect.stringMatching(/^EXECUTE afp_\w+\('1', 'ab'\); COMMIT$/),
    ]);
    expect((await queryRows<{ t: string }>(ds, `SELECT t FROM item WHERE id = 1`))[0].t).toBe('ab');
  });

  it('commits nothing when the last statement fails, and leaves the connection clean', async () => {
    await execute(ds, `INSERT INTO item (id, t) VALUES (1, 'a')`);
    await expect(
      PipelinedTransaction.run(ds, async (tx) => {
        await tx.query(`SELECT t FROM item WHERE id = $1 FOR UPDATE`, [1]);
        await execute(tx.manager, `UPDATE item SET t = 'changed' WHERE id = 1`);
        // a duplicate key: the statement fails, so its COMMIT never runs
        await tx.last(`INSERT INTO item (id, t) VALUES ($1, $2)`, [1, 'duplicate']);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await queryRows(ds, `SELECT id, t FROM item ORDER BY id`)).toEqual([{ id: 1, t: 'a' }]);
    // the one connection is out of any transaction: a plain statement commits on its own
    await execute(ds, `INSERT INTO item (id, t) VALUES (2, 'b')`);
    const [{ active }] = await queryRows<{ active: boolean }>(
      ds,
      `SELECT count(*) > 0 AS active FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = current_database()`,
    );
    expect(active).toBe(false);
  });

  it('rolls back when the work throws after the first statement; a nested transaction is a savepoint', async () => {
    await execute(ds, `INSERT INTO item (id, t) VALUES (1, 'a')`);
    await expect(
      PipelinedTransaction.run(ds, async (tx) => {
        await tx.query(`SELECT t FROM item WHERE id = $1 FOR UPDATE`, [1]);
        // a nested transaction must not commit the outer one
        await tx.manager.transaction(async (inner) => {
          await execute(inner, `UPDATE item SET t = 'inner' WHERE id = 1`);
        });
        throw new Error('refused after the lock');
      }),
    ).rejects.toThrow('refused after the lock');
    expect(await queryRows(ds, `SELECT t FROM item WHERE id = 1`)).toEqual([{ t: 'a' }]);
  });

  it('commits a transaction that only read, and does nothing for one that never began', async () => {
    await execute(ds, `INSERT INTO item (id, t) VALUES (1, 'a')`);
    const seen = await PipelinedTransaction.run(ds, (tx) =>
      tx.query<{ t: string }>(`SELECT t FROM item WHERE id = $1`, [1]),
    );
    expect(seen).toEqual([{ t: 'a' }]);
    expect(await PipelinedTransaction.run(ds, () => Promise.resolve(42))).toBe(42);
    await execute(ds, `INSERT INTO item (id, t) VALUES (2, 'b')`);
    expect(await queryRows(ds, `SELECT count(*)::int AS n FROM item`)).toEqual([{ n: 2 }]);
  });
  it('sends deferred statements before the next one, in order, whichever way it goes out', async () => {
    await execute(ds, `INSERT INTO item (id, t) VALUES (1, 'a')`);
    await PipelinedTransaction.run(ds, async (tx) => {
      await tx.defer('SAVEPOINT s');
      await tx.defer(`UPDATE item SET t = $2 WHERE id = $1`, [1, 'deferred']);
      // a statement sent some other way on the transaction's connection sees the deferred write
      expect(await queryRows(tx.manager, `SELECT t FROM item WHERE id = 1`)).toEqual([{ t: 'deferred' }]);
      await execute(tx.manager, 'ROLLBACK TO SAVEPOINT s');
      await tx.defer(`INSERT INTO item (id, t) VALUES ($1, $2)`, [2, 'kept']);
      expect(await tx.query(`SELECT t FROM item ORDER BY id`, [])).toEqual([{ t: 'a' }, { t: 'kept' }]);
      await tx.defer(`INSERT INTO item (id, t) VALUES ($1, $2)`, [3, 'committed with COMMIT']);
    });
    expect(await queryRows(ds, `SELECT id, t FROM item ORDER BY id`)).toEqual([
      { id: 1, t: 'a' },
      { id: 2, t: 'kept' },
      { id: 3, t: 'committed with COMMIT' },
    ]);
    // a deferred write that fails fails the statement it went out with, and nothing commits
    await expect(
      PipelinedTransaction.run(ds, async (tx) => {
        await tx.defer(`UPDATE item SET t = 'lost' WHERE id = $1`, [1]);
        await tx.defer(`INSERT INTO item (id, t) VALUES ($1, $2)`, [2, 'duplicate']);
        await tx.query(`SELECT 1`, []);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await queryRows(ds, `SELECT t FROM item WHERE id = 1`)).toEqual([{ t: 'a' }]);
  });
});
