/**
 * The unread badge in a real browser (Debian's Chromium) follows new notifications without a
 * reload: the page holds a Server-Sent Events stream on one API process while the event that
 * notifies the reader is applied by another process sharing the database and Redis (pub/sub).
 * Then the list's filters and "mark all read" bring the badge back to zero.
 */
import type { Browser, Page } from 'playwright-core';
import type { Actor } from '../../workflows/kernel/types';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { createUser, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { draftUpTo } from '../support/drafts';
import { launchBrowser, SETUP_MS, shot, signInAs, STEP_MS, TEST_MS } from './browser';

process.env.RECONCILE_EVERY_MS = '0';

/** The page's global object, inside `page.evaluate` callbacks (this file is compiled without DOM typings). */
declare const window: { __loadedOnce?: boolean; location: { hash: string } };

const actor = (u: TestUser): Actor => ({ id: u.id, role: u.role, memberState: u.memberState, actingFor: null });

describe('web desk: the unread badge changes live', () => {
  let t: TestApp;
  let other: TestApp;
  let browser: Browser;
  let drafter: TestUser, reviewer: TestUser, kz: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    // a second API process on the same database and Redis (no workers of its own)
    other = await createTestApp({
      databaseUrl: t.databaseUrl,
      env: { REDIS_PREFIX: t.redisPrefix, WORKERS_IN_PROCESS: 'false' },
    });
    [drafter, reviewer, kz] = await Promise.all([
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'approver', memberState: 'KZ' }),
    ]);
    browser = await launchBrowser();
  }, SETUP_MS);
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await other?.close(); // the second process first: the first one owns the database
    await t?.close();
  });

  const badge = (p: Page, n: number) =>
    p.waitForSelector(`[data-testid=unread-count][data-count="${n}"]`, { state: 'attached', timeout: STEP_MS });

  it(
    'a circulation applied on another process raises the badge without reload; mark all read clears it',
    async () => {
      const p = await signInAs(browser, t.url, kz, 'inbox');
      await badge(p, 0);
      await p.evaluate(() => {
        window.__loadedOnce = true;
      });

      // the other process applies the events; its relay stores the notification and publishes
      const engine = other.app.get(WorkflowEngine);
      const { instanceId } = await engine.start({
        definitionId: 'model-memorandum-amendment',
        input: { proposedBy: 'Secretariat', rationale: 'Partner status' },
        actor: actor(drafter),
      });
      await engine.apply({ instanceId, type: 'START_DRAFTING', payload: {}, actor: actor(drafter) });
      await draftUpTo(other.app, instanceId, actor(drafter), 1);
      await engine.apply({
        instanceId,
        type: 'SUBMIT_FOR_REVIEW',
        payload: { draftVersion: 1 },
        actor: actor(drafter),
      });
      await engine.apply({ instanceId, type: 'APPROVE_REVIEW', payload: {}, actor: actor(reviewer) });
      await other.app.get(OutboxRelay).drain();

      await badge(p, 1);
      expect(await p.evaluate(() => window.__loadedOnce === true)).toBe(true); // the same page: no reload
      await shot(p, 'notifications-live-badge');

      // the list: filtered by topic, then every one marked read
      await p.click('[data-testid=notifications-link]');
      await p.waitForSelector(
        '[data-page=notifications][data-ready] [data-testid=notifications] li[data-topic=version_circulated]',
      );
      await p.selectOption('[data-testid=filter-topic]', 'reminder');
      await p.waitForSelector('[data-testid=notifications-empty]');
      await p.selectOption('[data-testid=filter-topic]', 'version_circulated');
      await p.check('[data-testid=filter-unread]');
      await p.waitForSelector('[data-testid=notifications] li.unread[data-topic=version_circulated]');
      await p.click('[data-testid=read-all]');
      await badge(p, 0);
      await p.waitForSelector('[data-testid=notifications-empty]'); // unread only: none left
      expect(await p.evaluate(() => window.__loadedOnce === true)).toBe(true);
      await shot(p, 'notifications-live-read');
    },
    TEST_MS,
  );
});
