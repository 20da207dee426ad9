import type { EntityManager } from 'typeorm';
import { preparedRows } from '../infra/sql';

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
      await preparedRows(this.manager, writes[0].sql, writes[0].params);
      return;
    }
    const { sql, params } = combined(writes);
    await preparedRows(this.manager, sql, params);
  }

  /** The queued writes as one statement, taken out of the batch (null when none): for a caller that sends them itself. */
  take(): { sql: string; params: unknown[] } | null {
    if (!this.pending.length) return null;
    const writes = this.pending.splice(0);
    return writes.length === 1 ? { sql: writes[0].sql, params: writes[0].params } : combined(writes);
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
