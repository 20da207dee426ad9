/**
 * Review and circulation rules over HTTP on the real database: four-eyes on the authors of the
 * text (not on who submitted it), a review of every version before it reaches the member states,
 * the coordinators' version seen in circulation or marked as a consolidation, and a migration that
 * cannot skip a review or a consensus. Every refusal is a sentence and writes nothing.
 */
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { regulationAmendment } from '../../workflows/procedures/regulation-amendment';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { asInput, DraftClient, STATES, type Person } from '../documents/draft-fixtures';
import { bearer, signedIn } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const SYSTEM: Actor = { id: 'system', role: 'system', memberState: null, actingFor: null };

describe('review and circulation (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let a: Person, b: Person, c: Person, admin: Person;
  let approvers: Record<string, Person>;
  let api: DraftClient;

  beforeAll(async () => {
    t = await createTestApp();
    [a, b, c, admin] = await Promise.all([
      signedIn(t.app, { role: 'legal_officer' }),
      signedIn(t.app, { role: 'legal_officer' }),
      signedIn(t.app, { role: 'legal_officer' }),
      signedIn(t.app, { role: 'admin' }),
    ]);
    approvers = {};
    for (const s of STATES) approvers[s] = await signedIn(t.app, { role: 'approver', memberState: s });
    api = new DraftClient(t, a.token);
  }, 120_000);
  afterAll(() => t.close());

  /** Deploys a new version of 1(c), as a release would (same stages), so running instances can move to it. */
  const newVersion = (): number => {
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    const version = Math.max(...registry.versions(regulationAmendment.id)) + 1;
    registry.register({ ...regulationAmendment, version });
    return version;
  };
  const view = async (id: string) => (await api.get(`/instances/${id}`).expect(200)).body;
  const history = async (id: string) => (await api.get(`/instances/${id}/history`).expect(200)).body;
  const eventsOf = (h: unknown) =>
    (Array.isArray(h) ? h : (h as { items: unknown[] }).items) as {
      type: string;
      actor: { id: string };
      at: string;
    }[];
  const endCirculation = (id: string) =>
    t.app
      .get(WorkflowEngine)
      .apply({ instanceId: id, type: 'DEADLINE_PASSED', payload: { deadlineKey: 'circulation' }, actor: SYSTEM });

  /** A 1(c) procedure in drafting whose draft has versions 1 and 2, both written by officer A. */
  async function writtenByA(): Promise<string> {
    const id = (await api.startRegulationAmendment().expect(201)).body.instance.id as string;
    await api.event(id, 'START_DRAFTING').expect(200);
    const v1 = (await api.createDraft(id, { source: 'regulation' }).expect(201)).body.latest;
    const edit = asInput(v1);
    edit[0].en = `${edit[0].en} (revised)`;
    await api.save(id, { note: 'Article 1 revised', basedOn: 1, articles: edit }).expect(201);
    return id;
  }

  it('four-eyes on the author: A writes version 2, B submits it, A may not approve it, C may', async () => {
    const id = await writtenByA();
    await api.as(b.token).event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 2 }).expect(200);
    const before = await view(id);

    const refused = await api.event(id, 'APPROVE_REVIEW').expect(409);
    expect(refused.body).toMatchObject({
      error: 'CONFLICT',
      message:
        'Four-eyes rule: you wrote or edited draft versions 1, 2 since the last reviewed version, so you cannot review version 2; another legal officer must.',
      details: { reason: 'BUSINESS_RULE' },
    });
    await api.event(id, 'RETURN_TO_DRAFTING', { reason: 'My own text' }).expect(409);
    const after = await view(id);
    expect({ state: after.state, seq: after.seq }).toEqual({ state: 'legal_review', seq: before.seq });

    const approved = await api.as(c.token).event(id, 'APPROVE_REVIEW').expect(200);
    expect(approved.body.result.state).toBe('circulation');
    expect(approved.body.instance.context.reviews).toEqual([
      expect.objectContaining({ draftVersion: 2, by: c.user.id, decision: 'approved', kind: 'review' }),
    ]);
  });

  it('every version sent to the member states was reviewed: a consolidated version goes out only after another officer confirms its changes (recorded)', async () => {
    const id = await writtenByA();
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 2 }).expect(200);
    await api.as(b.token).event(id, 'APPROVE_REVIEW').expect(200);
    await endCirculation(id);
    expect((await view(id)).state).toBe('consolidation');

    // version 3, by A, consolidates the comments
    const v2 = await api.version(id, 2);
    const edit = asInput(v2);
    edit[1].en = `${edit[1].en} (consolidated)`;
    await api.save(id, { note: 'Comments consolidated', basedOn: 2, articles: edit }).expect(201);
    const before = await view(id);
    const unreviewed = await api.event(id, 'RECIRCULATE', { draftVersion: 3 }).expect(409);
    expect(unreviewed.body.message).toBe(
      'Version 3 has not been reviewed: another legal officer, who wrote none of its changes, must confirm them (CONFIRM_CHANGES) before it goes to the member states.',
    );
    await api.event(id, 'SUBMIT_TO_COORDINATORS', { draftVersion: 3, consolidation: true }).expect(409);
    const own = await api.event(id, 'CONFIRM_CHANGES', { draftVersion: 3 }).expect(409);
    expect(own.body.message).toMatch(/^Four-eyes rule: you wrote or edited draft version 3 since/);
    expect((await view(id)).seq).toBe(before.seq);

    const confirmed = await api.as(b.token).event(id, 'CONFIRM_CHANGES', { draftVersion: 3 }).expect(200);
    expect(confirmed.body.result.state).toBe('consolidation');
    const light = confirmed.body.instance.context.reviews[1];
    expect(light).toMatchObject({ draftVersion: 3, by: b.user.id, decision: 'approved', kind: 'confirm_changes' });
    expect(Date.parse(light.at)).toBe(t.clock.now().getTime());
    const recorded = eventsOf(await history(id)).at(-1);
    expect(recorded).toMatchObject({ type: 'CONFIRM_CHANGES', actor: { id: b.user.id } });

    // the states never saw version 3: it goes to the coordinators only marked as a consolidation
    const unseen = await api.event(id, 'SUBMIT_TO_COORDINATORS', { draftVersion: 3 }).expect(409);
    expect(unseen.body.message).toBe(
      'Version 3 was never circulated to the member states (they have seen version 2): circulate it, or mark it as the consolidation of their comments (consolidation: true).',
    );
    await api.event(id, 'RECIRCULATE', { draftVersion: 3 }).expect(200);
    await endCirculation(id);
    const submitted = await api.event(id, 'SUBMIT_TO_COORDINATORS', { draftVersion: 3 }).expect(200);
    expect(submitted.body.result.state).toBe('cnc_approval');
  });

  it('migration cannot skip a review or a consensus; entering a stage by migration opens its round and plans its deadline', async () => {
    const id = await writtenByA();
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 2 }).expect(200);
    await api.as(b.token).event(id, 'APPROVE_REVIEW').expect(200);
    await endCirculation(id);
    await api.event(id, 'SUBMIT_TO_COORDINATORS', { draftVersion: 2 }).expect(200);
    const migrate = (body: object) => t.http().post(`/instances/${id}/migrate`).set(bearer(admin.token)).send(body);
    const before = await view(id);
    expect(before.state).toBe('cnc_approval');
    const v2 = newVersion();

    // past the coordinators' consensus: refused with the reason, nothing written
    const skip = await migrate({
      toVersion: v2,
      stateMapping: { cnc_approval: 'submitted_for_adoption' },
      reason: 'Move on',
    }).expect(409);
    expect(skip.body).toMatchObject({
      error: 'CONFLICT',
      message:
        'Moving this procedure from "cnc_approval" to "submitted_for_adoption" would skip a step its record does not show: the member states have not reached consensus on a version. Map it to a stage it has reached.',
      details: { reason: 'BUSINESS_RULE' },
    });
    const closing = await migrate({ toVersion: v2, stateMapping: { cnc_approval: 'adopted' }, reason: 'Done' }).expect(
      409,
    );
    expect(closing.body.message).toMatch(/^A migration cannot close a procedure: "adopted" is a final stage/);
    const after = await view(id);
    expect({ seq: after.seq, version: after.definition.version }).toEqual({
      seq: before.seq,
      version: before.definition.version,
    });

    // back to consolidation: the open round is superseded, no answer is owed any more
    const back = await migrate({
      toVersion: v2,
      stateMapping: { cnc_approval: 'consolidation' },
      reason: 'The coordinators asked for the new rules of procedure',
    }).expect(200);
    expect(back.body.result.state).toBe('consolidation');
    expect(back.body.instance.context.rounds).toEqual([expect.objectContaining({ number: 1, outcome: 'superseded' })]);
    const inbox = await t.http().get('/approvals/inbox').set(bearer(approvers.KZ.token)).expect(200);
    expect(inbox.body.items.filter((i: { instanceId: string }) => i.instanceId === id)).toEqual([]);
    const open = await t.dataSource.query(`SELECT key FROM deadline WHERE instance_id = $1 AND status = 'open'`, [id]);
    expect(open).toEqual([]);

    // a third version of the definition: into cnc_approval again opens a new round and its 30-day deadline
    const into = await migrate({
      toVersion: newVersion(),
      stateMapping: { consolidation: 'cnc_approval' },
      reason: 'Back to the coordinators under the new rules',
    }).expect(200);
    expect(into.body.result.state).toBe('cnc_approval');
    expect(into.body.instance.context.rounds.at(-1)).toMatchObject({
      number: 2,
      stage: 'cnc_approval',
      draftVersion: 2,
      outcome: 'open',
      electorate: [...STATES],
    });
    const [deadline] = await t.dataSource.query(
      `SELECT key, starts_at, due_at FROM deadline WHERE instance_id = $1 AND status = 'open'`,
      [id],
    );
    expect(deadline.key).toBe('cnc_approval');
    expect(new Date(deadline.due_at).getTime() - new Date(deadline.starts_at).getTime()).toBe(30 * 86_400_000);
    const owed = await t.http().get('/approvals/inbox').set(bearer(approvers.KZ.token)).expect(200);
    expect(owed.body.items.filter((i: { instanceId: string }) => i.instanceId === id)).toEqual([
      expect.objectContaining({ question: 'position', draftVersion: 2, stage: 'cnc_approval' }),
    ]);
    const last = eventsOf(await history(id)).at(-1);
    expect(last).toMatchObject({ type: '$migrated', actor: { id: admin.user.id } });
  });

  it('migration cannot skip the review: a version never reviewed cannot be moved into circulation', async () => {
    const id = await writtenByA();
    await api.as(b.token).event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 2 }).expect(200);
    const refused = await t
      .http()
      .post(`/instances/${id}/migrate`)
      .set(bearer(admin.token))
      .send({ toVersion: newVersion(), stateMapping: { legal_review: 'circulation' }, reason: 'Skip the review' })
      .expect(409);
    expect(refused.body.message).toBe(
      'Moving this procedure from "legal_review" to "circulation" would skip a step its record does not show: draft version 2 has not passed the internal review by another officer. Map it to a stage it has reached.',
    );
    expect((await view(id)).state).toBe('legal_review');
  });
});
