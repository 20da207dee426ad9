import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager, type QueryRunner } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/**
 * Typed raw SQL. TypeORM's `query()` resolves to `any`, and for UPDATE/DELETE to a
 * `[rows, affected]` pair instead of the rows; these functions always give the rows, typed
 * by the interface declared next to the statement (column names as the SELECT or RETURNING
 * list spells them, values as `pg` decodes them: timestamptz -> Date, bigint and numeric ->
 * string, json/jsonb -> parsed value).
 *
 * Where the statement runs: a `DataSource` takes a pooled connection for this one statement;
 * an `EntityManager` runs on its transaction's connection when it has one (the manager given
 * to `transaction()`), else like its data source; a `QueryRunner` runs on its own connection.
 */
export type SqlRunner = DataSource | EntityManager | QueryRunner;

/** Positional parameters, `$1`, `$2`, ... in the statement. */
export type SqlParams = unknown[];

interface SqlResult {
  rows: unknown[];
  /** Rows written (INSERT/UPDATE/DELETE) or returned (SELECT). */
  affected: number;
}

async function run(db: SqlRunner, sql: string, params?: SqlParams): Promise<SqlResult> {
  let runner: QueryRunner;
  let owned = false;
  if (db instanceof DataSource) {
    runner = db.createQueryRunner();
    owned = true;
  } else if (db instanceof EntityManager) {
    owned = !db.queryRunner;
    runner = db.queryRunner ?? db.connection.createQueryRunner();
  } else {
    runner = db;
  }
  try {
    const result = await runner.query(sql, params, true);
    const rows: unknown[] | undefined = result.records;
    return { rows: rows ?? [], affected: result.affected ?? 0 };
  } finally {
    if (owned) await runner.release();
  }
}

/** All rows of a statement (a SELECT, or a write with RETURNING). */
export async function queryRows<Row extends object>(db: SqlRunner, sql: string, params?: SqlParams): Promise<Row[]> {
  return (await run(db, sql, params)).rows as Row[];
}

/** The first row of a statement, or `undefined` when it gives none. */
export async function queryOne<Row extends object>(
  db: SqlRunner,
  sql: string,
  params?: SqlParams,
): Promise<Row | undefined> {
  return (await queryRows<Row>(db, sql, params))[0];
}

/** Runs a statement whose rows are not needed; returns how many rows it wrote (or returned). */
export async function execute(db: SqlRunner, sql: string, params?: SqlParams): Promise<number> {
  return (await run(db, sql, params)).affected;
}

const NAMES = new Map<string, string>();

/** A stable name per statement text: the same text is prepared once per connection. */
function statementName(sql: string): string {
  let name = NAMES.get(sql);
  if (!name) {
    name = `af_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    if (NAMES.size < 1000) NAMES.set(sql, name);
  }
  return name;
}

/**
 * The rows of a statement of a hot path, sent as a named prepared statement on the transaction's
 * own connection: PostgreSQL parses and plans a statement text once per connection instead of on
 * every call (for the engine's lock and writes, planning cost more than running). Only for
 * statement texts that do not vary with the data (values always as parameters): each distinct
 * text stays prepared on every connection that ran it. Outside a transaction (no query runner of
 * its own) it is an ordinary query.
 */
export async function preparedRows<Row>(manager: EntityManager, sql: string, params: SqlParams): Promise<Row[]> {
  const runner = manager.queryRunner;
  if (!(runner instanceof PostgresQueryRunner) || runner.isReleased)
    return queryRows<Row & object>(manager, sql, params);
  const client = (await runner.connect()) as PoolClient;
  const result = await client.query({ name: statementName(sql), text: sql, values: params });
  return result.rows as Row[];
}
