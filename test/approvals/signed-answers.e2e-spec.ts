import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { WorkflowEngine } from '../../src/engine/engine.service';
import {
  canonicalStatement,
  statementEventMismatches,
  verifyStoredSignature,
  type AnswerStatement,
  type KeyStatement,
  type StoredSignature,
} from '../../src/evidence/signed-statement';
import { bearer, signedIn, tokenFor, type TestUser } from '../support/auth';
import { softCredential } from '../support/soft-authenticator';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Signed answers with ANSWER_SIGNING=required, on the real database: keys are registered,
 * confirmed (four-eyes), rotated and revoked as append-only acts; an answer is applied only with a
 * valid signature over its statement by an active key of the person answering; anything else is
 * refused with a sentence and nothing is written.
 */
describe('signed answers (HTTP, real PostgreSQL, signing required)', () => {
  let t: TestApp;
  let officerUser: TestUser;
  let reviewerUser: TestUser;
  let admin1: string;
  let admin2: string;
  let admin1User: TestUser;
  let admin2User: TestUser;
  const approvers: Record<string, { user: TestUser; token: string }> = {};

  beforeAll(async () => {
    t = await createTestApp({ env: { ANSWER_SIGNING: 'required' } });
    ({ user: officerUser } = await signedIn(t.app, { role: 'legal_officer' }));
    ({ user: reviewerUser } = await signedIn(t.app, { role: 'legal_officer' }));
    ({ token: admin1, user: admin1User } = await signedIn(t.app, { role: 'admin' }));
    ({ token: admin2, user: admin2User } = await signedIn(t.app, { role: 'admin' }));
    for (const s of ['KZ', 'CN', 'RU', 'IN', 'UZ'])
      approvers[s] = await signedIn(t.app, { role: 'approver', memberState: s });
  });
  afterAll(() => t.close());
  // tokens issued now: a test moves the clock past their lifetime
  beforeEach(async () => {
    admin1 = await tokenFor(t.app, admin1User);
    admin2 = await tokenFor(t.app, admin2User);
    for (const a of Object.values(approvers)) a.token = await tokenFor(t.app, a.user);
  });

  const send = (id: string, token: string, type: string, payload: object = {}) =>
    t.http().post(`/instances/${id}/events`).set(bearer(token)).send({ type, payload });
  const counts = async (id: string) =>
    (
      await t.dataSource.query<{ events: number; awaiting: number }[]>(
        `SELECT (SELECT count(*)::int FROM workflow_event WHERE instance_id = $1) AS events,
                (SELECT count(*)::int FROM awaiting_answer WHERE instance_id = $1) AS awaiting`,
        [id],
      )
    )[0];

  /** A model-memorandum amendment waiting for the coordinators' approval of version 1. */
  async function atApproval(): Promise<string> {
    const officer = await tokenFor(t.app, officerUser);
    const reviewer = await tokenFor(t.app, reviewerUser);
    const res = await t
      .http()
      .post('/instances')
      .set(bearer(officer))
      .send({
        definitionId: 'model-memorandum-amendment',
        input: { proposedBy: 'Secretariat', rationale: 'Signed answers' },
      })
      .expect(201);
    const id = res.body.instance.id as string;
    await send(id, officer, 'START_DRAFTING').expect(200);
    await t.http().post(`/instances/${id}/draft`).set(bearer(officer)).send({ source: 'model_memorandum' }).expect(201);
    await send(id, officer, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(200);
    await send(id, reviewer, 'APPROVE_REVIEW').expect(200);
    await t.app.get(WorkflowEngine).apply({
      instanceId: id,
      type: 'DEADLINE_PASSED',
      payload: { deadlineKey: 'circulation' },
      actor: { id: 'system', role: 'system', memberState: null, actingFor: null },
    });
    await send(id, officer, 'SUBMIT_TO_COORDINATORS', { draftVersion: 1 }).expect(200);
    return id;
  }

  /** Registers an Ed25519 key for an approver and has two administrators confirm it. */
  async function confirmedEd25519(token: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const reg = await t
      .http()
      .post('/signing-keys/ed25519')
      .set(bearer(token))
      .send({ publicKey: publicKey.export({ format: 'pem', type: 'spki' }), label: 'ministry client' })
      .expect(201);
    await t.http().post(`/signing-keys/acts/${reg.body.act.id}/confirm`).set(bearer(admin1)).expect(200);
    const done = await t.http().post(`/signing-keys/acts/${reg.body.act.id}/confirm`).set(bearer(admin2)).expect(200);
    expect(done.body.key.state).toBe('active');
    return { keyId: reg.body.key.id as string, privateKey };
  }

  const signText = (text: string, privateKey: KeyObject) =>
    sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64url');

  async function signedAnswer(
    id: string,
    token: string,
    answer: object,
    key: { keyId: string; privateKey: KeyObject },
  ) {
    const st = await t.http().post(`/approvals/${id}/statement`).set(bearer(token)).send(answer).expect(200);
    const statement = st.body.statement as AnswerStatement;
    expect(canonicalStatement(statement)).toBe(st.body.canonical);
    return {
      statement,
      body: {
        ...answer,
        signature: {
          keyId: key.keyId,
          type: 'ed25519',
          at: statement.at,
          value: signText(st.body.canonical, key.privateKey),
        },
      },
    };
  }

  it('refuses an unsigned answer with a sentence and writes nothing', async () => {
    const id = await atApproval();
    const before = await counts(id);
    const res = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.UZ.token))
      .send({ draftVersion: 1, kind: 'agree' })
      .expect(403);
    expect(res.body.message).toMatch(/Answers must be signed/);
    expect(res.body.details).toMatchObject({ signatureRequired: true });
    // the generic event route is no way around it
    await send(id, approvers.UZ.token, 'POSITION', { draftVersion: 1, kind: 'agree' }).expect(403);
    expect(await counts(id)).toEqual(before);
  });

  it('an API client answers with an Ed25519 signature over the statement; the event keeps it and the matrix shows it signed', async () => {
    const id = await atApproval();
    const key = await confirmedEd25519(approvers.KZ.token);
    const answer = { draftVersion: 1, kind: 'agree_with_reservation', text: 'Art. 4: read with the Charter' };
    const { statement, body } = await signedAnswer(id, approvers.KZ.token, answer, key);
    expect(statement).toMatchObject({
      procedure: id,
      definition: { id: 'model-memorandum-amendment' },
      question: 'position',
      round: 1,
      draft: { version: 1 },
      memberState: 'KZ',
      signer: approvers.KZ.user.id,
      actingFor: null,
      kind: 'agree_with_reservation',
      text: 'Art. 4: read with the Charter',
    });
    expect(statement.draft.sha256).toMatch(/^[0-9a-f]{64}$/);
    await t.http().post(`/approvals/${id}/answer`).set(bearer(approvers.KZ.token)).send(body).expect(200);

    const [event] = await t.dataSource.query<
      {
        seq: number;
        type: string;
        payload: unknown;
        actor_id: string;
        actor_member_state: string;
        acting_for: string | null;
        definition_version: number;
        signature: StoredSignature;
      }[]
    >(`SELECT * FROM workflow_event WHERE instance_id = $1 AND type = 'POSITION'`, [id]);
    expect(await verifyStoredSignature(event.signature)).toEqual({ valid: true });
    expect(
      statementEventMismatches(event.signature.statement as AnswerStatement, {
        instanceId: id,
        definitionId: 'model-memorandum-amendment',
        definitionVersion: event.definition_version,
        type: event.type,
        payload: event.payload,
        actorId: event.actor_id,
        actorMemberState: event.actor_member_state,
        actingFor: event.acting_for,
      }),
    ).toEqual([]);
    const matrix = await t.http().get(`/instances/${id}/approvals`).set(bearer(approvers.KZ.token)).expect(200);
    const kz = matrix.body.approvalRounds[0].states.find((s: { memberState: string }) => s.memberState === 'KZ');
    expect(kz.signed).toMatchObject({
      keyId: key.keyId,
      keyType: 'ed25519',
      statementHash: event.signature.statementHash,
      seq: event.seq,
    });
    // the chain covers the signature
    const verify = await t.http().get(`/instances/${id}/verify`).set(bearer(approvers.KZ.token)).expect(200);
    expect(verify.body.valid).toBe(true);
  });

  it('refuses a badly signed answer (another key, another answer, a stale statement) and writes nothing', async () => {
    const id = await atApproval();
    const key = await confirmedEd25519(approvers.CN.token);
    const before = await counts(id);
    const { body } = await signedAnswer(id, approvers.CN.token, { draftVersion: 1, kind: 'agree' }, key);
    // signed "agree", sent as "object"
    const swapped = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.CN.token))
      .send({ ...body, kind: 'object', text: 'No' })
      .expect(400);
    expect(swapped.body.message).toMatch(/signature does not match this answer/);
    // signed with a key that is not the one named
    const other = generateKeyPairSync('ed25519');
    const st = await t
      .http()
      .post(`/approvals/${id}/statement`)
      .set(bearer(approvers.CN.token))
      .send({ draftVersion: 1, kind: 'agree' });
    await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.CN.token))
      .send({
        draftVersion: 1,
        kind: 'agree',
        signature: {
          ...body.signature,
          at: st.body.statement.at,
          value: signText(st.body.canonical, other.privateKey),
        },
      })
      .expect(400);
    // another approver's key
    await t.http().post(`/approvals/${id}/answer`).set(bearer(approvers.RU.token)).send(body).expect(400);
    // a statement older than the window
    t.clock.advance({ minutes: 16 });
    const cn = await tokenFor(t.app, approvers.CN.user);
    const stale = await t.http().post(`/approvals/${id}/answer`).set(bearer(cn)).send(body).expect(409);
    expect(stale.body.message).toMatch(/must be signed within 15 minutes/);
    expect(await counts(id)).toEqual(before);
  });

  it('a key takes effect only with four-eyes: a pending key cannot sign, one administrator cannot confirm twice', async () => {
    const id = await atApproval();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const reg = await t
      .http()
      .post('/signing-keys/ed25519')
      .set(bearer(approvers.IN.token))
      .send({ publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64') })
      .expect(201);
    expect(reg.body.key.state).toBe('pending');
    const { body } = await signedAnswer(
      id,
      approvers.IN.token,
      { draftVersion: 1, kind: 'agree' },
      { keyId: reg.body.key.id, privateKey },
    );
    const pending = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.IN.token))
      .send(body)
      .expect(403);
    expect(pending.body.message).toMatch(/not confirmed yet/);
    await t.http().post(`/signing-keys/acts/${reg.body.act.id}/confirm`).set(bearer(admin1)).expect(200);
    const twice = await t.http().post(`/signing-keys/acts/${reg.body.act.id}/confirm`).set(bearer(admin1)).expect(403);
    expect(twice.body.message).toMatch(/Four-eyes/);
    const list = await t.http().get('/signing-keys/pending').set(bearer(admin2)).expect(200);
    expect(list.body.map((a: { id: string }) => a.id)).toContain(reg.body.act.id);
    await t.http().post(`/signing-keys/acts/${reg.body.act.id}/confirm`).set(bearer(admin2)).expect(200);
    await t.http().post(`/approvals/${id}/answer`).set(bearer(approvers.IN.token)).send(body).expect(200);
    // approvers do not confirm
    await t.http().post(`/signing-keys/acts/${reg.body.act.id}/confirm`).set(bearer(approvers.IN.token)).expect(403);
  });

  it('rotation signed with the old key, revocation by two administrators; the acts are kept and cannot be changed', async () => {
    const id = await atApproval();
    const old = await confirmedEd25519(approvers.RU.token);
    const next = generateKeyPairSync('ed25519');
    const rot = await t
      .http()
      .post('/signing-keys/ed25519')
      .set(bearer(approvers.RU.token))
      .send({ publicKey: next.publicKey.export({ format: 'pem', type: 'spki' }), replaces: old.keyId })
      .expect(201);
    const statement = rot.body.act.statement as KeyStatement;
    expect(statement).toMatchObject({ action: 'rotate', replaces: old.keyId, subject: approvers.RU.user.id });
    // a wrong signature is refused; the old key's signature over the act puts it in effect
    await t
      .http()
      .post(`/signing-keys/acts/${rot.body.act.id}/endorse`)
      .set(bearer(approvers.RU.token))
      .send({ keyId: old.keyId, type: 'ed25519', value: signText('something else', old.privateKey) })
      .expect(400);
    const endorsed = await t
      .http()
      .post(`/signing-keys/acts/${rot.body.act.id}/endorse`)
      .set(bearer(approvers.RU.token))
      .send({ keyId: old.keyId, type: 'ed25519', value: signText(canonicalStatement(statement), old.privateKey) })
      .expect(200);
    expect(endorsed.body.key.state).toBe('active');
    expect(endorsed.body.act.endorsedWith).toBe(old.keyId);
    const mine = await t.http().get('/signing-keys/mine').set(bearer(approvers.RU.token)).expect(200);
    expect(mine.body.keys.find((k: { id: string }) => k.id === old.keyId)).toMatchObject({
      state: 'revoked',
      revocationReason: 'rotated',
    });
    // the old key no longer signs
    const { body } = await signedAnswer(id, approvers.RU.token, { draftVersion: 1, kind: 'agree' }, old);
    const refused = await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(approvers.RU.token))
      .send(body)
      .expect(403);
    expect(refused.body.message).toMatch(/was revoked/);

    // an administrator revokes the new key (device lost); a second administrator confirms
    const newKeyId = rot.body.key.id as string;
    const rev = await t
      .http()
      .post(`/signing-keys/${newKeyId}/revoke`)
      .set(bearer(admin1))
      .send({ reason: 'device reported lost' })
      .expect(200);
    expect(rev.body.act).toMatchObject({ action: 'revoke', effective: false, reason: 'device reported lost' });
    await t.http().post(`/signing-keys/acts/${rev.body.act.id}/confirm`).set(bearer(admin1)).expect(403);
    const confirmed = await t
      .http()
      .post(`/signing-keys/acts/${rev.body.act.id}/confirm`)
      .set(bearer(admin2))
      .expect(200);
    expect(confirmed.body.key).toMatchObject({ state: 'revoked', revocationReason: 'device reported lost' });
    const audit = await t.http().get(`/signing-keys/users/${approvers.RU.user.id}`).set(bearer(admin2)).expect(200);
    expect(audit.body.acts.map((a: { action: string; effective: boolean }) => [a.action, a.effective])).toEqual([
      ['register', true],
      ['rotate', true],
      ['revoke', true],
    ]);
    await expect(t.dataSource.query(`UPDATE signing_key_record SET reason = 'edited'`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`DELETE FROM signing_key_record`)).rejects.toThrow(/append-only/);
  });

  it("member states' comments on a version are signed the same way; the Secretariat's are not", async () => {
    const id = await atApproval();
    const key = await confirmedEd25519(approvers.UZ.token);
    const comments = async () =>
      (
        await t.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM draft_comment c JOIN draft_document d ON d.id = c.document_id WHERE d.instance_id = $1`,
          [id],
        )
      )[0].n;
    const path = `/instances/${id}/draft/versions/1/comments`;
    const text = 'Article 1: say "SCO partner"';
    // unsigned: refused, nothing written
    const unsigned = await t.http().post(path).set(bearer(approvers.UZ.token)).send({ text }).expect(403);
    expect(unsigned.body.message).toMatch(/comments must be signed/);
    expect(await comments()).toBe(0);
    // signed over its statement: kept with the comment
    const st = await t.http().post(`${path}/statement`).set(bearer(approvers.UZ.token)).send({ text }).expect(200);
    expect(st.body.statement).toMatchObject({
      format: 'amendflow.comment-statement/1',
      memberState: 'UZ',
      text,
      article: null,
      draft: { version: 1 },
    });
    const signature = {
      keyId: key.keyId,
      type: 'ed25519',
      at: st.body.statement.at,
      value: signText(st.body.canonical, key.privateKey),
    };
    // the signature does not cover another text
    await t
      .http()
      .post(path)
      .set(bearer(approvers.UZ.token))
      .send({ text: `${text}!`, signature })
      .expect(400);
    expect(await comments()).toBe(0);
    await t.http().post(path).set(bearer(approvers.UZ.token)).send({ text, signature }).expect(201);
    const [row] = await t.dataSource.query<{ signature: StoredSignature }[]>(
      `SELECT c.signature FROM draft_comment c JOIN draft_document d ON d.id = c.document_id WHERE d.instance_id = $1`,
      [id],
    );
    expect(await verifyStoredSignature(row.signature)).toEqual({ valid: true });
    // used once
    const again = await t.http().post(path).set(bearer(approvers.UZ.token)).send({ text, signature }).expect(409);
    expect(again.body.message).toMatch(/used once/);
    // a legal officer comments for the Secretariat, unsigned
    await t
      .http()
      .post(path)
      .set(bearer(await tokenFor(t.app, officerUser)))
      .send({ text: 'Noted.' })
      .expect(201);
    expect(await comments()).toBe(2);
  });

  it('a passkey signs a circulation answer: registration and assertion checked like a browser ceremony', async () => {
    const officer = await tokenFor(t.app, officerUser);
    const reviewer = await tokenFor(t.app, reviewerUser);
    const res = await t
      .http()
      .post('/instances')
      .set(bearer(officer))
      .send({ definitionId: 'model-memorandum-amendment', input: { proposedBy: 'Secretariat', rationale: 'Comments' } })
      .expect(201);
    const id = res.body.instance.id as string;
    await send(id, officer, 'START_DRAFTING').expect(200);
    await t.http().post(`/instances/${id}/draft`).set(bearer(officer)).send({ source: 'model_memorandum' }).expect(201);
    await send(id, officer, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(200);
    await send(id, reviewer, 'APPROVE_REVIEW').expect(200);

    const origin = 'http://localhost:4321';
    const cred = softCredential('localhost', origin);
    const token = approvers.UZ.token;
    const options = await t
      .http()
      .post('/signing-keys/passkeys/options')
      .set(bearer(token))
      .set('Origin', origin)
      .expect(200);
    expect(options.body.rp).toMatchObject({ id: 'localhost' });
    // another origin is refused
    await t
      .http()
      .post('/signing-keys/passkeys')
      .set(bearer(token))
      .set('Origin', 'http://evil.example')
      .send({ response: cred.register(options.body.challenge) })
      .expect(400);
    const again = await t
      .http()
      .post('/signing-keys/passkeys/options')
      .set(bearer(token))
      .set('Origin', origin)
      .expect(200);
    const reg = await t
      .http()
      .post('/signing-keys/passkeys')
      .set(bearer(token))
      .set('Origin', origin)
      .send({ response: cred.register(again.body.challenge), label: 'laptop' })
      .expect(201);
    expect(reg.body.key).toMatchObject({ type: 'webauthn', state: 'pending', label: 'laptop' });
    await t.http().post(`/signing-keys/acts/${reg.body.act.id}/confirm`).set(bearer(admin1)).expect(200);
    await t.http().post(`/signing-keys/acts/${reg.body.act.id}/confirm`).set(bearer(admin2)).expect(200);

    const answer = { draftVersion: 1, kind: 'comments', text: 'Article 2: add the 2025 partner status.' };
    const st = await t.http().post(`/approvals/${id}/statement`).set(bearer(token)).send(answer).expect(200);
    expect(st.body.passkeys).toEqual([{ keyId: reg.body.key.id, credentialId: cred.credentialId }]);
    const signature = {
      keyId: reg.body.key.id,
      type: 'webauthn',
      at: st.body.statement.at,
      response: cred.assert(st.body.challenge),
    };
    await t
      .http()
      .post(`/approvals/${id}/answer`)
      .set(bearer(token))
      .send({ ...answer, signature })
      .expect(200);
    const matrix = await t.http().get(`/instances/${id}/approvals`).set(bearer(token)).expect(200);
    const uz = matrix.body.commentRounds[0].states.find((s: { memberState: string }) => s.memberState === 'UZ');
    expect(uz).toMatchObject({ answer: 'comments', signed: { keyType: 'webauthn', keyId: reg.body.key.id } });
    const [event] = await t.dataSource.query<{ signature: StoredSignature }[]>(
      `SELECT signature FROM workflow_event WHERE instance_id = $1 AND type = 'RESPOND'`,
      [id],
    );
    expect(await verifyStoredSignature(event.signature)).toEqual({ valid: true });
  });
});
