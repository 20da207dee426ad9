import type { Browser, CDPSession } from 'playwright-core';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { verifyStoredSignature, type StoredSignature } from '../../src/evidence/signed-statement';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { launchBrowser, openRoute, SETUP_MS, shot, signInAs, TEST_MS } from './browser';

const SYSTEM = { id: 'system', role: 'system' as const, memberState: null, actingFor: null };
const RESERVATION = 'Статья 4 толкуется в соответствии с Хартией';

/**
 * Signed answers in the browser, with signing required: the approver of KZ registers a passkey in
 * the desk (a real WebAuthn ceremony with Chromium's virtual authenticator, driven through the
 * DevTools WebAuthn domain), two administrators confirm it, and the approver answers a round: the
 * page shows the statement in plain words in Russian, one prompt signs it, and the matrix shows
 * the answer as signed. An approver without a passkey is told to register one, and nothing is
 * written.
 */
describe('web application: signed answers with a passkey (Chromium virtual authenticator)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let officer: TestUser;
  let reviewer: TestUser;
  let kz: TestUser;
  let cn: TestUser;
  let admin1: TestUser;
  let admin2: TestUser;
  let id: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { ANSWER_SIGNING: 'required' } });
    // WebAuthn needs a host name for the relying party: localhost, not an address
    base = t.url.replace('127.0.0.1', 'localhost');
    [officer, reviewer, kz, cn, admin1, admin2] = await Promise.all([
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'approver', memberState: 'KZ' }),
      createUser(t.app, { role: 'approver', memberState: 'CN' }),
      createUser(t.app, { role: 'admin' }),
      createUser(t.app, { role: 'admin' }),
    ]);
    browser = await launchBrowser();
    const o = await tokenFor(t.app, officer);
    const res = await t
      .http()
      .post('/instances')
      .set(bearer(o))
      .send({ definitionId: 'model-memorandum-amendment', input: { proposedBy: 'Secretariat', rationale: 'Passkeys' } })
      .expect(201);
    id = res.body.instance.id;
    const send = (token: string, type: string, payload: object = {}) =>
      t.http().post(`/instances/${id}/events`).set(bearer(token)).send({ type, payload }).expect(200);
    await send(o, 'START_DRAFTING');
    await t.http().post(`/instances/${id}/draft`).set(bearer(o)).send({ source: 'model_memorandum' }).expect(201);
    await send(o, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 });
    await send(await tokenFor(t.app, reviewer), 'APPROVE_REVIEW');
    await t.app
      .get(WorkflowEngine)
      .apply({ instanceId: id, type: 'DEADLINE_PASSED', payload: { deadlineKey: 'circulation' }, actor: SYSTEM });
    await send(o, 'SUBMIT_TO_COORDINATORS', { draftVersion: 1 });
  }, SETUP_MS);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await t?.close();
  }, SETUP_MS);

  const eventCount = async () =>
    (
      await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM workflow_event WHERE instance_id = $1`,
        [id],
      )
    )[0].n;

  /** A virtual platform authenticator (Chromium's DevTools WebAuthn domain) that verifies the user. */
  function addAuthenticator(cdp: CDPSession) {
    return cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  }

  it(
    'registers a passkey in the desk, signs an answer with one prompt, and the matrix shows it signed',
    async () => {
      const p = await signInAs(browser, base, kz, 'inbox');
      const cdp = await p.context().newCDPSession(p);
      await cdp.send('WebAuthn.enable');
      let { authenticatorId } = await addAuthenticator(cdp);

      // registration: the desk's ceremony; the key waits for two administrators
      await openRoute(p, base, 'keys', 'keys');
      await p.fill('[data-testid=register-passkey] input[name=label]', 'desk laptop');
      await p.click('[data-testid=register-passkey] button[type=submit]');
      await p.waitForSelector('[data-page=keys][data-ready] [data-testid=my-keys] tr[data-state=pending]');
      const creds = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(creds.credentials).toHaveLength(1);
      const [pending] = (
        await t
          .http()
          .get('/signing-keys/pending')
          .set(bearer(await tokenFor(t.app, admin1)))
          .expect(200)
      ).body as { id: string }[];
      await t
        .http()
        .post(`/signing-keys/acts/${pending.id}/confirm`)
        .set(bearer(await tokenFor(t.app, admin1)))
        .expect(200);
      await t
        .http()
        .post(`/signing-keys/acts/${pending.id}/confirm`)
        .set(bearer(await tokenFor(t.app, admin2)))
        .expect(200);
      await openRoute(p, base, 'keys', 'keys');
      await p.waitForSelector('[data-testid=my-keys] tr[data-state=active]');
      await shot(p, '30-passkey-registered');

      // a second passkey, put in effect by the approver's first one (one prompt), no administrator.
      // A second device: an authenticator holds one credential per account, so the first one's
      // credential is carried over to a new virtual authenticator after it registers.
      const [first] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      ({ authenticatorId } = await addAuthenticator(cdp));
      await p.fill('[data-testid=register-passkey] input[name=label]', 'second device');
      await p.click('[data-testid=register-passkey] button[type=submit]');
      await p.waitForSelector('[data-page=keys][data-ready] [data-testid=my-keys] tr[data-state=pending]');
      // kept as a non-discoverable credential: the new one is this account's discoverable one
      await cdp.send('WebAuthn.addCredential', {
        authenticatorId,
        credential: {
          credentialId: first.credentialId,
          isResidentCredential: false,
          rpId: first.rpId,
          privateKey: first.privateKey,
          signCount: first.signCount,
        },
      });
      await p.click('[data-testid=my-keys] tr[data-state=pending] [data-testid=endorse-act] button[type=submit]');
      await p.waitForSelector('[data-page=keys][data-ready] [data-testid=my-keys] tr[data-state=active] >> nth=1');
      expect(await p.locator('[data-testid=my-keys] tr[data-state=pending]').count()).toBe(0);
      const second = await t.dataSource.query<{ endorsement: StoredSignature }[]>(
        `SELECT endorsement FROM signing_key_record WHERE user_id = $1 AND action = 'confirm' AND endorsement IS NOT NULL`,
        [kz.id],
      );
      expect(second).toHaveLength(1);
      expect(await verifyStoredSignature(second[0].endorsement)).toEqual({ valid: true });
      expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(2);

      // a comment on the version, signed the same way
      await openRoute(p, base, 'inbox', 'inbox');
      await p.click(`[data-testid=inbox-item][data-id="${id}"] [data-testid=open-draft]`);
      const general = p.locator('[data-testid=general-comments]');
      await general.locator('details.comment-form summary').click();
      await general.locator('textarea[name=comment]').fill('Preamble: name the 2025 SCO partner status.');
      await general.locator('[data-testid=comment-form] button[type=submit]').click();
      await general.locator('[data-testid=statement]').waitFor();
      expect(await general.locator('[data-testid=statement-what]').textContent()).toContain(
        'comments on version 1 of the draft as a whole',
      );
      await general.locator('[data-testid=sign-and-send]').click();
      await p.locator('[data-testid=general-comments] [data-testid=comment-text]', { hasText: 'Preamble' }).waitFor();
      const [comment] = await t.dataSource.query<{ signature: StoredSignature }[]>(
        `SELECT c.signature FROM draft_comment c JOIN draft_document d ON d.id = c.document_id WHERE d.instance_id = $1`,
        [id],
      );
      expect(comment.signature.signature.type).toBe('webauthn');
      expect(await verifyStoredSignature(comment.signature)).toEqual({ valid: true });

      // the answer, reviewed in Russian, signed with one prompt
      await p.selectOption('[data-testid=lang]', 'ru');
      await openRoute(p, base, 'inbox', 'inbox');
      const form = `[data-testid=answer-form][data-id="${id}"]`;
      await p.selectOption(`${form} select[name=kind]`, 'agree_with_reservation');
      await p.fill(`${form} textarea[name=text]`, RESERVATION);
      await p.click(`${form} button[type=submit]`);
      const statement = p.locator(`${form} [data-testid=statement]`);
      await statement.waitFor();
      const what = await statement.locator('[data-testid=statement-what]').textContent();
      expect(what).toContain('от имени государства KZ');
      expect(what).toContain('позицию «Согласны с оговоркой» по версии 1');
      expect(await statement.locator('[data-testid=statement-text]').textContent()).toContain(RESERVATION);
      const draftHash = await statement.getAttribute('data-hash');
      expect(draftHash).toMatch(/^[0-9a-f]{64}$/);
      expect(await statement.textContent()).toContain(draftHash);
      await shot(p, '31-statement-ru');
      await p.click(`${form} [data-testid=sign-and-send]`);
      await p.waitForSelector('[data-page=history][data-ready] [data-testid=answer-text]');
      const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(after.credentials.some((c) => c.signCount >= 1)).toBe(true);

      // stored with the event, and valid offline
      const [event] = await t.dataSource.query<{ signature: StoredSignature }[]>(
        `SELECT signature FROM workflow_event WHERE instance_id = $1 AND type = 'POSITION'`,
        [id],
      );
      expect(event.signature.signature.type).toBe('webauthn');
      expect(event.signature.key).toMatchObject({ type: 'webauthn', rpId: 'localhost', origins: [base] });
      expect(event.signature.statement).toMatchObject({
        memberState: 'KZ',
        signer: kz.id,
        text: RESERVATION,
        draft: { version: 1, sha256: draftHash },
      });
      expect(await verifyStoredSignature(event.signature)).toEqual({ valid: true });

      // the matrix shows it signed
      await openRoute(p, base, `procedure/${id}`, 'procedure');
      const row = p.locator('tr[data-state=KZ] [data-testid=signed][data-key-type=webauthn]');
      await row.waitFor();
      await shot(p, '32-matrix-signed');
      await p.context().close();
    },
    TEST_MS,
  );

  it(
    'an approver without a passkey is told to register one, and nothing is written',
    async () => {
      const before = await eventCount();
      const p = await signInAs(browser, base, cn, 'inbox');
      const form = `[data-testid=answer-form][data-id="${id}"]`;
      await p.selectOption(`${form} select[name=kind]`, 'agree');
      await p.click(`${form} button[type=submit]`);
      await p.waitForSelector(`${form} [data-testid=need-passkey]`);
      expect(await eventCount()).toBe(before);
      await p.context().close();
    },
    TEST_MS,
  );
});
