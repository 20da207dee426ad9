import { Client } from 'pg';

/**
 * Every statement (or, for a pipelined transaction, every message) any `pg` client of this
 * process sends while `fn` runs, as sent, with what `fn` resolved to.
 */
export async function statementsDuring<T>(fn: () => Promise<T>): Promise<{ statements: string[]; result: T }> {
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const statements: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    statements.push(typeof q === 'string' ? q : ((q as { text?: string } | undefined)?.text ?? '?'));
    return original.apply(this, args);
  };
  try {
    return { statements, result: await fn() };
  } finally {
    proto.query = original;
  }
}

/**
 * The statements sent on a connection while another of its statements was still waiting to be sent
 * (what `pg` queues, warns about and will refuse in version 9), while `fn` runs.
 */
export async function queuedDuring<T>(fn: () => Promise<T>): Promise<{ queued: string[]; result: T }> {
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const queued: string[] = [];
  proto.query = function (this: { _queryQueue?: unknown[] }, ...args: unknown[]) {
    if ((this._queryQueue?.length ?? 0) > 0) {
      const q = args[0];
      queued.push(typeof q === 'string' ? q : ((q as { text?: string } | undefined)?.text ?? '?'));
    }
    return original.apply(this, args);
  };
  try {
    return { queued, result: await fn() };
  } finally {
    proto.query = original;
  }
}
