import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import { defaultRegistry } from '../../workflows/registry';
import { APP_ROLE } from '../../migrations/support/evidence';
import { verifyCommand } from '../../src/cli/verify-command';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { eventHash } from '../../src/engine/event-hash';
import { bundleSchema, type EvidenceBundle } from '../../src/record/bundle';
import { replay } from '../../src/record/replay';
import {
  canonicalStatement,
  statementHash,
  type AnswerStatement,
  type StoredSignature,
} from '../../src/evidence/signed-statement';
import { createDataSource } from '../../src/infra/data-source';
import { ReferenceService } from '../../src/reference/reference.service';
import { bearer, signedIn, tokenFor, type TestUser } from '../support/auth';
import { draftUpTo } from '../support/drafts';
import { asInsider } from '../support/insider';
import { recordBodyAdopts } from '../support/reference-data';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
const REPO = path.join(__dirname, '..', '..');

/**
 * The record cannot be rewritten silently. The service runs as the restricted role (no UPDATE or
 * DELETE on evidence), a full 1(d) procedure with every answer signed is adopted, its bundle
 * verifies offline, and each tampering by an insider (the database superuser, triggers off) is
 * found by both the server's verify and the offline verifier.
 */
describe('evidence: append-only record, checkpoints, bundle and offline verifier', () => {
  let t: TestApp;
  let owner: DataSource;
  let officerUser: TestUser;
  let reviewerUser: TestUser;
  let managerUser: TestUser;
  let admin1User: TestUser;
  let admin2User: TestUser;
  const approvers: Record<string, { user: TestUser; key: { keyId: string; privateKey: KeyObject } }> = {};
  let id: string;
  let dir: string;

  const token = (u: TestUser) => tokenFor(t.app, u);
  const send = async (u: TestUser, type: string, payload: object = {}) =>
    t
      .http()
      .post(`/instances/${id}/events`)
      .set(bearer(await token(u)))
      .send({ type, payload })
      .expect(200);

  /** An approver's Ed25519 key, registered and confirmed by two administrators (four-eyes). */
  async function confirmedKey(u: TestUser) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const reg = await t
      .http()
      .post('/signing-keys/ed25519')
      .set(bearer(await token(u)))
      .send({ publicKey: publicKey.export({ format: 'pem', type: 'spki' }), label: 'ministry client' })
      .expect(201);
    for (const admin of [admin1User, admin2User])
      await t
        .http()
        .post(`/signing-keys/acts/${reg.body.act.id}/confirm`)
        .set(bearer(await token(admin)))
        .expect(200);
    return { keyId: reg.body.key.id as string, privateKey };
  }

  async function signedAnswer(state: string, answer: object) {
    const a = approvers[state];
    const tk = await token(a.user);
    const st = await t.http().post(`/approvals/${id}/statement`).set(bearer(tk)).send(answer).expect(200);
    const statement = st.body.statement as AnswerStatement;
    const value = sign(null, Buffer.from(st.body.canonical as string, 'utf8'), a.key.privateKey).toString('base64url');
    await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(tk))
      .send({ ...answer, signature: { keyId: a.key.keyId, type: 'ed25519', at: statement.at, value } })
      .expect(200);
  }

  const verifyOnServer = async () =>
    (
      await t
        .http()
        .get(`/instances/${id}/verify`)
        .set(bearer(await token(managerUser)))
        .expect(200)
    ).body as {
      valid: boolean;
      firstBrokenSeq: number | null;
      reason: string | null;
      replay: { ok: boolean; problems: string[] };
      checkpoints: { ok: boolean; problems: string[] };
      answers: { ok: boolean; problems: string[] };
      problems: string[];
    };

  const bundle = async (texts = true) =>
    (
      await t
        .http()
        .get(`/instances/${id}/evidence${texts ? '?texts=true' : ''}`)
        .set(bearer(await token(managerUser)))
        .expect(200)
    ).body as EvidenceBundle;

  /** Downloads the bundle to a file and runs the offline verifier's command on it. */
  async function verifyOffline(args: string[] = []) {
    const file = path.join(dir, `bundle-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(await bundle()));
    let text = '';
    const code = await verifyCommand([file, ...args], (s) => (text += s));
    return { code, text, file };
  }

  const events = () =>
    owner.query<{ seq: number; type: string; payload: Record<string, unknown>; actor_member_state: string | null }[]>(
      `SELECT seq, type, payload, actor_member_state FROM workflow_event WHERE instance_id = $1 ORDER BY seq`,
      [id],
    );
  const eventRow = async (seq: number) =>
    (
      await owner.query<{ row: Record<string, unknown> }[]>(
        `SELECT to_jsonb(e) AS row FROM workflow_event e WHERE instance_id = $1 AND seq = $2`,
        [id, seq],
      )
    )[0].row;
  const restoreEvent = (row: Record<string, unknown>) =>
    asInsider(owner, [
      [`DELETE FROM workflow_event WHERE id = $1`, [row.id]],
      [`INSERT INTO workflow_event SELECT * FROM jsonb_populate_record(null::workflow_event, $1::jsonb)`, [row]],
    ]);

  beforeAll(async () => {
    t = await createTestApp({ appRole: true, env: { ANSWER_SIGNING: 'required' } });
    owner = createDataSource(t.databaseUrl);
    await owner.initialize();
    // the reference data does not say which body adopts the model Memorandum: record it, as an administrator would
    await recordBodyAdopts(t, 'cfm', ['model_memorandum']);
    dir = mkdtempSync(path.join(tmpdir(), 'amendflow-evidence-'));
    ({ user: officerUser } = await signedIn(t.app, { role: 'legal_officer' }));
    ({ user: reviewerUser } = await signedIn(t.app, { role: 'legal_officer' }));
    ({ user: managerUser } = await signedIn(t.app, { role: 'manager' }));
    ({ user: admin1User } = await signedIn(t.app, { role: 'admin' }));
    ({ user: admin2User } = await signedIn(t.app, { role: 'admin' }));
    for (const s of STATES) {
      const { user } = await signedIn(t.app, { role: 'approver', memberState: s });
      approvers[s] = { user, key: { keyId: '', privateKey: generateKeyPairSync('ed25519').privateKey } };
      approvers[s].key = await confirmedKey(user);
    }

    // A full 1(d) procedure on the restricted role: draft, review, circulation, ten signed positions, adoption.
    const started = await t
      .http()
      .post('/instances')
      .set(bearer(await token(officerUser)))
      .send({
        definitionId: 'model-memorandum-amendment',
        input: { proposedBy: 'Secretariat', rationale: 'The 2025 SCO partner status' },
      })
      .expect(201);
    id = started.body.instance.id as string;
    await send(officerUser, 'START_DRAFTING');
    await t
      .http()
      .post(`/instances/${id}/draft`)
      .set(bearer(await token(officerUser)))
      .send({ source: 'model_memorandum' })
      .expect(201);
    // version 1 saved by the officer (the author), so that another officer may review it
    await draftUpTo(t.app, id, { id: officerUser.id, role: 'legal_officer', memberState: null, actingFor: null }, 1);
    await send(officerUser, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 });
    await send(reviewerUser, 'APPROVE_REVIEW');
    await t.app.get(WorkflowEngine).apply({
      instanceId: id,
      type: 'DEADLINE_PASSED',
      payload: { deadlineKey: 'circulation' },
      actor: { id: 'system', role: 'system', memberState: null, actingFor: null },
    });
    await send(officerUser, 'SUBMIT_TO_COORDINATORS', { draftVersion: 1 });
    for (const s of STATES)
      await signedAnswer(
        s,
        s === 'KZ'
          ? { draftVersion: 1, kind: 'agree_with_reservation', text: 'On the translation of art. 5' }
          : { draftVersion: 1, kind: 'agree' },
      );
    await send(officerUser, 'SUBMIT_FOR_ADOPTION', { body: 'cfm' });
    const partner = (await t.app.get(ReferenceService).memoranda(t.clock.now()))[0].partner;
    await send(officerUser, 'RECORD_ADOPTION', {
      decisionNumber: 'CFM-2026/7',
      date: t.clock.now().toISOString().slice(0, 10),
      affectedPartners: [partner],
    });
    // adoption: the service signs the procedure's chain head (outbox, after commit)
    await waitFor('the checkpoint of the adoption', async () => {
      const [c] = await owner.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM evidence_checkpoint WHERE instance_id = $1 AND reason = 'closed'`,
        [id],
      );
      return c.n === 1;
    });
  }, 240_000);

  afterAll(async () => {
    await owner?.destroy();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('append-only record', () => {
    it('runs the service as the restricted role, which may not update or delete any evidence table', async () => {
      expect((await t.dataSource.query(`SELECT current_user AS u`))[0].u).toBe(APP_ROLE);
      // every table an append-only trigger guards, whichever migration made it
      const guarded = await owner.query<
        { table: string; update: boolean; del: boolean; trunc: boolean; ins: boolean }[]
      >(
        `SELECT DISTINCT c.relname AS table,
                has_table_privilege($1, c.oid, 'UPDATE') AS update, has_table_privilege($1, c.oid, 'DELETE') AS del,
                has_table_privilege($1, c.oid, 'TRUNCATE') AS trunc, has_table_privilege($1, c.oid, 'INSERT') AS ins
           FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid
          WHERE p.proname LIKE '%append_only' ORDER BY 1`,
        [APP_ROLE],
      );
      expect(guarded.map((g) => g.table)).toEqual(
        expect.arrayContaining([
          'audit_log',
          'draft_article',
          'draft_comment',
          'draft_comment_moderation',
          'draft_document',
          'draft_version',
          'evidence_checkpoint',
          'signing_key_record',
          'workflow_event',
        ]),
      );
      for (const g of guarded)
        expect(g).toEqual({ table: g.table, update: false, del: false, trunc: false, ins: true });
      // what the service updates is not evidence and stays writable
      const writable = await owner.query<{ ok: boolean }[]>(
        `SELECT bool_and(has_table_privilege($1, t, 'UPDATE')) AS ok
           FROM unnest(ARRAY['workflow_instance', 'outbox_message', 'deadline', 'awaiting_answer', 'stage_visit']) AS t`,
        [APP_ROLE],
      );
      expect(writable[0].ok).toBe(true);
    });

    it('refuses UPDATE and DELETE of evidence rows to the service role, and to anyone through the trigger', async () => {
      const attempts = [
        `UPDATE workflow_event SET payload = '{}' WHERE instance_id = '${id}' AND seq = 3`,
        `DELETE FROM workflow_event WHERE instance_id = '${id}' AND seq = 3`,
        `UPDATE evidence_checkpoint SET head_hash = repeat('0', 64) WHERE instance_id = '${id}'`,
        `DELETE FROM evidence_checkpoint WHERE instance_id = '${id}'`,
        `UPDATE draft_article SET text_ru = 'подмена'`,
        `DELETE FROM draft_version`,
        `UPDATE signing_key_record SET reason = 'rewritten'`,
        `DELETE FROM audit_log`,
        `TRUNCATE workflow_event`,
      ];
      for (const sql of attempts) await expect(t.dataSource.query(sql)).rejects.toThrow(/permission denied/);
      // the owner (the superuser) is refused too, by the trigger
      await expect(
        owner.query(`UPDATE workflow_event SET payload = '{}' WHERE instance_id = $1 AND seq = 3`, [id]),
      ).rejects.toThrow(/workflow_event rows are evidence and append-only: UPDATE refused/);
      await expect(owner.query(`DELETE FROM evidence_checkpoint WHERE instance_id = $1`, [id])).rejects.toThrow(
        /append-only: DELETE refused/,
      );
      expect((await verifyOnServer()).valid).toBe(true);
    });
  });

  describe('checkpoints', () => {
    it('signs the head at adoption and publishes it with the service key', async () => {
      const res = await t
        .http()
        .get(`/evidence/checkpoints?instanceId=${id}`)
        .set(bearer(await token(approvers.KZ.user)))
        .expect(200);
      const [last] = await owner.query<{ seq: number; hash: string }[]>(
        `SELECT seq, hash FROM workflow_event WHERE instance_id = $1 ORDER BY seq DESC LIMIT 1`,
        [id],
      );
      expect(res.body.items).toEqual([
        expect.objectContaining({ instanceId: id, seq: last.seq, headHash: last.hash, reason: 'closed' }),
      ]);
      expect(res.body.items[0].publicKey).toBe(res.body.serviceKey.publicKey);
      expect(res.body.serviceKey).toMatchObject({ algorithm: 'Ed25519', keyId: res.body.items[0].keyId });
      // a malformed page is refused with a sentence
      const bad = await t
        .http()
        .get('/evidence/checkpoints?limit=0')
        .set(bearer(await token(managerUser)))
        .expect(400);
      expect(bad.body.message).toMatch(/limit must be a whole number from 1 to 500/);
    });
  });

  describe('evidence bundle and offline verifier', () => {
    it('gives one versioned file with every event, signed statement, key record, draft hash and checkpoint', async () => {
      const b = await bundle(false);
      expect(bundleSchema.safeParse(b).success).toBe(true);
      expect(b).toMatchObject({
        format: 'amendflow.evidence-bundle',
        version: 1,
        instance: { id, definitionId: 'model-memorandum-amendment', definitionVersion: 1, state: 'adopted' },
      });
      const positions = b.events.filter((e) => e.type === 'POSITION');
      expect(positions).toHaveLength(10);
      expect(b.statements).toHaveLength(10);
      expect(b.keyRecords.filter((r) => r.action === 'register')).toHaveLength(10);
      expect(b.drafts).toEqual([expect.objectContaining({ number: 1, content: null })]);
      expect(b.checkpoints).toHaveLength(1);
      const withTexts = await bundle(true);
      expect(withTexts.drafts[0].content?.articles.length).toBeGreaterThan(0);
      // approvers do not read the bundle: it carries the Secretariat's internal review
      await t
        .http()
        .get(`/instances/${id}/evidence`)
        .set(bearer(await token(approvers.KZ.user)))
        .expect(403);
      await t
        .http()
        .get(`/instances/${id}/evidence?texts=yes`)
        .set(bearer(await token(managerUser)))
        .expect(400);
    });

    it('verifies the whole record offline: chain, replay, checkpoint, each signed answer', async () => {
      const server = await verifyOnServer();
      expect(server).toMatchObject({ valid: true, firstBrokenSeq: null, reason: null, problems: [] });
      const { code, text } = await verifyOffline();
      expect(code).toBe(0);
      expect(text).toMatch(/^Chain: intact$/m);
      expect(text).toMatch(/^Replay: the events give the stored stage, snapshot and read models$/m);
      expect(text).toMatch(/^Checkpoint at event \d+ .*: matches$/m);
      expect(
        text.match(/^Answer at event \d+: [A-Z]{2} agree(_with_reservation)? by .* signature valid$/gm),
      ).toHaveLength(10);
      expect(text).toMatch(/^Draft version 1: [0-9a-f]{16}\.\.\., text matches$/m);
      expect(text).toMatch(/^Result: VERIFIED$/m);
    });

    it('runs as `amendflow verify <bundle.json>`, with no server or database, and pins the service key', async () => {
      const file = path.join(dir, 'cli.json');
      writeFileSync(file, JSON.stringify(await bundle()));
      const serviceKey = (
        await t
          .http()
          .get('/evidence/checkpoints')
          .set(bearer(await token(managerUser)))
          .expect(200)
      ).body.serviceKey.publicKey as string;
      const run = (args: string[]) =>
        new Promise<{ code: number | null; out: string }>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['-r', 'ts-node/register/transpile-only', 'src/cli/amendflow.ts', 'verify', ...args],
            // no database, no Redis, no settings: only the file
            { cwd: REPO, env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: 'tsconfig.json' } },
          );
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, out }));
        });
      const ok = await run([file, '--service-key', serviceKey]);
      expect(ok.out).toMatch(/Result: VERIFIED/);
      expect(ok.code).toBe(0);
      const otherKey = generateKeyPairSync('ed25519')
        .publicKey.export({ format: 'der', type: 'spki' })
        .subarray(12)
        .toString('base64url');
      // the same command in process: another pinned key, and a file that is no bundle
      let text = '';
      expect(await verifyCommand([file, '--service-key', otherKey], (x) => (text += x))).toBe(1);
      expect(text).toMatch(
        /DOES NOT MATCH: it is signed with key [0-9a-f]+, which is not one of the service keys given/,
      );
      writeFileSync(path.join(dir, 'not-a-bundle.json'), JSON.stringify({ format: 'something else' }));
      text = '';
      expect(await verifyCommand([path.join(dir, 'not-a-bundle.json')], (x) => (text += x))).toBe(2);
      expect(text).toMatch(/is not an amendflow evidence bundle/);
    }, 120_000);
  });

  describe('tampering by an insider is detected by verify and by the offline verifier', () => {
    const kzPosition = async () =>
      (await events()).find((e) => e.type === 'POSITION' && e.actor_member_state === 'KZ')!;
    const cnPosition = async () =>
      (await events()).find((e) => e.type === 'POSITION' && e.actor_member_state === 'CN')!;

    afterEach(async () => {
      // every test restores what it changed: the record verifies again
      expect((await verifyOnServer()).problems).toEqual([]);
    });

    it("an event's payload edited", async () => {
      const kz = await kzPosition();
      const original = await eventRow(kz.seq);
      await asInsider(owner, [
        [
          `UPDATE workflow_event SET payload = jsonb_set(payload, '{text}', '"No reservation"') WHERE instance_id = $1 AND seq = $2`,
          [id, kz.seq],
        ],
      ]);
      try {
        expect(await verifyOnServer()).toMatchObject({
          valid: false,
          firstBrokenSeq: kz.seq,
          reason: `the content of event ${kz.seq} (POSITION) does not match its hash`,
        });
        const off = await verifyOffline();
        expect(off.code).toBe(1);
        expect(off.text).toContain(
          `Chain: BROKEN at event ${kz.seq}: the content of event ${kz.seq} (POSITION) does not match its hash`,
        );
      } finally {
        await restoreEvent(original);
      }
    });

    it('an event deleted', async () => {
      const cn = await cnPosition();
      const original = await eventRow(cn.seq);
      await asInsider(owner, [[`DELETE FROM workflow_event WHERE instance_id = $1 AND seq = $2`, [id, cn.seq]]]);
      try {
        expect(await verifyOnServer()).toMatchObject({
          valid: false,
          firstBrokenSeq: cn.seq,
          reason: `event ${cn.seq} is missing`,
        });
        const off = await verifyOffline();
        expect(off.code).toBe(1);
        expect(off.text).toContain(`Chain: BROKEN at event ${cn.seq}: event ${cn.seq} is missing`);
      } finally {
        await restoreEvent(original);
      }
    });

    it("a position's kind changed in the snapshot only", async () => {
      const [{ snapshot }] = await owner.query<{ snapshot: { context: { rounds: unknown[] } } }[]>(
        `SELECT snapshot FROM workflow_instance WHERE id = $1`,
        [id],
      );
      const last = snapshot.context.rounds.length - 1;
      await asInsider(owner, [
        [
          `UPDATE workflow_instance SET snapshot = jsonb_set(snapshot, $2::text[], '"object"') WHERE id = $1`,
          [id, ['context', 'rounds', String(last), 'positions', 'CN', 'kind']],
        ],
      ]);
      try {
        // the matrix shows the forged position...
        const matrix = await t
          .http()
          .get(`/instances/${id}/approvals`)
          .set(bearer(await token(managerUser)))
          .expect(200);
        const cn = (matrix.body.approvalRounds as { states: { memberState: string; position: string }[] }[])
          .at(-1)!
          .states.find((s) => s.memberState === 'CN');
        expect(cn?.position).toBe('object');
        // ...and both verifiers find it, with the chain intact
        const server = await verifyOnServer();
        expect(server).toMatchObject({ valid: false, firstBrokenSeq: null, replay: { ok: false } });
        expect(server.replay.problems.join('\n')).toContain(
          `the stored snapshot differs from what the events produce at context.rounds[${last}].positions.CN.kind: stored "object", the events give "agree"`,
        );
        const off = await verifyOffline();
        expect(off.code).toBe(1);
        expect(off.text).toMatch(/^Chain: intact$/m);
        expect(off.text).toMatch(/^Replay: DIFFERS$/m);
        expect(off.text).toContain(`positions.CN.kind: stored "object", the events give "agree"`);
      } finally {
        await asInsider(owner, [[`UPDATE workflow_instance SET snapshot = $2 WHERE id = $1`, [id, snapshot]]]);
      }
    });

    it('the chain recomputed after an edit, snapshot and all: only the checkpoint catches it', async () => {
      const b = await bundle(false);
      const originals = await Promise.all(b.events.map((e) => eventRow(e.seq)));
      const [instance] = await owner.query<{ snapshot: unknown; last_hash: string }[]>(
        `SELECT snapshot, last_hash FROM workflow_instance WHERE id = $1`,
        [id],
      );
      // the thorough insider: forge the decision number, recompute every later hash and the snapshot
      const k = b.events.findIndex((e) => e.type === 'RECORD_ADOPTION');
      const forged = b.events.map((e) => ({ ...e }));
      forged[k].payload = { ...(forged[k].payload as object), decisionNumber: 'CFM-2026/99' };
      for (let i = k; i < forged.length; i++) {
        const e = forged[i];
        e.prevHash = i === 0 ? e.prevHash : forged[i - 1].hash;
        e.hash = eventHash({
          instanceId: id,
          seq: e.seq,
          type: e.type,
          payload: e.payload,
          actorId: e.actor.id,
          actorRole: e.actor.role,
          actorMemberState: e.actor.memberState,
          actingFor: e.actor.actingFor,
          at: e.at,
          stateAfter: e.stateAfter,
          prevHash: e.prevHash,
          statementHash: (e.signature as StoredSignature | null)?.statementHash ?? null,
        });
      }
      const replayed = replay(defaultRegistry(), b.instance.definitionId, forged);
      expect(replayed.problems).toEqual([]);
      await asInsider(owner, [
        ...forged
          .slice(k)
          .map(
            (e) =>
              [
                `UPDATE workflow_event SET payload = $3, prev_hash = $4, hash = $5 WHERE instance_id = $1 AND seq = $2`,
                [id, e.seq, JSON.stringify(e.payload), e.prevHash, e.hash],
              ] as [string, unknown[]],
          ),
        [
          `UPDATE workflow_instance SET snapshot = $2, last_hash = $3 WHERE id = $1`,
          [id, replayed.snapshot, forged[forged.length - 1].hash],
        ],
      ]);
      try {
        const server = await verifyOnServer();
        expect(server).toMatchObject({
          valid: false,
          firstBrokenSeq: null,
          replay: { ok: true, problems: [] },
          checkpoints: { ok: false },
        });
        expect(server.checkpoints.problems[0]).toMatch(/the record was rewritten after the checkpoint/);
        const off = await verifyOffline();
        expect(off.code).toBe(1);
        expect(off.text).toMatch(/^Chain: intact$/m);
        expect(off.text).toMatch(/^Checkpoint at event \d+ .*: DOES NOT MATCH: event \d+ has hash/m);
      } finally {
        for (const row of originals.slice(k)) await restoreEvent(row);
        await asInsider(owner, [
          [
            `UPDATE workflow_instance SET snapshot = $2, last_hash = $3 WHERE id = $1`,
            [id, instance.snapshot, instance.last_hash],
          ],
        ]);
      }
    });

    it('a signature from another key', async () => {
      const cn = await cnPosition();
      const original = await eventRow(cn.seq);
      const stored = original.signature as StoredSignature;
      // a valid signature over the very same statement, by a key that is not CN's approver's
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64url');
      const swapped: StoredSignature = {
        ...stored,
        key: { type: 'ed25519', id: stored.key.id, publicKey: raw },
        signature: {
          type: 'ed25519',
          value: sign(null, Buffer.from(canonicalStatement(stored.statement), 'utf8'), privateKey).toString(
            'base64url',
          ),
        },
      };
      await asInsider(owner, [
        [`UPDATE workflow_event SET signature = $3 WHERE instance_id = $1 AND seq = $2`, [id, cn.seq, swapped]],
      ]);
      try {
        const server = await verifyOnServer();
        expect(server).toMatchObject({ valid: false, firstBrokenSeq: null, answers: { ok: false } });
        expect(server.answers.problems).toEqual([
          `answer at event ${cn.seq}: the key stored with the answer is not the key registered as ${stored.key.id}`,
        ]);
        const off = await verifyOffline();
        expect(off.code).toBe(1);
        expect(off.text).toContain(`  - the key stored with the answer is not the key registered as ${stored.key.id}`);
      } finally {
        await restoreEvent(original);
      }
    });

    it('a statement naming a different version hash', async () => {
      const cn = await cnPosition();
      const original = await eventRow(cn.seq);
      const stored = original.signature as StoredSignature;
      const statement = { ...(stored.statement as AnswerStatement) };
      statement.draft = { version: statement.draft.version, sha256: 'ab'.repeat(32) };
      await asInsider(owner, [
        [
          `UPDATE workflow_event SET signature = $3 WHERE instance_id = $1 AND seq = $2`,
          [id, cn.seq, { ...stored, statement, statementHash: statementHash(statement) }],
        ],
      ]);
      try {
        const server = await verifyOnServer();
        expect(server.valid).toBe(false);
        expect(server.answers.problems).toContain(
          `answer at event ${cn.seq}: the statement names text abababababababab... for version 1, whose text is ${(stored.statement as AnswerStatement).draft.sha256.slice(0, 16)}...`,
        );
        const off = await verifyOffline();
        expect(off.code).toBe(1);
        expect(off.text).toContain('  - the statement names text abababababababab... for version 1');
      } finally {
        await restoreEvent(original);
      }
    });

    it('a text changed after signing', async () => {
      const [article] = await owner.query<{ version_id: string; article_id: string; text_ru: string }[]>(
        `SELECT a.version_id, a.article_id, a.text_ru FROM draft_article a
           JOIN draft_version v ON v.id = a.version_id JOIN draft_document d ON d.id = v.document_id
          WHERE d.instance_id = $1 AND v.number = 1 ORDER BY a.position LIMIT 1`,
        [id],
      );
      await asInsider(owner, [
        [
          `UPDATE draft_article SET text_ru = $3 WHERE version_id = $1 AND article_id = $2`,
          [article.version_id, article.article_id, `${article.text_ru} (изменено)`],
        ],
      ]);
      try {
        const server = await verifyOnServer();
        expect(server.valid).toBe(false);
        // every signed answer named the text as it was
        expect(server.answers.problems.filter((p) => /the statement names text .* for version 1/.test(p))).toHaveLength(
          10,
        );
        expect(server.problems).toContain(
          'draft version 1: its text is not the text saved as that version (it was changed in the database)',
        );
        const off = await verifyOffline();
        expect(off.code).toBe(1);
        expect(off.text).toMatch(/^Draft version 1: [0-9a-f]{16}\.\.\., text differs$/m);
      } finally {
        await asInsider(owner, [
          [
            `UPDATE draft_article SET text_ru = $3 WHERE version_id = $1 AND article_id = $2`,
            [article.version_id, article.article_id, article.text_ru],
          ],
        ]);
      }
    });
  });
});

/** The periodic checkpoint: a BullMQ job scheduler in the worker signs every procedure changed since. */
describe('evidence: periodic checkpoints', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('signs the head of every procedure changed since the last checkpoint, and only those', async () => {
    t = await createTestApp({ appRole: true, env: { EVIDENCE_CHECKPOINT_EVERY_MS: '300' } });
    const { token } = await signedIn(t.app, { role: 'legal_officer' });
    const start = async () =>
      (
        await t
          .http()
          .post('/instances')
          .set(bearer(token))
          .send({
            definitionId: 'model-memorandum-amendment',
            input: { proposedBy: 'Secretariat', rationale: 'Checkpoints' },
          })
          .expect(201)
      ).body.instance.id as string;
    const a = await start();
    const b = await start();
    const heads = async (instanceId: string) =>
      (await t.http().get(`/evidence/checkpoints?instanceId=${instanceId}`).set(bearer(token)).expect(200)).body
        .items as { seq: number; reason: string }[];
    await waitFor(
      'checkpoints of both procedures',
      async () => (await heads(a)).length === 1 && (await heads(b)).length === 1,
    );
    await t
      .http()
      .post(`/instances/${a}/events`)
      .set(bearer(token))
      .send({ type: 'START_DRAFTING', payload: {} })
      .expect(200);
    await waitFor('a checkpoint of the changed procedure', async () => (await heads(a)).length === 2);
    expect((await heads(a)).map((c) => [c.seq, c.reason])).toEqual([
      [1, 'periodic'],
      [2, 'periodic'],
    ]);
    // the unchanged procedure was not signed again (several passes ran meanwhile)
    expect(await heads(b)).toHaveLength(1);
  }, 120_000);
});
