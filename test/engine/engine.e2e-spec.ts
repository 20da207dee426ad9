import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DomainException, ErrorReason } from '../../src/common/domain.exception';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { EvidenceService } from '../../src/record/evidence.service';
import { asInsider } from '../support/insider';
import { InstancesService } from '../../src/instances/instances.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { counterDefinition } from './counter.definition';
import { EngineFaults } from '../support/fault-hooks';

const officer: Actor = { id: 'officer-1', role: 'legal_officer', memberState: null, actingFor: null };
const approver: Actor = { id: 'approver-RU', role: 'approver', memberState: 'RU', actingFor: null };
const admin: Actor = { id: 'admin-1', role: 'admin', memberState: null, actingFor: null };

describe('workflow engine (real PostgreSQL)', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let relay: OutboxRelay;
  let ds: DataSource;
  let reads: InstancesService;
  let evidence: EvidenceService;

  beforeAll(async () => {
    t = await createTestApp();
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    engine = t.app.get(WorkflowEngine);
    relay = t.app.get(OutboxRelay);
    reads = t.app.get(InstancesService);
    evidence = t.app.get(EvidenceService);
    ds = t.dataSource;
  });
  afterAll(() => t.close());
  afterEach(() => t.app.get(EngineFaults).set(null));

  const start = () => engine.start({ definitionId: 'test-counter', input: {}, actor: officer });
  const count = async (id: string) =>
    (await ds.query(`SELECT count(*)::int AS n FROM workflow_event WHERE instance_id = $1`, [id]))[0].n as number;
  const rejection = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(DomainException);
      return e as DomainException;
    }
    throw new Error('expected a refusal');
  };

  it('starts an instance with its first event, snapshot and state deadline in one transaction', async () => {
    const r = await start();
    expect(r).toMatchObject({ seq: 1, state: 'counting', status: 'active', replayed: false });
    const [row] = await ds.query(
      `SELECT definition_version, state_path, snapshot FROM workflow_instance WHERE id = $1`,
      [r.instanceId],
    );
    expect(row).toMatchObject({ definition_version: 1, state_path: 'counting' });
    const deadlines = await ds.query(`SELECT key, status FROM deadline WHERE instance_id = $1`, [r.instanceId]);
    expect(deadlines).toEqual([{ key: 'counting', status: 'open' }]);
  });

  describe('refusals write nothing', () => {
    it('unknown instance: 404', async () => {
      const e = await rejection(
        engine.apply({
          instanceId: '00000000-0000-4000-8000-000000000000',
          type: 'COUNT',
          payload: {},
          actor: officer,
        }),
      );
      expect(e.status).toBe(404);
      const e2 = await rejection(
        engine.apply({ instanceId: 'not-a-uuid', type: 'COUNT', payload: {}, actor: officer }),
      );
      expect(e2.status).toBe(404);
    });

    it('event not accepted in the current state: 409 naming the state and what is accepted', async () => {
      const { instanceId } = await start();
      await engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer });
      const before = await count(instanceId);
      const e = await rejection(engine.apply({ instanceId, type: 'COUNT', payload: {}, actor: officer }));
      expect(e.status).toBe(409);
      expect(e.message).toMatch(/closed \(finished\)/);
      expect(e.details).toMatchObject({ reason: ErrorReason.STAGE_REFUSES_EVENT, acceptedEvents: [] });
      expect(await count(instanceId)).toBe(before);
    });

    it('payload failing its schema: 400 naming the field', async () => {
      const { instanceId } = await start();
      const e = await rejection(engine.apply({ instanceId, type: 'COUNT', payload: { by: 'three' }, actor: officer }));
      expect(e.status).toBe(400);
      expect(e.message).toMatch(/payload\.by/);
      const e2 = await rejection(
        engine.apply({ instanceId, type: 'COUNT', payload: { by: 1, extra: true }, actor: officer }),
      );
      expect(e2.message).toMatch(/extra/);
      expect(await count(instanceId)).toBe(1);
    });

    it('a role the event does not allow: 403 naming the roles', async () => {
      const { instanceId } = await start();
      const e = await rejection(engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: approver }));
      expect(e.status).toBe(403);
      expect(e.message).toMatch(/needs the role legal_officer; you are approver/);
      expect(await count(instanceId)).toBe(1);
    });

    it('a business guard refusing: 409 with its reason', async () => {
      const { instanceId } = await start();
      for (let i = 0; i < 10; i++)
        await engine.apply({ instanceId, type: 'COUNT', payload: { by: 100 }, actor: officer });
      const e = await rejection(engine.apply({ instanceId, type: 'COUNT', payload: { by: 1 }, actor: officer }));
      expect(e.status).toBe(409);
      expect(e.message).toBe('The counter cannot pass 1000.');
      expect(e.details).toMatchObject({ reason: ErrorReason.BUSINESS_RULE });
      expect(await count(instanceId)).toBe(11);
    });

    it('an unknown event type: 400 listing the events', async () => {
      const { instanceId } = await start();
      const e = await rejection(engine.apply({ instanceId, type: 'DANCE', payload: {}, actor: officer }));
      expect(e.status).toBe(400);
      expect(e.message).toMatch(/no event "DANCE"/);
    });
  });

  it('applies 50 concurrent events to one instance once each, in a gap-free sequence', async () => {
    const { instanceId } = await start();
    await Promise.all(
      Array.from({ length: 50 }, () => engine.apply({ instanceId, type: 'COUNT', payload: {}, actor: officer })),
    );
    const seqs = (
      await ds.query(`SELECT seq FROM workflow_event WHERE instance_id = $1 ORDER BY seq`, [instanceId])
    ).map((r: { seq: number }) => r.seq);
    expect(seqs).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    const view = await reads.view(instanceId, officer);
    expect(view.context).toMatchObject({ count: 50 });
    expect((await evidence.verifySummary(instanceId)).valid).toBe(true);
  });

  it('applies the same idempotency key sent concurrently once, and returns the first result to all', async () => {
    const { instanceId } = await start();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        engine.apply({ instanceId, type: 'COUNT', payload: { by: 5 }, actor: officer, idempotencyKey: 'count-once' }),
      ),
    );
    expect(new Set(results.map((r) => r.seq))).toEqual(new Set([2]));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect((await reads.view(instanceId, officer)).context).toMatchObject({ count: 5 });
    const e = await rejection(
      engine.apply({ instanceId, type: 'COUNT', payload: { by: 6 }, actor: officer, idempotencyKey: 'count-once' }),
    );
    expect(e.status).toBe(409);
    expect(e.message).toMatch(/already used for a different request/);
  });

  it('starts once for one idempotency key sent concurrently', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        engine.start({ definitionId: 'test-counter', input: {}, actor: officer, idempotencyKey: 'start-once' }),
      ),
    );
    expect(new Set(results.map((r) => r.instanceId)).size).toBe(1);
  });

  it.each(['after-lock', 'after-snapshot', 'after-event', 'after-deadlines', 'after-outbox'] as const)(
    'a crash %s leaves no partial state; the outbox runs later, once',
    async (point) => {
      const { instanceId } = await start();
      const before = await ds.query(`SELECT seq, snapshot, last_hash FROM workflow_instance WHERE id = $1`, [
        instanceId,
      ]);
      const outboxBefore = (
        await ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE instance_id = $1`, [instanceId])
      )[0].n;
      t.app.get(EngineFaults).set((p) => {
        if (p === point) throw new Error(`injected crash ${p}`);
      });
      await expect(
        engine.apply({ instanceId, type: 'NOTE', payload: { text: 'hello' }, actor: officer }),
      ).rejects.toThrow(/injected crash/);
      t.app.get(EngineFaults).set(null);
      expect(
        await ds.query(`SELECT seq, snapshot, last_hash FROM workflow_instance WHERE id = $1`, [instanceId]),
      ).toEqual(before);
      expect(await count(instanceId)).toBe(1);
      expect(
        (await ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE instance_id = $1`, [instanceId]))[0].n,
      ).toBe(outboxBefore);

      // The same event succeeds; its notification is relayed after commit even if the first relay run fails.
      const seen: string[] = [];
      let failFirst = true;
      relay.register('notify', (m) => {
        if (m.instanceId !== instanceId) return Promise.resolve();
        if (failFirst) {
          failFirst = false;
          return Promise.reject(new Error('relay crashed'));
        }
        seen.push(m.payload.effect.subject);
        return Promise.resolve();
      });
      await engine.apply({ instanceId, type: 'NOTE', payload: { text: 'hello' }, actor: officer });
      await relay.drain();
      t.clock.advance({ minutes: 5 });
      await relay.drain();
      await relay.drain();
      expect(seen).toEqual(['hello']);
    },
  );

  it('opens children once and tells the parent when each finishes', async () => {
    const parent = await start();
    await engine.apply({
      instanceId: parent.instanceId,
      type: 'SPAWN',
      payload: { keys: ['TR', 'AM'] },
      actor: officer,
    });
    await relay.drain();
    await relay.drain();
    const children = await ds.query(
      `SELECT id, parent_key FROM workflow_instance WHERE parent_id = $1 ORDER BY parent_key`,
      [parent.instanceId],
    );
    expect(children.map((c: { parent_key: string }) => c.parent_key)).toEqual(['AM', 'TR']);
    // asking again opens nothing new
    await engine.apply({ instanceId: parent.instanceId, type: 'SPAWN', payload: { keys: ['TR'] }, actor: officer });
    await relay.drain();
    expect(
      (await ds.query(`SELECT count(*)::int AS n FROM workflow_instance WHERE parent_id = $1`, [parent.instanceId]))[0]
        .n,
    ).toBe(2);
    for (const c of children) await engine.apply({ instanceId: c.id, type: 'FINISH', payload: {}, actor: officer });
    await relay.drain();
    await relay.drain();
    const view = await reads.view(parent.instanceId, officer);
    expect([...(view.context as { children: string[] }).children].sort()).toEqual(['AM', 'TR']);
  });

  it('closes a state deadline when the state is left', async () => {
    const { instanceId } = await start();
    await engine.apply({ instanceId, type: 'FINISH', payload: {}, actor: officer });
    expect(await ds.query(`SELECT key, status FROM deadline WHERE instance_id = $1`, [instanceId])).toEqual([
      { key: 'counting', status: 'closed' },
    ]);
  });

  it('migrates an instance to a new version with a state mapping, audited, and refuses a bad mapping', async () => {
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    const { instanceId } = await start();
    await engine.apply({ instanceId, type: 'COUNT', payload: { by: 3 }, actor: officer });
    if (!registry.get('test-counter', 2)) registry.register(counterDefinition(2));
    try {
      // new instances take the newest version; the running one stays on v1
      const fresh = await start();
      expect((await reads.view(fresh.instanceId, officer)).definition.version).toBe(2);
      expect((await reads.view(instanceId, officer)).definition.version).toBe(1);

      const bad = await rejection(
        engine.migrate({
          instanceId,
          toVersion: 2,
          stateMapping: { counting: 'counted' },
          reason: 'rename',
          actor: admin,
        }),
      );
      expect(bad.status).toBe(400);
      expect(bad.message).toMatch(/lacks: counting -> counted/);
      const unmapped = await rejection(
        engine.migrate({ instanceId, toVersion: 2, stateMapping: {}, reason: 'rename', actor: admin }),
      );
      expect(unmapped.message).toMatch(/counting does not exist in version 2/);

      const r = await engine.migrate({
        instanceId,
        toVersion: 2,
        stateMapping: { counting: 'tallying' },
        reason: 'Stage renamed',
        actor: admin,
      });
      expect(r).toMatchObject({ state: 'tallying' });
      const view = await reads.view(instanceId, officer);
      expect(view.definition.version).toBe(2);
      expect(view.context).toMatchObject({ count: 3 });
      const history = await reads.history(instanceId, admin);
      expect(history[history.length - 1]).toMatchObject({
        type: '$migrated',
        payload: { fromVersion: 1, toVersion: 2, from: 'counting', to: 'tallying', reason: 'Stage renamed' },
      });
      await engine.apply({ instanceId, type: 'COUNT', payload: {}, actor: officer });
      expect((await reads.view(instanceId, officer)).context).toMatchObject({ count: 4 });
      expect((await evidence.verifySummary(instanceId)).valid).toBe(true);
    } finally {
      // keep other tests on v1 by removing v2 again
      (registry as unknown as { byId: Map<string, Map<number, unknown>> }).byId.get('test-counter')!.delete(2);
    }
  });

  it('detects tampering with a stored event and names the first broken link', async () => {
    const { instanceId } = await start();
    for (let i = 0; i < 4; i++) await engine.apply({ instanceId, type: 'COUNT', payload: {}, actor: officer });
    expect(await evidence.verifySummary(instanceId)).toMatchObject({
      valid: true,
      checked: 5,
      firstBrokenSeq: null,
      reason: null,
    });
    // the history is append-only: an ordinary UPDATE is refused, whoever sends it
    await expect(
      ds.query(`UPDATE workflow_event SET payload = '{"by": 100}' WHERE instance_id = $1 AND seq = 3`, [instanceId]),
    ).rejects.toThrow(/append-only/);
    await asInsider(ds, [
      [`UPDATE workflow_event SET payload = '{"by": 100}' WHERE instance_id = $1 AND seq = 3`, [instanceId]],
    ]);
    expect(await evidence.verifySummary(instanceId)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
    await asInsider(ds, [
      [`UPDATE workflow_event SET payload = '{}' WHERE instance_id = $1 AND seq = 3`, [instanceId]],
    ]);
    expect((await evidence.verifySummary(instanceId)).valid).toBe(true);
    await asInsider(ds, [[`DELETE FROM workflow_event WHERE instance_id = $1 AND seq = 5`, [instanceId]]]);
    expect(await evidence.verifySummary(instanceId)).toMatchObject({ valid: false, firstBrokenSeq: 5 });
  });
});
