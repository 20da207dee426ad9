/**
 * The path of a member state's answer, the workload the product exists for (docs/design.md,
 * "The write path"): over HTTP an unsigned answer costs two round trips (the token check
 * cached; BEGIN with the lock, which reads the round and the acting appointment covering the
 * approver; every write in one statement, with COMMIT), and each event stores the facts shared by many events once, by hash, keeping only
 * its own (the draft) beside it, while the record still gives each event the whole of what its
 * machine saw.
 */
import type { Actor } from '../../workflows/kernel/types';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { expandPipelined } from '../../src/infra/pipelined-transaction';
import { EvidenceService } from '../../src/record/evidence.service';
import { bearer, signedIn, type TestUser } from '../support/auth';
import { draftUpTo } from '../support/drafts';
import { queuedDuring, statementsDuring } from '../support/statements';
import { createTestApp, type TestApp } from '../support/test-app';

const STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
const SYSTEM: Actor = { id: 'system', role: 'system', memberState: null, actingFor: null };

describe.each([true, false])('the answer path (HTTP, real PostgreSQL; PIPELINED_TRANSACTIONS=%s)', (pipelined) => {
  let t: TestApp;
  let officer: { user: TestUser; token: string; actor: Actor };
  let reviewer: { user: TestUser; token: string; actor: Actor };
  const approvers: Record<string, { user: TestUser; token: string }> = {};

  beforeAll(async () => {
    // nothing periodic in the process while statements are counted
    t = await createTestApp({
      env: {
        WORKERS_IN_PROCESS: 'false',
        OUTBOX_SWEEP_MS: '0',
        EVIDENCE_CHECKPOINT_EVERY_MS: '0',
        PIPELINED_TRANSACTIONS: String(pipelined),
      },
    });
    officer = await signedIn(t.app, { role: 'legal_officer' });
    reviewer = await signedIn(t.app, { role: 'legal_officer' });
    for (const s of STATES) approvers[s] = await signedIn(t.app, { role: 'approver', memberState: s });
  });
  afterAll(() => t.close());

  async function atCoordinatorsRound(): Promise<string> {
    const engine = t.app.get(WorkflowEngine);
    const started = await engine.start({
      definitionId: 'model-memorandum-amendment',
      input: { proposedBy: 'Secretariat', rationale: 'The answer path' },
      actor: officer.actor,
    });
    const id = started.instanceId;
    await engine.apply({ instanceId: id, type: 'START_DRAFTING', payload: {}, actor: officer.actor });
    await draftUpTo(t.app, id, officer.actor, 1);
    await engine.apply({
      instanceId: id,
      type: 'SUBMIT_FOR_REVIEW',
      payload: { draftVersion: 1 },
      actor: officer.actor,
    });
    await engine.apply({ instanceId: id, type: 'APPROVE_REVIEW', payload: {}, actor: reviewer.actor });
    await engine.apply({
      instanceId: id,
      type: 'DEADLINE_PASSED',
      payload: { deadlineKey: 'circulation' },
      actor: SYSTEM,
    });
    const r = await engine.apply({
      instanceId: id,
      type: 'SUBMIT_TO_COORDINATORS',
      payload: { draftVersion: 1 },
      actor: officer.actor,
    });
    expect(r.state).toBe('cnc_approval');
    return id;
  }

  const answer = (id: string, state: string) =>
    t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers[state].token))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(200);

  it('an unsigned answer over HTTP costs two round trips (four statements unpipelined), one of them for every write', async () => {
    const id = await atCoordinatorsRound();
    // the first answer of each approver warms the token cache
    await answer(id, 'BY');
    await t.http().get('/approvals/inbox').set(bearer(approvers.CN.token)).expect(200);
    // the notices an answer leaves in the outbox are delivered later by the relay, not by the request: stopped here
    await t.app.get(OutboxRelay).onModuleDestroy();
    const { statements: sent } = await statementsDuring(() => answer(id, 'CN'));
    // a statement text is prepared once per connection (SQL PREPARE); the messages of the answer itself:
    const messages = sent.filter((s) => !/^PREPARE /.test(s));
    const statements = messages.map((m) => expandPipelined(m).replace(/\s+/g, ' '));
    const list = statements.join('\n');
    if (pipelined) {
      // BEGIN with the lock (and the acting appointment), the writes with COMMIT
      expect(messages).toHaveLength(2);
      expect(messages[0]).toMatch(/^BEGIN; EXECUTE afp_/);
      expect(messages[1]).toMatch(/^EXECUTE afp_\w+\(.*\); COMMIT$/s);
    } else {
      expect(statements).toHaveLength(4);
      expect([statements[0], statements[3]]).toEqual(['START TRANSACTION', 'COMMIT']);
    }
    // the acting appointment is read in the lock statement, not on its own
    expect(statements.filter((s) => /acting_appointment/.test(s))).toEqual([expect.stringMatching(/FOR UPDATE/)]);
    // the instance lock reads the reference data version and the draft in the same statement
    expect(statements.filter((s) => /FOR UPDATE/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /reference_data_version/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /^(INSERT|UPDATE|DELETE|WITH)/.test(s))).toEqual([
      expect.stringMatching(
        /^WITH w0 AS \(UPDATE workflow_instance .*INSERT INTO workflow_event .*DELETE FROM awaiting_answer/,
      ),
    ]);
    // no read of the procedure before the lock, no read of the view after it, no token row read
    expect(list).not.toMatch(/auth_token/);
    expect(statements.filter((s) => /FROM workflow_instance/.test(s))).toHaveLength(1);
    const [cn] = await t.dataSource.query<{ actor_member_state: string; type: string }[]>(
      `SELECT actor_member_state, type FROM workflow_event WHERE instance_id = $1 ORDER BY seq DESC LIMIT 1`,
      [id],
    );
    expect(cn).toEqual({ actor_member_state: 'CN', type: 'POSITION' });
  });

  it('sends one statement at a time on a connection: a start, answers and their notices queue nothing', async () => {
    // the relay runs only when asked below, so that its batch holds every notice
    await t.app.get(OutboxRelay).onModuleDestroy();
    const { queued } = await queuedDuring(async () => {
      const id = await atCoordinatorsRound();
      for (const s of ['BY', 'CN', 'IN']) await answer(id, s);
      // the notices of the start and the answers, several audiences in one batch
      expect(await t.app.get(OutboxRelay).drain()).toBeGreaterThan(3);
    });
    expect(queued).toEqual([]);
  });

  it('stores the facts shared by many events once, by hash; the record gives every event all it saw', async () => {
    const a = await atCoordinatorsRound();
    const b = await atCoordinatorsRound();
    for (const s of STATES.slice(0, 4)) {
      await answer(a, s);
      await answer(b, s);
    }
    const rows = await t.dataSource.query<
      { type: string; world: { draft?: { latestVersion: number } } | null; world_facts: string | null }[]
    >(
      `SELECT type, world, world_facts FROM workflow_event WHERE instance_id = ANY($1::uuid[]) ORDER BY instance_id, seq`,
      [[a, b]],
    );
    const positions = rows.filter((r) => r.type === 'POSITION');
    expect(positions).toHaveLength(8);
    // one set of shared facts for all of them; each event keeps only its draft facts beside it
    expect(new Set(positions.map((r) => r.world_facts)).size).toBe(1);
    for (const r of positions) {
      expect(r.world_facts).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(r.world ?? {})).toEqual(['draft']);
      expect(r.world?.draft?.latestVersion).toBe(1);
    }
    const [facts] = await t.dataSource.query<{ facts: { memberStates: string[] } }[]>(
      `SELECT facts FROM world_facts WHERE hash = $1`,
      [positions[0].world_facts],
    );
    expect(facts.facts.memberStates).toEqual(STATES);
    // the record puts them together again, and replays
    const evidence = t.app.get(EvidenceService);
    const bundle = await evidence.bundle(a, { texts: false });
    const position = bundle.events.find((e) => e.type === 'POSITION');
    expect(position?.world).toMatchObject({ memberStates: STATES, draft: { latestVersion: 1 } });
    expect((await evidence.verifySummary(a)).valid).toBe(true);
    // the rows of world_facts are evidence: the service may not rewrite them
    await expect(
      t.dataSource.query(`UPDATE world_facts SET facts = '{}'::jsonb WHERE hash = $1`, [positions[0].world_facts]),
    ).rejects.toThrow(/append-only|evidence/i);
  });
});
