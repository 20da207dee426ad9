import { createHash } from 'node:crypto';
import { escapeLiteral, type PoolClient, type QueryResult } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/** The statements prepared (SQL `PREPARE`) on each connection, by name. */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

const TEXTS = new Map<string, string>();

/** A stable name per statement text, apart from the protocol-level names of `preparedRows`. */
function nameOf(sql: string): string {
  const name = `afp_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
  if (TEXTS.size < 1000) TEXTS.set(name, sql);
  return name;
}

/** A message as PostgreSQL runs it: each `EXECUTE afp_...(...)` of a pipelined transaction replaced by its statement's text (for tests and diagnostics). */
export function expandPipelined(message: string): string {
  return message.replace(
    /EXECUTE (afp_[0-9a-f]{24})(\((?:[^()']|'(?:[^']|'')*')*\))?/g,
    (call, name: string) => TEXTS.get(name) ?? call,
  );
}

/**
 * A value as an SQL literal, converted to text exactly as `pg` converts a parameter (dates,
 * arrays, JSON, buffers) and quoted by `pg`'s own `escapeLiteral`; NULL for null.
 */
export function sqlLiteral(value: unknown): string {
  const text = prepareValue(value);
  if (text === null || text === undefined) return 'NULL';
  return escapeLiteral(Buffer.isBuffer(text) ? `\\x${text.toString('hex')}` : text);
}

/**
 * A transaction whose edges travel with its statements. `BEGIN` goes out in one message with the
 * first statement, and `COMMIT` in one message with the last: `BEGIN; EXECUTE s(...)` and
 * `EXECUTE s(...); COMMIT`, each in the simple query protocol, where one message may hold several
 * statements. `s` is the statement text prepared once per connection with SQL `PREPARE`, so it is
 * planned once as with `preparedRows`; its values go in as literals (`sqlLiteral`). A transaction
 * of four statements (begin, lock, write, commit) costs two round trips instead of four, and a
 * socket write is what a statement costs most on a small machine.
 *
 * Everything else between the two edges runs on `manager` as usual (its connection is the
 * transaction's). The query runner is marked as inside a transaction, so a nested
 * `manager.transaction()` becomes a savepoint, as in TypeORM's own transactions. If the first
 * statement or anything after it fails, the transaction is rolled back; PostgreSQL runs nothing
 * after the failing statement of a message, so a failed last write never commits.
 */
export class PipelinedTransaction {
  private begun = false;
  private ended = false;

  private constructor(
    readonly manager: EntityManager,
    private readonly client: PoolClient,
  ) {}

  /** Runs `work` in a pipelined transaction; `work` must call `first` before anything else and `last` at its end. */
  static async run<T>(ds: DataSource, work: (tx: PipelinedTransaction) => Promise<T>): Promise<T> {
    const runner = ds.createQueryRunner() as PostgresQueryRunner;
    const client = (await runner.connect()) as PoolClient;
    const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
    state.isTransactionActive = true;
    state.transactionDepth = 1;
    const tx = new PipelinedTransaction(runner.manager, client);
    try {
      const result = await work(tx);
      if (!tx.ended) await tx.last(null, []);
      return result;
    } catch (err) {
      if (tx.begun && !tx.ended) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      state.isTransactionActive = false;
      state.transactionDepth = 0;
      await runner.release();
    }
  }

  /** Whether `manager` is this transaction's (for callers handed only the manager). */
  owns(manager: EntityManager): boolean {
    return manager === this.manager;
  }

  get started(): boolean {
    return this.begun;
  }

  /** `BEGIN` and the first statement, in one message; the statement's rows. */
  async first<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    if (this.begun) throw new Error('the transaction has already begun');
    const call = await this.execute(sql, params);
    this.begun = true;
    const results = (await this.client.query(`BEGIN; ${call}`)) as unknown as QueryResult[];
    return results[1].rows as Row[];
  }

  /** The last statement (none: `sql` null) and `COMMIT`, in one message. */
  async last(sql: string | null, params: unknown[]): Promise<void> {
    if (this.ended) throw new Error('the transaction has already ended');
    if (!this.begun) {
      // nothing was read or written: there is nothing to commit
      if (sql !== null) throw new Error('the last statement of a transaction that never began');
      this.ended = true;
      return;
    }
    const call = sql === null ? null : await this.execute(sql, params);
    this.ended = true;
    try {
      await this.client.query(call === null ? 'COMMIT' : `${call}; COMMIT`);
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** `EXECUTE` of `sql` with `params` as literals, preparing `sql` on this connection the first time. */
  private async execute(sql: string, params: unknown[]): Promise<string> {
    const name = nameOf(sql);
    let prepared = preparedOn.get(this.client);
    if (!prepared) preparedOn.set(this.client, (prepared = new Set()));
    if (!prepared.has(name)) {
      await this.client.query(`PREPARE ${name} AS ${sql}`);
      prepared.add(name);
    }
    return params.length ? `EXECUTE ${name}(${params.map(sqlLiteral).join(', ')})` : `EXECUTE ${name}`;
  }
}
