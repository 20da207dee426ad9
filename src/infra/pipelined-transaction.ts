import { createHash } from 'node:crypto';
import type { PoolClient, QueryResult } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/** The statements prepared (SQL `PREPARE`) on each connection, by name. */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

/** Statement texts by name, and names by text (both bounded: the texts do not vary with the data). */
const TEXTS = new Map<string, string>();
const NAMES = new Map<string, string>();

/** A stable name per statement text, apart from the protocol-level names of `preparedRows`. */
function nameOf(sql: string): string {
  let name = NAMES.get(sql);
  if (name) return name;
  name = `afp_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
  if (NAMES.size < 1000) {
    NAMES.set(sql, name);
    TEXTS.set(name, sql);
  }
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
 * arrays, JSON, buffers) and quoted as `pg`'s `escapeLiteral` quotes (quotes doubled; with a
 * backslash, an `E'...'` string with backslashes doubled), in two native replacements rather
 * than a string built character by character (a snapshot is kilobytes long); NULL for null.
 */
export function sqlLiteral(value: unknown): string {
  const prepared = prepareValue(value);
  if (prepared === null || prepared === undefined) return 'NULL';
  const text = Buffer.isBuffer(prepared) ? `\\x${prepared.toString('hex')}` : prepared;
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

type QueryFn = (...args: unknown[]) => Promise<unknown>;

/**
 * A transaction whose statements that need no answer travel with the next one that does. `BEGIN`
 * goes out in one message with the first statement, and `COMMIT` with the last: `BEGIN; EXECUTE
 * s(...)` and `EXECUTE s(...); COMMIT`, in the simple query protocol, where one message may hold
 * several statements. Between them, statements whose result nobody reads (a savepoint, the writes
 * of one event of a group) can be deferred (`defer`) to go out before the next statement. `s` is
 * a statement text prepared once per connection with SQL `PREPARE`, so it is planned once, as with
 * `preparedRows`; its values go in as literals (`sqlLiteral`). A transaction of four statements
 * (begin, lock, write, commit) costs two round trips instead of four; a socket write is what a
 * statement costs most on a small machine.
 *
 * Everything else runs on `manager` as usual, on the transaction's connection: any other query on
 * it first sends what was deferred, so nothing runs out of order. The query runner is marked as
 * inside a transaction, so a nested `manager.transaction()` becomes a savepoint, as in TypeORM's
 * own transactions. If anything fails, the transaction is rolled back; PostgreSQL runs nothing
 * after the failing statement of a message, so a failed last write never commits.
 */
export class PipelinedTransaction {
  /** Statements to send before the next one, in order; the transaction's BEGIN first. */
  private deferred: string[] = ['BEGIN'];
  private begun = false;
  private ended = false;

  private constructor(
    readonly manager: EntityManager,
    private readonly client: PoolClient,
    private readonly send: QueryFn,
  ) {}

  /** Runs `work` in a pipelined transaction, committed (with what is still deferred) when `work` has not called `last`. */
  static async run<T>(ds: DataSource, work: (tx: PipelinedTransaction) => Promise<T>): Promise<T> {
    const runner = ds.createQueryRunner() as PostgresQueryRunner;
    const client = (await runner.connect()) as PoolClient;
    const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
    state.isTransactionActive = true;
    state.transactionDepth = 1;
    // any other statement on the connection first sends what was deferred
    const target = client as unknown as { query: QueryFn };
    const own = Object.getOwnPropertyDescriptor(client, 'query');
    const original = target.query;
    const send: QueryFn = (...args) => original.apply(client, args);
    const tx = new PipelinedTransaction(runner.manager, client, send);
    target.query = async (...args) => {
      await tx.flush();
      return send(...args);
    };
    try {
      const result = await work(tx);
      if (!tx.ended) await tx.last(null, []);
      return result;
    } catch (err) {
      if (tx.begun && !tx.ended) await send('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      if (own) Object.defineProperty(client, 'query', own);
      else delete (target as { query?: QueryFn }).query;
      state.isTransactionActive = false;
      state.transactionDepth = 0;
      await runner.release();
    }
  }

  /** The rows of a statement, sent with everything deferred before it in one message. */
  async query<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    this.open();
    const call = await this.execute(sql, params);
    const results = await this.message([...this.take(), call]);
    return results[results.length - 1].rows as Row[];
  }

  /** Defers a statement whose result nobody reads (`params` null: a plain statement such as SAVEPOINT). */
  async defer(sql: string, params: unknown[] | null = null): Promise<void> {
    this.open();
    this.deferred.push(params === null ? sql : await this.execute(sql, params));
  }

  /** Sends what was deferred, if anything (before a statement sent some other way). */
  async flush(): Promise<void> {
    if (this.ended || !this.deferred.length) return;
    await this.message(this.take());
  }

  /** What is deferred, the last statement (none: `sql` null) and `COMMIT`, in one message. */
  async last(sql: string | null, params: unknown[]): Promise<void> {
    this.open();
    const call = sql === null ? null : await this.execute(sql, params);
    const statements = [...this.take(), ...(call === null ? [] : [call])];
    this.ended = true;
    // nothing was ever sent and nothing is to be written: there is nothing to commit
    if (!this.begun && statements.every((s) => s === 'BEGIN')) return;
    try {
      await this.message([...statements, 'COMMIT']);
    } catch (err) {
      await this.send('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private open(): void {
    if (this.ended) throw new Error('the transaction has already ended');
  }

  private take(): string[] {
    return this.deferred.splice(0);
  }

  private async message(statements: string[]): Promise<QueryResult[]> {
    if (statements[0] === 'BEGIN') this.begun = true;
    const result = (await this.send(statements.join('; '))) as QueryResult | QueryResult[];
    return Array.isArray(result) ? result : [result];
  }

  /** `EXECUTE` of `sql` with `params` as literals, preparing `sql` on this connection the first time. */
  private async execute(sql: string, params: unknown[]): Promise<string> {
    const name = nameOf(sql);
    let prepared = preparedOn.get(this.client);
    if (!prepared) preparedOn.set(this.client, (prepared = new Set()));
    if (!prepared.has(name)) {
      await this.send(`PREPARE ${name} AS ${sql}`);
      prepared.add(name);
    }
    return params.length ? `EXECUTE ${name}(${params.map(sqlLiteral).join(', ')})` : `EXECUTE ${name}`;
  }
}
