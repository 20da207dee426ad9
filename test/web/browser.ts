import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { WEB_DIST } from '../../src/web/web.controller';
import type { TestUser } from '../support/auth';

/** Where the browser tests put their screenshots. */
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'web');

/** Builds the web application if needed and starts Debian's Chromium (a new temporary profile per run). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(path.join(WEB_DIST, 'app.js')))
    execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'src', 'web', 'build-client.js')], {
      stdio: 'inherit',
    });
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
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
  p.setDefaultTimeout(15_000);
  await p.goto(`${baseUrl}/`);
  await p.waitForSelector('[data-testid=sign-in]');
  await p.fill('#email', user.email);
  await p.fill('#password', user.password);
  await p.click('[data-testid=sign-in] button[type=submit]');
  await p.waitForSelector(`[data-page=${page}][data-ready]`);
  return p;
}

export const shot = (p: Page, name: string) =>
  p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Opens a hash route and waits until the page is drawn (the same URL with a hash does not load the page again: reload). */
export async function openRoute(p: Page, baseUrl: string, route: string, page: string): Promise<void> {
  await p.goto(`${baseUrl}/app/#/${route}`);
  await p.reload();
  await p.waitForSelector(`[data-page=${page}][data-ready]`);
}
