import { Client } from 'pg';

/** Calls `seen` with the client and the text of every statement any `pg` client sends while `fn` runs. */
async function watchingQueries<T>(
  seen: (client: { _queryQueue?: unknown[] }, text: string) => void,
  fn: () => Promise<T>,
): Promise<T> {
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: { _queryQueue?: unknown[] }, ...args: unknown[]) {
    const q = args[0];
    seen(this, typeof q === 'string' ? q : ((q as { text?: string } | undefined)?.text ?? '?'));
    return original.apply(this, args);
  };
  try {
    return await fn();
  } finally {
    proto.query = original;
  }
}

/**
 * Every statement (or, for a pipelined transaction, every message) any `pg` client of this
 * process sends while `fn` runs, as sent, with what `fn` resolved to.
 */
export async function statementsDuring<T>(fn: () => Promise<T>): Promise<{ statements: string[]; result: T }> {
  const statements: string[] = [];
  const result = await watchingQueries((_client, text) => statements.push(text), fn);
  return { statements, result };
}

/**
 * The statements sent on a connection while another of its statements was still waiting to be sent
 * (what `pg` queues, warns about and will refuse in version 9), while `fn` runs.
 */
export async function queuedDuring<T>(fn: () => Promise<T>): Promise<{ queued: string[]; result: T }> {
  const queued: string[] = [];
  const result = await watchingQueries((client, text) => {
    if ((client._queryQueue?.length ?? 0) > 0) queued.push(text);
  }, fn);
  return { queued, result };
}
