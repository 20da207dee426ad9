import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

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
 * A statement of the engine's hot path, sent as a named prepared statement on the transaction's
 * own connection: PostgreSQL parses and plans a statement text once per connection instead of on
 * every event (the lock's subqueries and the CTEs of a write batch cost more to plan than to run).
 * Outside a PostgreSQL transaction it is an ordinary query.
 */
export async function hotQuery<Row>(manager: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
  const runner = manager.queryRunner;
  if (!(runner instanceof PostgresQueryRunner) || runner.isReleased) return manager.query<Row[]>(sql, params);
  const client = (await runner.connect()) as PoolClient;
  const result = await client.query({ name: statementName(sql), text: sql, values: params });
  return result.rows as Row[];
}

interface PendingWrite {
  table: string;
  sql: string;
  params: unknown[];
  appendOnly: boolean;
}

/**
 * The writes of one engine transaction, sent to PostgreSQL together: every write that needs no
 * result waits here and goes out as one statement, each write a data-modifying CTE
 * (`WITH w0 AS (UPDATE ...), w1 AS (INSERT ...) SELECT 1`). PostgreSQL runs every such CTE once and
 * to completion, in the same transaction, so nothing changes but the number of round trips.
 *
 * All parts of one statement see the database as it was before the statement, and none sees
 * another's rows. Hence two rules, kept here rather than by the callers:
 * - a write to a table already written in the pending batch first sends the batch (an insert
 *   after a delete of the same key, or two updates of one row, stay in order), except between
 *   writes declared append-only (plain inserts of new rows, such as the outbox);
 * - anything that reads calls `flush()` first, so it sees every write before it.
 */
export class WriteBatch {
  private readonly pending: PendingWrite[] = [];

  constructor(private readonly manager: EntityManager) {}

  /** Queues one write (`sql` numbered from $1, as written alone). */
  async add(table: string, sql: string, params: unknown[], options: { appendOnly?: boolean } = {}): Promise<void> {
    const appendOnly = options.appendOnly ?? false;
    if (this.pending.some((w) => w.table === table && !(appendOnly && w.appendOnly))) await this.flush();
    this.pending.push({ table, sql, params, appendOnly });
  }

  /** Sends every queued write, as one statement. */
  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const writes = this.pending.splice(0);
    if (writes.length === 1) {
      await hotQuery(this.manager, writes[0].sql, writes[0].params);
      return;
    }
    const { sql, params } = combined(writes);
    await hotQuery(this.manager, sql, params);
  }

  get size(): number {
    return this.pending.length;
  }
}

/** The writes as one statement of data-modifying CTEs, their parameters renumbered in order. */
export function combined(writes: readonly { sql: string; params: readonly unknown[] }[]): {
  sql: string;
  params: unknown[];
} {
  const params: unknown[] = [];
  const parts = writes.map((w, i) => {
    const offset = params.length;
    params.push(...w.params);
    // $n placeholders only: literals in the engine's SQL never hold a dollar followed by a digit
    return `w${i} AS (${w.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  return { sql: `WITH ${parts.join(',\n')} SELECT 1`, params };
}
