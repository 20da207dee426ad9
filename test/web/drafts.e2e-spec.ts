import type { Browser, Page } from 'playwright-core';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { launchBrowser, openRoute, sendEvent as send, SETUP_MS, shot, signInAs, TEST_MS } from './browser';

/** The page's global object, inside `page.evaluate` callbacks (this file is compiled without DOM typings). */
declare const window: unknown;

const SYSTEM = { id: 'system', role: 'system' as const, memberState: null, actingFor: null };
const RU_EDIT = ' и наблюдателей';
const ZH_FIX = '和观察员';
const COMMENT = 'Art. 1: say "SCO partner" <img src=x onerror="window.__xss=1">';

/**
 * Drafts, redlines, comments and notifications in the browser: a legal officer creates the
 * draft of a 1(c) procedure from the Regulation, saves a Russian-only edit (drift banner, the
 * machine refuses it), fixes the Chinese text, and sends it on; the approver of KZ reads the
 * redline, comments on an article and gets a reminder; the manager's dashboard reads
 * /monitoring/dashboard, and the manager extends a deadline and withdraws the procedure.
 */
describe('web application: drafts, redlines, notifications, monitoring (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let officer: TestUser;
  let reviewer: TestUser;
  let approver: TestUser;
  let manager: TestUser;
  let id: string;

  beforeAll(async () => {
    t = await createTestApp();
    [officer, reviewer, approver, manager] = await Promise.all([
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'approver', memberState: 'KZ' }),
      createUser(t.app, { role: 'manager' }),
    ]);
    browser = await launchBrowser();
    const res = await t
      .http()
      .post('/instances')
      .set(bearer(await tokenFor(t.app, officer)))
      .send({
        definitionId: 'regulation-amendment',
        input: { proposedBy: 'Secretariat', rationale: 'The 2025 SCO partner status' },
      })
      .expect(201);
    id = res.body.instance.id;
  }, SETUP_MS);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await t?.close();
  }, SETUP_MS);

  const procedure = (p: Page) => openRoute(p, t.url, `procedure/${id}`, 'procedure');
  const firstArticle = (p: Page) => p.locator('[data-testid=version-reader] [data-testid=article]').first();

  it(
    'officer: creates the draft, a Russian-only edit shows drift and is refused, the Chinese fix clears it',
    async () => {
      const off = await signInAs(browser, t.url, officer, 'procedures');
      await off.waitForSelector(`[data-testid=procedures] tr[data-id="${id}"]`); // my procedures
      await off.click('[data-testid=all-link]');
      await off.waitForSelector(`[data-page=procedures][data-ready] [data-testid=mine-link]`);
      await off.waitForSelector(`[data-testid=procedures] tr[data-id="${id}"]`); // every active one
      await procedure(off);
      await send(off, 'START_DRAFTING');

      // create the draft from the Regulation: version 1
      await off.selectOption('#draft-source', 'regulation');
      await off.click('[data-testid=create-draft] button[type=submit]');
      await off.waitForSelector(
        '[data-testid=draft-panel][data-latest="1"] [data-testid=version-reader][data-version="1"]',
      );
      expect(await off.inputValue('#ev-SUBMIT_FOR_REVIEW-draftVersion')).toBe('1');
      expect(await off.textContent('[data-testid=source-notice]')).toMatch(/NOT the authentic text/);
      const ru1 = await firstArticle(off).locator('[lang=ru].text').textContent();

      // version 2: Russian only -> the Chinese text of article 1 is out of date
      await off.click('[data-testid=edit-draft]');
      const editor = off.locator('[data-testid=article-editor] [data-index="0"]');
      await editor.locator('textarea[name=ru]').fill(`${ru1}${RU_EDIT}`);
      await off.fill('#draft-note', 'Observers, Russian text');
      await off.click('[data-testid=save-version]');
      await off.waitForSelector(
        '[data-testid=draft-panel][data-latest="2"] [data-testid=version-reader][data-version="2"]',
      );
      expect(await off.locator('[data-testid=drift-banner]').textContent()).toContain(
        'Russian and Chinese texts disagree',
      );
      expect(await firstArticle(off).getAttribute('data-drifted')).toBe('true');
      expect(
        await firstArticle(off).locator('[data-testid=lang-status][data-lang=zh]').getAttribute('data-status'),
      ).toBe('out_of_date');
      expect(
        await firstArticle(off).locator('[data-testid=lang-status][data-lang=en]').getAttribute('data-status'),
      ).toBe('possibly_stale');
      expect(await off.inputValue('#ev-SUBMIT_FOR_REVIEW-draftVersion')).toBe('2');
      await shot(off, '11-drift-banner');
      // the machine refuses to send a drifted version on
      await off.click('[data-testid=send-SUBMIT_FOR_REVIEW]');
      await off.waitForSelector('[data-event=SUBMIT_FOR_REVIEW] [data-testid=error]');

      // version 3: the Chinese text catches up, the banner goes
      await off.click('[data-testid=edit-draft]');
      const zh = editor.locator('textarea[name=zh]');
      await zh.fill(`${await zh.inputValue()}${ZH_FIX}`);
      await off.fill('#draft-note', 'Observers, Chinese text');
      await off.click('[data-testid=save-version]');
      await off.waitForSelector(
        '[data-testid=draft-panel][data-latest="3"] [data-testid=version-reader][data-version="3"]',
      );
      expect(await off.locator('[data-testid=drift-banner]').count()).toBe(0);
      expect(
        await firstArticle(off).locator('[data-testid=lang-status][data-lang=zh]').getAttribute('data-status'),
      ).toBe('current');
      expect(await off.locator('[data-testid=versions] tr[data-version]').count()).toBe(3);

      // the Secretariat comments on article 1; redline and comparison table of 2 -> 3; an export
      await firstArticle(off).locator('details.comment-form summary').click();
      await firstArticle(off).locator('textarea[name=comment]').fill('Secretariat: check the term');
      await firstArticle(off).locator('[data-testid=comment-form] button[type=submit]').click();
      await off.waitForSelector(
        '[data-testid=version-reader] [data-testid=article] [data-testid=comment-text]:text-is("Secretariat: check the term")',
      );
      await off.click('[data-testid=show-redline]');
      await off.waitForSelector('[data-testid=redline][data-from="2"][data-to="3"] [data-lang=zh] ins');
      await off.click('[data-testid=show-consolidation]');
      await off.waitForSelector('[data-testid=consolidation] tr[data-article]');
      await off.click('[data-testid=show-comparison]');
      await off.waitForSelector('[data-testid=comparison] tr[data-article]');
      const [file] = await Promise.all([
        off.waitForEvent('download'),
        off.click('[data-testid=versions] tr[data-version="3"] [data-testid=export-html]'),
      ]);
      expect(file.suggestedFilename()).toBe('draft-v3-ru.html');
      await shot(off, '12-comparison');

      // version 3 goes to review (draftVersion defaults to it); a second officer approves: circulation
      await send(off, 'SUBMIT_FOR_REVIEW');
      await t
        .http()
        .post(`/instances/${id}/events`)
        .set(bearer(await tokenFor(t.app, reviewer)))
        .send({ type: 'APPROVE_REVIEW', payload: {} })
        .expect(200);
      await off.close();
    },
    TEST_MS,
  );

  it(
    'approver: reads circulated version 3 (not the internal drafts before it), comments on an article, gets a reminder, answers',
    async () => {
      const app = await signInAs(browser, t.url, approver, 'inbox');
      const item = `[data-testid=inbox-item][data-id="${id}"]`;
      await app.click(`${item} [data-testid=open-draft]`);
      // version 3 is the first the member states see: its Chinese text carries the fix, and no
      // redline against the Secretariat's internal versions 1 and 2 is offered
      const zh = app.locator(`${item} [data-testid=version-reader][data-version="3"] .text[lang=zh]`);
      await zh.first().waitFor();
      expect((await zh.allTextContents()).join('')).toContain(ZH_FIX);
      const internal = await t
        .http()
        .get(`/instances/${id}/draft/diff?from=2&to=3`)
        .set(bearer(await tokenFor(t.app, approver)));
      expect(internal.status).toBe(404);
      expect(internal.body.message).toContain('has not been circulated to the member states');
      await app.locator(`${item} [data-testid=redline-box][data-state=none]`).waitFor({ state: 'attached' });
      expect(await app.locator(`${item} [data-testid=redline]`).count()).toBe(0);

      // a comment for KZ on article 1, with markup that stays text
      const article = app
        .locator(`${item} [data-testid=version-reader][data-version="3"] [data-testid=article]`)
        .first();
      await article.locator('details.comment-form summary').click();
      await article.locator('textarea[name=comment]').fill(COMMENT);
      await article.locator('[data-testid=comment-form] button[type=submit]').click();
      await app.waitForSelector(
        `${item} [data-testid=article] li:has(strong:text-is("KZ")) [data-testid=comment-text]`,
      );
      const texts = await app
        .locator(`${item} [data-testid=version-reader] [data-testid=article]`)
        .first()
        .locator('[data-testid=comment-text]')
        .allTextContents();
      // the Secretariat's own note on the article is its internal work: the approver sees the states' comments only
      expect(texts).toEqual([COMMENT]);
      expect(await app.locator(`${item} [data-testid=version-reader] img`).count()).toBe(0);
      expect(await app.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
      await shot(app, '13-approver-redline');

      // a reminder reaches KZ: the badge counts it, the list shows it, reading clears it
      await app.waitForSelector('[data-testid=unread-count][data-count="0"]', { state: 'hidden' });
      await t.app.get(WorkflowEngine).apply({
        instanceId: id,
        type: 'REMINDER',
        payload: { deadlineKey: 'circulation', daysBefore: 7 },
        actor: SYSTEM,
      });
      await t.app.get(OutboxRelay).drain();
      await openRoute(app, t.url, 'inbox', 'inbox');
      await app.waitForSelector('[data-testid=unread-count][data-count="1"]:not([hidden])');
      await app.click('[data-testid=notifications-link]');
      await app.waitForSelector('[data-page=notifications][data-ready] [data-testid=notifications] li.unread');
      expect(await app.locator('[data-testid=notification-subject]').first().textContent()).toContain(
        'due in 7 day(s)',
      );
      await shot(app, '14-notifications');
      await app.click('[data-testid=read-all]');
      await app.waitForSelector('[data-testid=notifications] li.read');
      await app.waitForSelector('[data-testid=unread-count][data-count="0"]', { state: 'attached' });
      expect(await app.isHidden('[data-testid=unread-count]')).toBe(true);

      // answer the circulation for KZ
      await openRoute(app, t.url, 'inbox', 'inbox');
      const form = `[data-testid=answer-form][data-id="${id}"]`;
      await app.selectOption(`${form} select[name=kind]`, 'comments');
      await app.fill(`${form} textarea[name=text]`, 'See our comment on article 1');
      await app.click(`${form} button[type=submit]`);
      await app.waitForSelector('[data-page=history][data-ready] [data-testid=answer-text]');
      await app.close();
    },
    TEST_MS,
  );

  it(
    'manager: dashboard from /monitoring/dashboard with filters and stage times; extends a deadline; withdraws',
    async () => {
      const asked: string[] = [];
      const fixture = {
        generatedAt: new Date().toISOString(),
        totals: { active: 1, done: 4, overdue: 1, dueThisWeek: 0 },
        byProcedure: [
          {
            definitionId: 'regulation-amendment',
            measure: '1(c)',
            title: { en: 'Regulation', ru: 'Положение', zh: '条例' },
            active: 1,
            done: 4,
            overdue: 1,
            stages: [
              {
                state: 'circulation',
                status: 'active',
                label: { en: 'Circulated', ru: 'Рассылка', zh: '分发' },
                count: 1,
                overdue: 1,
              },
              { state: 'adopted', status: 'done', label: null, count: 4, overdue: 0 },
            ],
          },
        ],
        holdingUp: [{ memberState: 'CN', items: 1, oldestSince: new Date().toISOString(), days: 3, instanceIds: [id] }],
        stageDurations: [
          {
            definitionId: 'regulation-amendment',
            state: 'legal_review',
            label: { en: 'Internal legal review', ru: 'Экспертиза', zh: '审查' },
            averageDays: 4.5,
            samples: 2,
          },
        ],
        overdueItems: [
          {
            instanceId: id,
            definitionId: 'regulation-amendment',
            subject: 'Regulation <b>x</b>',
            state: 'circulation',
            deadlineKey: 'circulation',
            label: { en: 'Circulation', ru: 'Рассылка', zh: '分发' },
            dueAt: new Date().toISOString(),
            daysOverdue: 2,
          },
        ],
        dueThisWeekItems: [],
      };
      const man = await signInAs(browser, t.url, manager, 'dashboard', (ctx) =>
        ctx.route('**/monitoring/dashboard**', (route) => {
          asked.push(route.request().url());
          return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(fixture) });
        }),
      );
      await man.waitForSelector('[data-page=dashboard][data-source=monitoring][data-ready]');
      expect(
        await man.textContent('[data-testid=stage-durations] tr[data-state=legal_review] [data-testid=average-days]'),
      ).toBe('4.5');
      expect(await man.locator('[data-testid=holding] tr[data-state=CN]').count()).toBe(1);
      expect(await man.textContent(`[data-testid=overdue-items] tr[data-id="${id}"] td:nth-child(3)`)).toBe(
        'Regulation <b>x</b>',
      );
      expect(await man.textContent('[data-testid=done-count]')).toBe('4');
      expect(
        await man
          .locator('[data-testid=by-stage] tr[data-state]')
          .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { state: string } }).dataset.state)),
      ).toEqual(['circulation']);
      await man.selectOption('[data-testid=filter-definition]', 'regulation-amendment');
      await man.waitForSelector('[data-page=dashboard][data-ready] [data-testid=filter-definition]');
      expect(asked.at(-1)).toContain('definition=regulation-amendment');
      expect(await man.inputValue('[data-testid=filter-definition]')).toBe('regulation-amendment');
      await shot(man, '15-dashboard-monitoring');

      // extend the circulation deadline, then withdraw with a reason
      await procedure(man);
      const extend = '[data-testid=extend-circulation]';
      await man.fill(`${extend} input[name=dueAt]`, '2030-01-15T10:00');
      await man.fill(`${extend} input[name=reason]`, 'Holidays in several member states');
      await man.click(`${extend} button[type=submit]`);
      await man.waitForSelector('[data-testid=deadlines] tr[data-key=circulation] td:has-text("2030-01-15")');
      await send(man, 'WITHDRAW', { reason: 'Superseded by the 2025 reform' });
      await man.waitForSelector('[data-testid=current-stage][data-state=withdrawn]');
      await shot(man, '16-withdrawn');
      await man.close();
    },
    TEST_MS,
  );
});
