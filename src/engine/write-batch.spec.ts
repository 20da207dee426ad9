import type { EntityManager } from 'typeorm';
import { combined, WriteBatch } from './write-batch';

/** A manager that records the statements it is sent. */
function recorder() {
  const sent: { sql: string; params: unknown[] }[] = [];
  const manager = {
    query: (sql: string, params: unknown[]) => {
      sent.push({ sql, params });
      return Promise.resolve([]);
    },
  } as Pick<EntityManager, 'query'> as EntityManager;
  return { sent, manager };
}

describe('WriteBatch', () => {
  it('sends queued writes as one statement of CTEs, each with its parameters renumbered in order', () => {
    const { sql, params } = combined([
      { sql: 'UPDATE a SET x = $2 WHERE id = $1', params: ['id-1', 7] },
      { sql: "INSERT INTO b (t, u) VALUES ($1, '$started')", params: ['t'] },
      {
        sql: 'DELETE FROM c WHERE id = $1 AND n = ANY($2) AND m = $10',
        params: ['c', [1], 0, 0, 0, 0, 0, 0, 0, 'ten'],
      },
    ]);
    expect(sql).toBe(
      "WITH w0 AS (UPDATE a SET x = $2 WHERE id = $1),\nw1 AS (INSERT INTO b (t, u) VALUES ($3, '$started')),\n" +
        'w2 AS (DELETE FROM c WHERE id = $4 AND n = ANY($5) AND m = $13) SELECT 1',
    );
    expect(params).toEqual(['id-1', 7, 't', 'c', [1], 0, 0, 0, 0, 0, 0, 0, 'ten']);
  });

  it('keeps writes to one table in order: a second write to a table already pending sends the batch first', async () => {
    const { sent, manager } = recorder();
    const batch = new WriteBatch(manager);
    await batch.add('awaiting_answer', 'DELETE FROM awaiting_answer WHERE instance_id = $1', ['i']);
    await batch.add('workflow_event', 'INSERT INTO workflow_event VALUES ($1)', ['e']);
    expect(sent).toHaveLength(0);
    await batch.add('awaiting_answer', 'INSERT INTO awaiting_answer VALUES ($1)', ['a']);
    expect(sent).toHaveLength(1);
    expect(sent[0].sql).toMatch(/^WITH w0 AS \(DELETE FROM awaiting_answer .*\),\nw1 AS \(INSERT INTO workflow_event/s);
    await batch.flush();
    // a single pending write goes out as written
    expect(sent[1]).toEqual({ sql: 'INSERT INTO awaiting_answer VALUES ($1)', params: ['a'] });
    await batch.flush();
    expect(sent).toHaveLength(2);
  });

  it('lets append-only inserts into one table share a statement', async () => {
    const { sent, manager } = recorder();
    const batch = new WriteBatch(manager);
    await batch.add('outbox_message', 'INSERT INTO outbox_message VALUES ($1)', [1], { appendOnly: true });
    await batch.add('outbox_message', 'INSERT INTO outbox_message VALUES ($1)', [2], { appendOnly: true });
    expect(batch.size).toBe(2);
    await batch.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0].params).toEqual([1, 2]);
  });
});
