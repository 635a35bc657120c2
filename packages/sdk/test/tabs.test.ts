// Two browser tabs (headless Chromium) share one session in localStorage and refresh it at the same moment. With the
// Web Locks API the SDK lets one refresh and the other adopt the result; without it the server's reuse grace window
// keeps both signed in; with neither (negative control) the second refresh is taken for token theft.
//
// Chromium: /usr/bin/chromium (or CHROMIUM_PATH); skipped locally without it, a failure under CI=true or
// REQUIRE_BROWSER=1 (@holdfast/test-kit's browserSuite).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { browserSuite, CHROMIUM, CHROMIUM_ARGS } from '@holdfast/test-kit';
import { createUser, startLiveServer, untilExpired, type LiveServer, type TestUser } from './support/live-server';

const suite = browserSuite('tabs.test.ts');

interface Tab {
  me(): Promise<number>;
  refreshes(): number;
  hasWebLocks(): boolean;
}

suite('two browser tabs sharing one stored session', () => {
  let grace: LiveServer;
  let strict: LiveServer;
  let pages: Server;
  let pageOrigin: string;
  let browser: Browser;

  beforeAll(async () => {
    grace = await startLiveServer({ ACCESS_TOKEN_TTL_SECONDS: '2', REFRESH_REUSE_GRACE_SECONDS: '20' });
    strict = await startLiveServer({ ACCESS_TOKEN_TTL_SECONDS: '2', REFRESH_REUSE_GRACE_SECONDS: '0' });
    const bundle = await build({
      entryPoints: [path.join(__dirname, 'browser/tab-entry.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      logLevel: 'warning',
    });
    const script = bundle.outputFiles[0]!.text;
    // The frontend's own origin (another port than the API, as a real deployment may have: CORS applies).
    pages = createServer((req, res) => {
      if (req.url?.startsWith('/tab.js')) {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/tab.js"></script>');
      }
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
    await grace?.close();
    await strict?.close();
  });

  /** Opens two tabs of one browser profile with the user's session stored, and has both call auth.me at once. */
  async function refreshTogether(server: LiveServer, user: TestUser, query: string) {
    const context = await browser.newContext();
    try {
      const url = `${pageOrigin}/?api=${encodeURIComponent(server.url)}${query}`;
      const first = await context.newPage();
      await first.goto(`${pageOrigin}/`);
      await first.evaluate((session) => localStorage.setItem('holdfast.session', JSON.stringify(session)), {
        access: user.access,
        refresh: user.refresh,
      });
      const tabs: Page[] = [first, await context.newPage()];
      await Promise.all(tabs.map((tab) => tab.goto(url)));
      await untilExpired(user.access);
      const calls = tabs.map((tab) =>
        tab.evaluate(() => (globalThis as unknown as { holdfastTab: Tab }).holdfastTab.me()),
      );
      const results = await Promise.allSettled(calls);
      const refreshes = await Promise.all(
        tabs.map((tab) => tab.evaluate(() => (globalThis as unknown as { holdfastTab: Tab }).holdfastTab.refreshes())),
      );
      const webLocks = await first.evaluate(() =>
        (globalThis as unknown as { holdfastTab: Tab }).holdfastTab.hasWebLocks(),
      );
      // Signed in afterwards means: a call from each tab still works.
      const after = await Promise.allSettled(
        tabs.map((tab) => tab.evaluate(() => (globalThis as unknown as { holdfastTab: Tab }).holdfastTab.me())),
      );
      return { results, after, refreshes: refreshes[0]! + refreshes[1]!, webLocks };
    } finally {
      await context.close();
    }
  }

  // Web Locks alone cannot promise this: Chromium hands a localStorage write to the other tabs' processes
  // asynchronously, so the tab that takes the lock second may still read the rotated-away session (a CI run showed
  // it: one tab refused under strict rotation). The defaults pair the lock with the server's grace window.
  it('stay signed in with the defaults: Web Locks and the server grace window', async () => {
    const user = await createUser(grace.h);
    const run = await refreshTogether(grace, user, '');
    expect(run.webLocks).toBe(true);
    expect(run.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(run.after.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    // One refresh when the second tab sees the first one's session, two when its read is stale: never a revocation.
    expect(run.refreshes).toBeGreaterThanOrEqual(1);
    expect(run.refreshes).toBeLessThanOrEqual(2);
  });

  it('stay signed in without Web Locks thanks to the server grace window', async () => {
    const user = await createUser(grace.h);
    const run = await refreshTogether(grace, user, '&nolock');
    expect(run.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(run.after.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
  });

  it('are signed out without either (negative control)', async () => {
    const user = await createUser(strict.h);
    const run = await refreshTogether(strict, user, '&nolock');
    expect(run.refreshes).toBe(2);
    expect([...run.results, ...run.after].some((r) => r.status === 'rejected')).toBe(true);
  });
});
