import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { WEB_DIST } from '../../src/web/web.controller';
import type { TestUser } from '../support/auth';

/** Where the browser tests put their screenshots. */
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'web');

/**
 * Budgets of the browser tests. They hold on a machine kept busy (load average 10+ on 2 cores):
 * every step waits for what the page shows, for up to STEP_MS, and a test may take TEST_MS.
 */
export const STEP_MS = 60_000;
export const TEST_MS = 300_000;
/** Starting the service and the browser (migrations, password hashing, Chromium) before the tests. */
export const SETUP_MS = 180_000;

const CLIENT = path.join(__dirname, '..', '..', 'src', 'web', 'client');

/** The newest modification time under `dir` (the web application's sources). */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const full = path.join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }, 0);
}

/** Builds the web application when it is missing or older than its sources. */
export function buildWebApp(): void {
  const bundle = path.join(WEB_DIST, 'app.js');
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(CLIENT)) return;
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'src', 'web', 'build-client.js')], {
    stdio: 'inherit',
  });
}

/** Builds the web application if needed and starts Debian's Chromium (a new temporary profile per run). */
export async function launchBrowser(): Promise<Browser> {
  buildWebApp();
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    timeout: STEP_MS,
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A new browser context signed in as `user`, waiting for its home page `page` to be ready.
 * `setup` runs on the context before the first request (e.g. to stub a route).
 */
export async function signInAs(
  browser: Browser,
  baseUrl: string,
  user: TestUser,
  page: string,
  setup?: (ctx: BrowserContext) => Promise<unknown>,
): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
  if (setup) await setup(ctx);
  const p = await ctx.newPage();
  p.setDefaultTimeout(STEP_MS);
  await p.goto(`${baseUrl}/`);
  await p.waitForSelector('[data-testid=sign-in]');
  await p.fill('#email', user.email);
  await p.fill('#password', user.password);
  await p.click('[data-testid=sign-in] button[type=submit]');
  await p.waitForSelector(`[data-page=${page}][data-ready]`);
  return p;
}

/**
 * Sends an event from the procedure page's form and waits until the page, drawn again, shows one
 * more such event in its timeline (an event sent before is already there: it proves nothing).
 */
export async function sendEvent(p: Page, type: string, fields: Record<string, string> = {}): Promise<void> {
  const sent = p.locator(`[data-page=procedure][data-ready] [data-testid=timeline] td:text-is("${type}")`);
  const before = await sent.count();
  for (const [k, v] of Object.entries(fields)) await p.fill(`#ev-${type}-${k}`, v);
  await p.click(`[data-testid=send-${type}]`);
  await sent.nth(before).waitFor({ state: 'attached' });
}

export const shot = (p: Page, name: string) =>
  p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Opens a hash route and waits until the page is drawn (the same URL with a hash does not load the page again: reload). */
export async function openRoute(p: Page, baseUrl: string, route: string, page: string): Promise<void> {
  await p.goto(`${baseUrl}/app/#/${route}`);
  await p.reload();
  await p.waitForSelector(`[data-page=${page}][data-ready]`);
}
