/**
 * The engine's snapshot update is HOT (heap-only tuple: no index entry written) while a procedure
 * stays in its stage, because no index of workflow_instance holds a column that update changes on
 * every event (migration 1700000061000, docs/design.md "Indexes of workflow_instance"); and the
 * list ordered by last activity, which no longer has an index on updated_at, still pages correctly.
 */
import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { InstancesService } from '../../src/instances/instances.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { counterDefinition } from './counter.definition';

const officer: Actor = { id: 'officer-hot', role: 'legal_officer', memberState: null, actingFor: null };

interface Updates {
  upd: number;
  hot: number;
}

describe('HOT snapshot updates on workflow_instance (real PostgreSQL)', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp({ env: { WORKERS_IN_PROCESS: 'false' } });
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    engine = t.app.get(WorkflowEngine);
    ds = t.dataSource;
  });
  afterAll(() => t.close());

  /** The table's update counters as the statistics system has them now (PostgreSQL >= 15). */
  const updates = async (): Promise<Updates> =>
    ds.transaction(async (m) => {
      await m.query(`SELECT pg_stat_force_next_flush()`);
      await m.query(`SELECT pg_stat_clear_snapshot()`);
      const [row] = await m.query<{ upd: string; hot: string }[]>(
        `SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'workflow_instance'`,
      );
      return { upd: Number(row.upd), hot: Number(row.hot) };
    });

  it('workflow_instance has exactly the documented indexes, none on a column every event changes', async () => {
    const rows = await ds.query<{ indexname: string; indexdef: string }[]>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'workflow_instance' ORDER BY indexname`,
    );
    expect(rows.map((r) => r.indexname)).toEqual([
      'workflow_instance_child_once',
      'workflow_instance_partner',
      'workflow_instance_pkey',
      'workflow_instance_stage_counts',
      'workflow_instance_starter',
      'workflow_instance_status',
    ]);
    for (const r of rows) expect(r.indexdef).not.toMatch(/updated_at|snapshot|\bseq\b|last_hash|outcome/);
    const [{ n }] = await ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'workflow_event' AND indexname = 'workflow_event_at'`,
    );
    expect(n).toBe(1);
    const [{ reloptions }] = await ds.query<{ reloptions: string[] | null }[]>(
      `SELECT reloptions FROM pg_class WHERE relname = 'workflow_instance'`,
    );
    expect(reloptions).toEqual(['fillfactor=70']);
  });

  it('events within a stage update the snapshot as HOT updates', async () => {
    const [{ version }] = await ds.query<{ version: number }[]>(
      `SELECT current_setting('server_version_num')::int AS version`,
    );
    expect(version).toBeGreaterThanOrEqual(150000);
    const { instanceId } = await engine.start({ definitionId: 'test-counter', input: {}, actor: officer });
    const before = await updates();
    const events = 20;
    for (let i = 0; i < events; i++) {
      await engine.apply({ instanceId, type: 'COUNT', payload: {}, actor: officer });
    }
    // Each pool connection sends its counters when it is next idle: wait, with a bound, until all 20 are in.
    const after = await waitFor(
      'the statistics of the 20 updates',
      async () => {
        const now = await updates();
        return now.upd - before.upd >= events ? now : null;
      },
      30_000,
      250,
    );
    const [row] = await ds.query<{ seq: number; state_path: string }[]>(
      `SELECT seq, state_path FROM workflow_instance WHERE id = $1`,
      [instanceId],
    );
    expect(row).toEqual({ seq: 1 + events, state_path: 'counting' });
    expect(after.upd - before.upd).toBe(events);
    expect(after.hot - before.hot).toBe(events);
  });

  it('the list by last activity follows the last event and pages with its cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await engine.start({ definitionId: 'test-counter', input: {}, actor: officer })).instanceId);
      t.clock.advance(1000);
    }
    // the oldest one becomes the most recently active
    await engine.apply({ instanceId: ids[0], type: 'COUNT', payload: {}, actor: officer });
    const reads = t.app.get(InstancesService);
    const first = await reads.list({ definition: 'test-counter', startedBy: officer.id, pageSize: 3 });
    expect(first.items.map((i) => i.id)).toEqual([ids[0], ids[3], ids[2]]);
    expect(first.nextCursor).not.toBeNull();
    const second = await reads.list({
      definition: 'test-counter',
      startedBy: officer.id,
      pageSize: 3,
      cursor: first.nextCursor ?? undefined,
    });
    const rest = second.items.map((i) => i.id);
    expect(rest.slice(0, 1)).toEqual([ids[1]]);
    expect(new Set([...first.items.map((i) => i.id), ...rest]).size).toBe(first.items.length + rest.length);
    const updatedAt = [...first.items, ...second.items].map((i) => new Date(i.updatedAt).getTime());
    expect(updatedAt).toEqual([...updatedAt].sort((a, b) => b - a));
  });
});
