import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { largeArticles } from '../documents/draft-fixtures';
import { launchBrowser, openRoute, SETUP_MS, shot, signInAs, TEST_MS } from './browser';

/** Every state and progress the page's export indicator showed, in order (installed in the page). */
const WATCH_INDICATOR = `(() => {
  const seen = [];
  window.__exportSeen = seen;
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid=export-progress]:not([hidden])');
    if (!el) return;
    const last = seen[seen.length - 1];
    const now = el.dataset.state + ':' + el.dataset.progress;
    if (last !== now) seen.push(now);
  }).observe(document.body, { subtree: true, attributes: true, childList: true });
})()`;

/**
 * A large version exported as PDF from the procedure page: the page requests the export, shows
 * its progress while the server renders it (polling its status), then downloads the file.
 */
describe('web application: export of a large document with a progress indicator (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let officer: TestUser;
  let id: string;
  let version: number;

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createUser(t.app, { role: 'legal_officer' });
    browser = await launchBrowser();
    const auth = bearer(await tokenFor(t.app, officer));
    const http = () => t.http();
    id = (
      await http()
        .post('/instances')
        .set(auth)
        .send({
          definitionId: 'regulation-amendment',
          input: { proposedBy: 'Secretariat', rationale: 'The 2025 SCO partner status' },
        })
        .expect(201)
    ).body.instance.id;
    await http().post(`/instances/${id}/events`).set(auth).send({ type: 'START_DRAFTING', payload: {} }).expect(200);
    await http()
      .post(`/instances/${id}/draft`)
      .set(auth)
      .send({ source: 'blank', title: { en: 'A long draft', ru: 'Длинный проект', zh: '长草案' } })
      .expect(201);
    version = (
      await http()
        .post(`/instances/${id}/draft/versions`)
        .set(auth)
        .send({ note: 'Every article, at length', articles: largeArticles() })
        .expect(201)
    ).body.number as number;
  }, SETUP_MS);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await t?.close();
  }, SETUP_MS);

  it(
    'shows the progress of the render, then downloads the PDF',
    async () => {
      const p = await signInAs(browser, t.url, officer, 'procedures');
      await openRoute(p, t.url, `procedure/${id}`, 'procedure');
      const row = p.locator(`[data-testid=versions] tr[data-version="${version}"]`);
      const indicator = row.locator('span.export:has([data-testid=export-pdf]) [data-testid=export-progress]');
      expect(await indicator.isHidden()).toBe(true);
      await p.evaluate(WATCH_INDICATOR);

      const downloaded = p.waitForEvent('download');
      await row.locator('[data-testid=export-pdf]').click();
      // the indicator appears as soon as the export is accepted, before the file exists
      await indicator.waitFor({ state: 'visible' });
      expect(['queued', 'running']).toContain(await indicator.getAttribute('data-state'));
      const file = await downloaded;
      expect(file.suggestedFilename()).toBe(`draft-v${version}-ru.pdf`);
      const saved = await file.path();
      expect(readFileSync(saved).subarray(0, 4).toString('latin1')).toBe('%PDF');

      await p.waitForSelector('[data-testid=export-progress][data-state=done][data-progress="100"]');
      expect(await indicator.textContent()).toContain(file.suggestedFilename());
      const seen = await p.evaluate<string[]>('window.__exportSeen');
      // it was seen rendering part-way, and never went backwards
      expect(seen.some((s) => /^running:([1-9]|[1-9]\d)$/.test(s))).toBe(true);
      const progress = seen.map((s) => Number(s.split(':')[1]));
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      await shot(p, '30-export-progress');
      await p.context().close();
    },
    TEST_MS,
  );
});
