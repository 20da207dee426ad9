import type { Browser, Page } from 'playwright-core';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { draftUpTo } from '../support/drafts';
import { launchBrowser, openRoute, sendEvent as send, SETUP_MS, shot, signInAs, TEST_MS } from './browser';

/** The page's global object, inside `page.evaluate` callbacks (this file is compiled without DOM typings). */
declare const window: unknown;

const XSS = 'Art. 3 breaks the consensus rule <script>window.__xss=1</script>';
const SYSTEM = { id: 'system', role: 'system' as const, memberState: null, actingFor: null };

/**
 * The web application in a real browser (Debian's Chromium) against the real service: a legal
 * officer starts a 1(d) procedure and drives it to the coordinators, a member state objects, the
 * manager sees who objects and who holds up, and the procedure page draws the diagram.
 */
describe('web application (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let officer: TestUser;
  let reviewer: TestUser;
  let approver: TestUser;
  let manager: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    [officer, reviewer, approver, manager] = await Promise.all([
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'approver', memberState: 'KZ' }),
      createUser(t.app, { role: 'manager' }),
    ]);
    browser = await launchBrowser();
  }, SETUP_MS);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await t?.close();
  }, SETUP_MS);

  const signIn = (user: TestUser, page: string) => signInAs(browser, t.url, user, page);
  const openProcedure = (p: Page, id: string) => openRoute(p, t.url, `procedure/${id}`, 'procedure');

  it('serves the application and keeps the API protected', async () => {
    const root = await t.http().get('/').expect(302);
    expect(root.headers.location).toBe('/app/');
    const index = await t.http().get('/app/').expect(200);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    await t.http().get('/app/..%2Fpackage.json').expect(404);
    await t.http().get('/instances').expect(401);
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toContain('amendflow_deadlines_overdue');
  });

  it(
    'officer → reviewer → coordinators; an approver objects; the manager sees it; the diagram shows the stage',
    async () => {
      // the legal officer starts a 1(d) procedure in the browser
      const off = await signIn(officer, 'procedures');
      await off.click('[data-testid=start-link]');
      await off.waitForSelector('[data-page=start][data-ready]');
      await off.selectOption('#definition', 'model-memorandum-amendment');
      await off.fill('#input-proposedBy', 'Secretariat');
      await off.fill('#input-rationale', 'The 2025 SCO partner status');
      await shot(off, '01-start');
      await off.click('[data-testid=start-form] button[type=submit]');
      await off.waitForSelector('[data-page=procedure][data-ready]');
      const id = decodeURIComponent(new URL(off.url()).hash.split('/')[2]);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await send(off, 'START_DRAFTING');
      const author = { id: officer.id, role: officer.role, memberState: null, actingFor: null };
      await draftUpTo(t.app, id, author, 1);
      await send(off, 'SUBMIT_FOR_REVIEW', { draftVersion: '1' });

      // four eyes: a second legal officer approves the review
      const rev = await signIn(reviewer, 'procedures');
      await openProcedure(rev, id);
      await send(rev, 'APPROVE_REVIEW');
      await shot(rev, '02-review-approved');

      // the circulation period ends (the scheduler's event), then the officer submits to the coordinators
      await t.app
        .get(WorkflowEngine)
        .apply({ instanceId: id, type: 'DEADLINE_PASSED', payload: { deadlineKey: 'circulation' }, actor: SYSTEM });
      await openProcedure(off, id);
      await send(off, 'SUBMIT_TO_COORDINATORS', { draftVersion: '1' });
      await shot(off, '03-at-coordinators');

      // a second procedure waits for every state: the dashboard shows who holds it up
      const token = await tokenFor(t.app, officer);
      const other = (
        await t
          .http()
          .post('/instances')
          .set(bearer(token))
          .send({
            definitionId: 'model-memorandum-amendment',
            input: { proposedBy: 'Secretariat', rationale: 'Second' },
          })
          .expect(201)
      ).body.instance.id;
      await draftUpTo(t.app, other, author, 1);
      for (const [type, payload, who] of [
        ['START_DRAFTING', {}, officer],
        ['SUBMIT_FOR_REVIEW', { draftVersion: 1 }, officer],
        ['APPROVE_REVIEW', {}, reviewer],
      ] as const)
        await t
          .http()
          .post(`/instances/${other}/events`)
          .set(bearer(await tokenFor(t.app, who)))
          .send({ type, payload })
          .expect(200);
      await t.app
        .get(WorkflowEngine)
        .apply({ instanceId: other, type: 'DEADLINE_PASSED', payload: { deadlineKey: 'circulation' }, actor: SYSTEM });
      await t
        .http()
        .post(`/instances/${other}/events`)
        .set(bearer(await tokenFor(t.app, officer)))
        .send({ type: 'SUBMIT_TO_COORDINATORS', payload: { draftVersion: 1 } })
        .expect(200);

      // the approver of KZ objects with a reason that carries markup: it stays text
      const app = await signIn(approver, 'inbox');
      const form = `[data-testid=answer-form][data-id="${id}"]`;
      await app.waitForSelector(form);
      await app.selectOption(`${form} select[name=kind]`, 'object');
      await app.fill(`${form} textarea[name=text]`, XSS);
      await shot(app, '04-inbox');
      await app.click(`${form} button[type=submit]`);
      await app.waitForSelector('[data-page=history][data-ready]');
      const answer = app.locator('[data-testid=answer-text]').first();
      expect(await answer.textContent()).toBe(XSS);
      expect(await app.locator('[data-testid=history] script').count()).toBe(0);
      expect(await app.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
      await shot(app, '05-history');

      // the manager's dashboard (GET /monitoring/dashboard): the item, the objecting state, the
      // states holding up the other one
      const man = await signIn(manager, 'dashboard');
      await man.waitForSelector('[data-page=dashboard][data-source=monitoring][data-ready]');
      await man.waitForSelector(`[data-testid=all-procedures] tr[data-id="${id}"]`);
      const objection = man.locator('[data-testid=objections] tr[data-state=KZ]');
      expect(await objection.count()).toBe(1);
      expect(await objection.locator('td.text').textContent()).toBe(XSS);
      expect(await man.locator('[data-testid=holding] tr[data-state=CN]').count()).toBe(1);
      expect(await man.locator('[data-testid=holding] tr[data-state=KZ]').count()).toBe(1);
      expect(await man.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
      await shot(man, '06-dashboard');
      await man.selectOption('[data-testid=lang]', 'ru');
      await man.waitForSelector('[data-page=dashboard][data-ready] h1:text-is("Сводка")');
      await man.selectOption('[data-testid=lang]', 'en');
      await man.waitForSelector('[data-page=dashboard][data-ready] h1:text-is("Dashboard")');

      // drill down into the procedure: Mermaid diagram with the current stage highlighted
      await man.click(`[data-testid=all-procedures] tr[data-id="${id}"] a`);
      await man.waitForSelector('[data-page=procedure][data-ready] [data-testid=diagram][data-rendered] svg');
      const view = (
        await t
          .http()
          .get(`/instances/${id}`)
          .set(bearer(await tokenFor(t.app, manager)))
          .expect(200)
      ).body;
      expect(await man.getAttribute('[data-testid=diagram]', 'data-current')).toBe(view.state);
      const current = man.locator('[data-testid=diagram] svg g.node.current');
      expect(await current.count()).toBeGreaterThanOrEqual(1);
      const labels = (await current.allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
      expect(labels).toContain(
        view.stages[view.stages.length - 1].label.en
          .replace(/["'`<>&#;{}[\]()|\\]/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      );
      await man.waitForSelector('[data-testid=matrix] tr[data-state=KZ] td.pos-object');
      await shot(man, '07-procedure');
    },
    TEST_MS,
  );
});
