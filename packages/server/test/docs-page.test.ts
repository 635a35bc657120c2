// The interactive API reference at /api/docs, as a person sees it: the real app on a real port, loaded in headless
// Chromium (Debian's package, driven by playwright-core). The page must list the reservation endpoints, load every
// asset from the server itself (it works offline: no CDN, no fonts, no telemetry), and throw no script error.
// A screenshot is kept in test-artifacts/docs-page.png at the repository root.
//
// Chromium: `apt-get install -y chromium` (binary /usr/bin/chromium, or set CHROMIUM_PATH). Without it the test is
// skipped locally with a message, and FAILS under CI=true or REQUIRE_BROWSER=1: CI never skips it silently.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { restRoutes } from '../src/openapi';
import { browserSuite, CHROMIUM, CHROMIUM_ARGS, haveBrowser, LOCAL_HOSTS } from '@holdfast/test-kit';
import { createHarness, type Harness } from './support/harness';

const SCREENSHOT = path.resolve(__dirname, '../../../test-artifacts/docs-page.png');
const suite = browserSuite('docs-page.test.ts');

suite('the API reference page (/api/docs) in a browser', () => {
  let h: Harness;
  let browser: Browser | undefined;
  let origin: string;

  beforeAll(async () => {
    if (!haveBrowser) return;
    h = await createHarness();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
    origin = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('lists the reservation endpoints, from local assets only, without script errors', async () => {
    if (!haveBrowser) {
      throw new Error(
        `Chromium is required here (CI=${process.env.CI ?? ''}, REQUIRE_BROWSER=${process.env.REQUIRE_BROWSER ?? ''}) ` +
          `but ${CHROMIUM} does not exist. Install it: apt-get install -y chromium`,
      );
    }
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const requested: string[] = [];
    const foreign: string[] = [];
    const failed: string[] = [];
    const pageErrors: string[] = [];
    // Every request of the page (documents, scripts, styles, XHR/fetch, workers) passes through here: a non-local
    // one is recorded and aborted, so it cannot hang the test on this closed network.
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      requested.push(url.href);
      const local = (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname);
      if (!local && url.protocol !== 'data:' && url.protocol !== 'blob:') {
        foreign.push(url.href);
        await route.abort();
        return;
      }
      await route.continue();
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('requestfailed', (req) => failed.push(`${req.url()} ${req.failure()?.errorText ?? ''}`));
    page.on('request', (req) => {
      // Requests the route handler may not see (e.g. served from a cache) still have to be local.
      const url = new URL(req.url());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && !LOCAL_HOSTS.has(url.hostname)) {
        foreign.push(url.href);
      }
    });

    try {
      const response = await page.goto(`${origin}/api/docs`, { waitUntil: 'load', timeout: 60_000 });
      expect(response?.status()).toBe(200);
      await expect(page.title()).resolves.toMatch(/Swagger UI/);

      // Swagger UI renders one block per operation once it has fetched and parsed the document.
      for (const text of ['/reservations/create_hold/', '/reservations/confirm/', '/reservations/{id}/cancel/']) {
        await page.getByText(text, { exact: true }).first().waitFor({ state: 'visible', timeout: 60_000 });
      }
      await page.getByText('Holdfast API', { exact: false }).first().waitFor({ state: 'visible', timeout: 10_000 });
      // One block per REST route: the page shows the whole document.
      await expect(page.locator('.opblock').count()).resolves.toBe(restRoutes().length);
      // The bearer scheme makes the page offer an Authorize button.
      await expect(page.locator('button.authorize').count()).resolves.toBeGreaterThan(0);

      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);

      expect(foreign).toEqual([]);
      expect(failed).toEqual([]);
      expect(pageErrors).toEqual([]);
      // The page really loaded its assets and the document from this server.
      expect(requested.some((u) => u.startsWith(`${origin}/api/docs/`) && u.endsWith('.js'))).toBe(true);
      expect(requested.some((u) => u.startsWith(`${origin}/api/docs/json`))).toBe(true);
    } finally {
      await context.close();
    }
  }, 120_000);
});
