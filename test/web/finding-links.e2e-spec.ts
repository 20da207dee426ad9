import type { Browser } from 'playwright-core';
import type { Actor } from '../../workflows/kernel/types';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { createUser, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { launchBrowser, openRoute, SETUP_MS, shot, signInAs, TEST_MS } from './browser';

const FINDING = 'Art. 5 <b>is not</b> applied';

/**
 * The procedure page shows the 1(a) findings linked to a procedure, on both sides: the 1(e) names
 * the finding and its analysis, the analysis names the 1(e). The finding's text stays text.
 */
describe('finding links on the procedure page (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let officer: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createUser(t.app, { role: 'legal_officer' });
    browser = await launchBrowser();
  }, SETUP_MS);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await t?.close();
  }, SETUP_MS);

  it(
    'a finding linked from the analysis is shown on the 1(e) page and on the analysis page',
    async () => {
      const engine = t.app.get(WorkflowEngine);
      const actor: Actor = { id: officer.id, role: 'legal_officer', memberState: null, actingFor: null };
      const due = new Date(t.clock.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
      const analysis = (
        await engine.start({ definitionId: 'implementation-analysis', input: { title: 'Analysis' }, actor })
      ).instanceId;
      await engine.apply({
        instanceId: analysis,
        type: 'SCOPE',
        payload: {
          criteria: ['Obligations'],
          memoranda: ['mem-EG'],
          assignments: [{ memorandumId: 'mem-EG', assignee: officer.id, dueAt: due }],
        },
        actor,
      });
      await engine.apply({
        instanceId: analysis,
        type: 'ASSESSMENT_SUBMITTED',
        payload: {
          memorandumId: 'mem-EG',
          findings: [{ id: 'F-EG', text: FINDING, severity: 'high', suggestedMeasure: '1(e)' }],
        },
        actor,
      });
      const amendment = (
        await engine.start({
          definitionId: 'memorandum-amendment',
          input: { partner: 'EG', memorandumId: 'mem-EG' },
          actor,
        })
      ).instanceId;
      await engine.linkFinding({
        analysisId: analysis,
        findingId: 'F-EG',
        procedureId: amendment,
        from: 'analysis',
        actor,
      });

      const page = await signInAs(browser, t.url, officer, 'procedures');
      await openRoute(page, t.url, `procedure/${amendment}`, 'procedure');
      const onAmendment = page.locator('[data-testid=finding-links]');
      expect(await onAmendment.locator('td').first().textContent()).toBe(`F-EG: ${FINDING}`);
      expect(await onAmendment.locator('b').count()).toBe(0);
      expect(await onAmendment.locator(`a[href*="${analysis}"]`).count()).toBe(1);
      await shot(page, 'finding-links-1e');

      await openRoute(page, t.url, `procedure/${analysis}`, 'procedure');
      expect(await page.locator(`[data-testid=finding-links] a[href*="${amendment}"]`).count()).toBe(1);
    },
    TEST_MS,
  );
});
