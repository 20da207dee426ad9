/**
 * The relay delivers notices set-based (docs/design.md, "The write path"): a run of consecutive
 * `notify` messages is stored in one transaction with a fixed number of statements, whatever its
 * length, and marked processed by one statement; a batch that fails is run again one message at a
 * time, so a bad message holds up only itself. Real PostgreSQL, real relay.
 */
import { randomUUID } from 'node:crypto';
import type { DefinitionRegistry } from '../../workflows/registry';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { NOTICE_CONTEXTS_SQL, WEBHOOK_DELIVERIES_SQL } from '../../src/deadlines/notifications.service';
import { bearer, signedIn } from '../support/auth';
import { statementsDuring } from '../support/statements';
import { createTestApp, type TestApp } from '../support/test-app';
import { counterDefinition } from './counter.definition';

describe('the relay delivers notices set-based', () => {
  let t: TestApp;
  let relay: OutboxRelay;
  let instanceId: string;
  let officerId: string;
  const managers: string[] = [];
  let managerToken: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { WORKERS_IN_PROCESS: 'false', OUTBOX_SWEEP_MS: '0' } });
    relay = t.app.get(OutboxRelay);
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    const officer = await signedIn(t.app, { role: 'legal_officer' });
    officerId = officer.user.id;
    for (let i = 0; i < 3; i++) {
      const manager = await signedIn(t.app, { role: 'manager' });
      managers.push(manager.user.id);
      managerToken = manager.token;
    }
    ({ instanceId } = await t.app
      .get(WorkflowEngine)
      .start({ definitionId: 'test-counter', input: {}, actor: officer.actor }));
    await relay.drain();
  });
  afterAll(() => t.close());

  /** Writes notify messages as the engine would, without waking the relay; returns their ids in order. */
  async function notices(n: number, instanceOf: (i: number) => string = () => instanceId): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const [row] = await t.dataSource.query<{ id: string }[]>(
        `INSERT INTO outbox_message (instance_id, kind, payload, created_at, available_at)
         VALUES ($1, 'notify', $2, now(), now() - interval '1 minute') RETURNING id::text`,
        [
          instanceId,
          JSON.stringify({
            instanceId: instanceOf(i),
            seq: 1,
            definitionId: 'test-counter',
            by: officerId,
            effect: {
              type: 'effect.notify',
              kind: 'info',
              topic: 'stage_reached',
              subject: `Notice ${i + 1} of ${n}`,
              data: { number: i + 1 },
              audience: { roles: ['manager'], procedureOfficers: true },
            },
          }),
        ],
      );
      ids.push(row.id);
    }
    return ids;
  }

  it('stores forty notices with as many statements as one, marks them processed at once, and keeps their order', async () => {
    const one = await notices(1);
    const { statements: forOne } = await statementsDuring(() => relay.drain());
    const forty = await notices(40);
    const { statements: forForty } = await statementsDuring(() => relay.drain());

    // the same statements for forty messages as for one: nothing is repeated per message
    expect(forForty.length).toBe(forOne.length);
    expect(forForty.filter((s) => /INSERT INTO notification/.test(s))).toHaveLength(1);
    expect(forForty.filter((s) => /UPDATE outbox_message/.test(s))).toHaveLength(1);

    const processed = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM outbox_message WHERE id = ANY($1::bigint[]) AND processed_at IS NOT NULL AND attempts = 1`,
      [[...one, ...forty]],
    );
    expect(processed[0].n).toBe(41);
    // each message reached the three managers and the procedure's officer, once
    const rows = await t.dataSource.query<{ user_id: string; subject: string; outbox_id: string }[]>(
      `SELECT user_id, subject, outbox_id::text FROM notification WHERE outbox_id = ANY($1::bigint[])`,
      [forty],
    );
    expect(rows).toHaveLength(40 * 4);
    for (const user of [...managers, officerId])
      expect(
        rows
          .filter((r) => r.user_id === user)
          .map((r) => r.outbox_id)
          .sort(),
      ).toEqual([...forty].sort());
    // a reader's list, newest first, is the order the procedure sent them in, reversed
    const listed = await t.dataSource.query<{ subject: string }[]>(
      `SELECT subject FROM notification WHERE user_id = $1 AND outbox_id = ANY($2::bigint[]) ORDER BY created_at DESC, id DESC`,
      [managers[0], forty],
    );
    expect(listed.map((r) => r.subject)).toEqual(forty.map((_, i) => `Notice ${40 - i} of 40`));
  });

  it('runs a failed batch one message at a time: a bad message holds up only itself', async () => {
    const unknownInstance = randomUUID();
    const ids = await notices(5, (i) => (i === 2 ? unknownInstance : instanceId));
    await relay.drain();
    const state = await t.dataSource.query<
      { id: string; processed: boolean; attempts: number; last_error: string | null; stored: number }[]
    >(
      `SELECT o.id::text, o.processed_at IS NOT NULL AS processed, o.attempts, o.last_error,
              (SELECT count(*)::int FROM notification n WHERE n.outbox_id = o.id) AS stored
         FROM outbox_message o WHERE o.id = ANY($1::bigint[]) ORDER BY o.id`,
      [ids],
    );
    expect(state.map((s) => s.processed)).toEqual([true, true, false, true, true]);
    expect(state.map((s) => s.stored)).toEqual([4, 4, 0, 4, 4]);
    expect(state[2]).toMatchObject({ attempts: 1 });
    expect(state[2].last_error).toMatch(/names procedure .* but its outbox row/);
    for (const s of [0, 1, 3, 4]) expect(state[s]).toMatchObject({ attempts: 1, last_error: null });
  });
  it("stores a notice's context once, whatever the number of its readers, and every reader reads it", async () => {
    t.clock.advance(100); // after the notices of the tests before (the failed one still waits)
    const ids = await notices(3);
    await relay.drain();
    // one notice row per message; the four readers' rows hold only their own state
    const stored = await t.dataSource.query<{ outbox_id: string; readers: number; number: number }[]>(
      `SELECT m.outbox_id::text, (m.data->'details'->>'number')::int AS number,
              (SELECT count(*)::int FROM notification n WHERE n.outbox_id = m.outbox_id) AS readers
         FROM notice m WHERE m.outbox_id = ANY($1::bigint[]) ORDER BY m.outbox_id`,
      [ids],
    );
    expect(stored).toEqual(ids.map((id, i) => ({ outbox_id: id, number: i + 1, readers: 4 })));
    const columns = await t.dataSource.query<{ column_name: string }[]>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'notification'`,
    );
    expect(columns.map((c) => c.column_name)).not.toContain('data');
    // a reader's list carries the context, as before
    const list = await t.http().get('/notifications?pageSize=3').set(bearer(managerToken)).expect(200);
    expect(list.body.items.map((x: { subject: string }) => x.subject)).toEqual([
      'Notice 3 of 3',
      'Notice 2 of 3',
      'Notice 1 of 3',
    ]);
    for (const [k, item] of (list.body.items as { data: Record<string, unknown> }[]).entries())
      expect(item.data).toMatchObject({ definitionId: 'test-counter', seq: 1, details: { number: 3 - k } });
    // a notice relayed again (a crash after commit) keeps its one context and its readers' rows
    await t.dataSource.query(`UPDATE outbox_message SET processed_at = NULL WHERE id = $1`, [ids[0]]);
    await relay.drain();
    const again = await t.dataSource.query<{ notices: number; rows: number }[]>(
      `SELECT (SELECT count(*)::int FROM notice WHERE outbox_id = $1) AS notices,
              (SELECT count(*)::int FROM notification WHERE outbox_id = $1) AS rows`,
      [ids[0]],
    );
    expect(again[0]).toEqual({ notices: 1, rows: 4 });
  });

  it('finds what a batch of notices needs by index, however large the tables grow', async () => {
    // With sequential scans priced out, a plan that still reads a whole table has no index to use.
    // The generic plan is the one a prepared statement keeps.
    const runner = t.dataSource.createQueryRunner();
    try {
      // in a transaction, so that the settings end with it (the connection goes back to the pool)
      await runner.query(`BEGIN`);
      await runner.query(`SET LOCAL enable_seqscan = off`);
      await runner.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
      const planOf = async (name: string, sql: string, args: string) => {
        await runner.query(`PREPARE ${name} AS ${sql}`);
        const rows = (await runner.query(`EXPLAIN EXECUTE ${name}(${args})`)) as { 'QUERY PLAN': string }[];
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      };
      const contexts = await planOf('contexts', NOTICE_CONTEXTS_SQL, `'{0}', '{${instanceId}}', '{1}'`);
      expect(contexts).toMatch(/Index Scan.* on deadline/);
      expect(contexts).not.toMatch(/Seq Scan on (deadline|workflow_event|workflow_instance)\b/);
      // webhook deliveries: from the (few) active subscriptions to their readers' rows by index
      const deliveries = await planOf('deliveries', WEBHOOK_DELIVERIES_SQL, `'{1}', now()`);
      expect(deliveries).not.toMatch(/Seq Scan on notification\b/);
    } finally {
      await runner.query(`ROLLBACK`).catch(() => undefined);
      await runner.query(`DEALLOCATE ALL`).catch(() => undefined);
      await runner.release();
    }
  });
});
