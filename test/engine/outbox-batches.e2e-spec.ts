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
import { signedIn } from '../support/auth';
import { statementsDuring } from '../support/statements';
import { createTestApp, type TestApp } from '../support/test-app';
import { counterDefinition } from './counter.definition';

describe('the relay delivers notices set-based', () => {
  let t: TestApp;
  let relay: OutboxRelay;
  let instanceId: string;
  let officerId: string;
  const managers: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ env: { WORKERS_IN_PROCESS: 'false', OUTBOX_SWEEP_MS: '0' } });
    relay = t.app.get(OutboxRelay);
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    const officer = await signedIn(t.app, { role: 'legal_officer' });
    officerId = officer.user.id;
    for (let i = 0; i < 3; i++) managers.push((await signedIn(t.app, { role: 'manager' })).user.id);
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
});
