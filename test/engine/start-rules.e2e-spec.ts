/**
 * Rules checked when a procedure starts or a deadline is extended, on the real engine and the
 * real database: starts are checked against the reference data and the procedures already open,
 * an extension never shortens a deadline, and the 1(c)/1(d) -> 1(e) cascade opens no second 1(e)
 * for a memorandum that already has one (test/procedures/cascade.e2e-spec.ts: the basis is added to
 * it). Every refusal leaves nothing written.
 */
import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException } from '../../src/common/domain.exception';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { ReferenceService } from '../../src/reference/reference.service';
import { recordBodyAdopts } from '../support/reference-data';
import { createTestApp, type TestApp } from '../support/test-app';
import { draftUpTo } from '../support/drafts';

const MEMBER_STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
const officer: Actor = { id: 'officer-1', role: 'legal_officer', memberState: null, actingFor: null };
const reviewer: Actor = { id: 'officer-2', role: 'legal_officer', memberState: null, actingFor: null };
const manager: Actor = { id: 'manager-1', role: 'manager', memberState: null, actingFor: null };
const approver = (state: string): Actor => ({
  id: `approver-${state}`,
  role: 'approver',
  memberState: state,
  actingFor: null,
});

describe('start and extension rules (real engine, real PostgreSQL)', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    await recordBodyAdopts(t, 'cfm', ['model_memorandum']);
    engine = t.app.get(WorkflowEngine);
    ds = t.dataSource;
  });
  afterAll(() => t?.close());

  const counts = async () => {
    const [r] = await ds.query<{ instances: string; events: string; outbox: string; deadlines: string }[]>(
      `SELECT (SELECT count(*) FROM workflow_instance) AS instances, (SELECT count(*) FROM workflow_event) AS events,
              (SELECT count(*) FROM outbox_message) AS outbox, (SELECT count(*) FROM deadline) AS deadlines`,
    );
    return r;
  };

  /** The start is refused with this status and message, and nothing is written. */
  const refused = async (definitionId: string, input: Record<string, unknown>, status: number, message: RegExp) => {
    const before = await counts();
    const err: unknown = await engine.start({ definitionId, input, actor: officer }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainException);
    const body = (err as DomainException).toBody();
    expect(body.statusCode).toBe(status);
    expect(body.message).toMatch(message);
    expect(await counts()).toEqual(before);
  };

  const start = async (definitionId: string, input: Record<string, unknown>) =>
    (await engine.start({ definitionId, input, actor: officer })).instanceId;

  it('a deadline extension can never shorten a deadline: an earlier or equal due date is refused naming the current one', async () => {
    const id = await start('memorandum-amendment', { partner: 'NP', memorandumId: 'mem-NP' });
    const [dl] = await ds.query<{ due_at: Date }[]>(
      `SELECT due_at FROM deadline WHERE instance_id = $1 AND key = 'gap_analysis' AND status = 'open'`,
      [id],
    );
    const due = new Date(dl.due_at);
    for (const dueAt of [new Date(due.getTime() - 86_400_000), due]) {
      const before = await counts();
      await expect(
        engine.extendDeadline({
          instanceId: id,
          deadlineKey: 'gap_analysis',
          dueAt,
          reason: 'Holidays',
          actor: manager,
        }),
      ).rejects.toThrow(`"gap_analysis" is due ${due.toISOString()}`);
      expect(await counts()).toEqual(before);
    }
    const later = new Date(due.getTime() + 7 * 86_400_000);
    await engine.extendDeadline({
      instanceId: id,
      deadlineKey: 'gap_analysis',
      dueAt: later,
      reason: 'Holidays',
      actor: manager,
    });
    const [moved] = await ds.query<{ due_at: Date }[]>(
      `SELECT due_at FROM deadline WHERE instance_id = $1 AND key = 'gap_analysis' AND status = 'open'`,
      [id],
    );
    expect(new Date(moved.due_at).toISOString()).toBe(later.toISOString());
  });

  it('1(e) for a partner whose memorandum is not the one named is refused naming its memorandum', async () => {
    await refused(
      'memorandum-amendment',
      { partner: 'TR', memorandumId: 'mem-EG' },
      400,
      /The memorandum of partner TR is mem-TR, not mem-EG/,
    );
  });

  it('1(e) for a partner that does not exist, or holds no memorandum, is refused naming the record', async () => {
    await refused('memorandum-amendment', { partner: 'XX', memorandumId: 'mem-XX' }, 400, /no partner "XX"/);
    await refused(
      'memorandum-amendment',
      { partner: 'MN', memorandumId: 'mem-MN' },
      400,
      /MN holds no signed memorandum/,
    );
  });

  it('a second open 1(e) for the same memorandum started manually is refused (409 naming the open one)', async () => {
    const first = await start('memorandum-amendment', { partner: 'AM', memorandumId: 'mem-AM' });
    await refused(
      'memorandum-amendment',
      { partner: 'AM', memorandumId: 'mem-AM' },
      409,
      new RegExp(`memorandum mem-AM is already open \\(procedure ${first}`),
    );
    // once the first is closed, a new one may start
    await engine.apply({
      instanceId: first,
      type: 'WITHDRAW',
      payload: { reason: 'Started in error' },
      actor: manager,
    });
    await start('memorandum-amendment', { partner: 'AM', memorandumId: 'mem-AM' });
  });

  it('1(b) for a partner that does not exist, or a treaty the data do not know, is refused naming the record', async () => {
    await refused(
      'treaty-accession',
      { partner: 'XX', treatyId: 'sco-agreement-road-transport-2014' },
      400,
      /no partner "XX"/,
    );
    await refused('treaty-accession', { partner: 'TR', treatyId: 'no-such-treaty' }, 400, /no treaty "no-such-treaty"/);
  });

  it('1(b) for a treaty the reference data list as closed is refused', async () => {
    const reference = t.app.get(ReferenceService);
    const current = await reference.find('treaty', 'sco-convention-extremism-2017', t.clock.now());
    await reference.recordChange(
      'treaty',
      'sco-convention-extremism-2017',
      { ...current!.data, open_for_accession: false, accession_conditions: 'open to SCO member states only' },
      { by: 'admin-1', note: 'Final clause read: member states only', validFrom: t.clock.now() },
    );
    await refused(
      'treaty-accession',
      { partner: 'TR', treatyId: 'sco-convention-extremism-2017' },
      409,
      /treaty sco-convention-extremism-2017 .* as not open for accession \(open to SCO member states only\)/,
    );
  });

  it('a second open 1(b) for the same partner and treaty is refused (409 naming the open one)', async () => {
    const first = await start('treaty-accession', { partner: 'TR', treatyId: 'sco-agreement-road-transport-2014' });
    await refused(
      'treaty-accession',
      { partner: 'TR', treatyId: 'sco-agreement-road-transport-2014' },
      409,
      new RegExp(`partner TR and treaty sco-agreement-road-transport-2014 is already open \\(procedure ${first}`),
    );
    // another partner, or another treaty, is a procedure of its own
    await start('treaty-accession', { partner: 'EG', treatyId: 'sco-agreement-road-transport-2014' });
  });

  it('cascade: a 1(d) adoption naming a memorandum that already has an open 1(e) does not fail the parent; its basis goes to the open 1(e), as its child.open message records', async () => {
    const manual = await start('memorandum-amendment', { partner: 'KH', memorandumId: 'mem-KH' });
    const parent = await start('model-memorandum-amendment', {
      proposedBy: 'Secretariat',
      rationale: 'New model after the 2025 merger of categories',
    });
    const today = t.clock.now().toISOString().slice(0, 10);
    const steps: { type: string; payload?: Record<string, unknown>; actor: Actor }[] = [
      { type: 'START_DRAFTING', actor: officer },
      { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer },
      { type: 'APPROVE_REVIEW', actor: reviewer },
      ...MEMBER_STATES.map((s) => ({
        type: 'RESPOND',
        payload: { draftVersion: 1, comments: null },
        actor: approver(s),
      })),
      { type: 'SUBMIT_TO_COORDINATORS', payload: { draftVersion: 1 }, actor: officer },
      ...MEMBER_STATES.map((s) => ({
        type: 'POSITION',
        payload: { draftVersion: 1, kind: 'agree' },
        actor: approver(s),
      })),
      { type: 'SUBMIT_FOR_ADOPTION', payload: { body: 'cfm' }, actor: officer },
      {
        type: 'RECORD_ADOPTION',
        payload: { decisionNumber: 'CFM-2026/9', date: today, affectedPartners: ['KH', 'KW'] },
        actor: officer,
      },
    ];
    await draftUpTo(t.app, parent, officer, 1);
    for (const s of steps) await engine.apply({ instanceId: parent, type: s.type, payload: s.payload, actor: s.actor });
    await t.app.get(OutboxRelay).drain();

    const [p] = await ds.query<{ status: string; outcome: string }[]>(
      `SELECT status, outcome FROM workflow_instance WHERE id = $1`,
      [parent],
    );
    expect(p).toEqual({ status: 'done', outcome: 'adopted' });
    const children = await ds.query<{ partner: string; memorandum: string }[]>(
      `SELECT partner, memorandum FROM workflow_instance WHERE parent_id = $1 ORDER BY partner`,
      [parent],
    );
    expect(children).toEqual([{ partner: 'KW', memorandum: 'mem-KW' }]);
    const messages = await ds.query<
      { key: string; processed: boolean; last_error: string | null; note: string | null }[]
    >(
      `SELECT payload->>'key' AS key, processed_at IS NOT NULL AS processed, last_error, note
         FROM outbox_message WHERE instance_id = $1 AND kind = 'child.open' ORDER BY key`,
      [parent],
    );
    expect(messages).toEqual([
      {
        key: 'KH',
        processed: true,
        last_error: null,
        note: expect.stringContaining(
          `Not opened: the memorandum's amendment procedure ${manual} is open; this adoption was added to it as a basis`,
        ),
      },
      { key: 'KW', processed: true, last_error: null, note: null },
    ]);
    const open = await ds.query<{ id: string }[]>(
      `SELECT id FROM workflow_instance WHERE definition_id = 'memorandum-amendment' AND memorandum = 'mem-KH' AND status = 'active'`,
    );
    expect(open).toEqual([{ id: manual }]);
  });
});
