// The back office's files as the API serves them at /admin/: the app shell for every page path (deep links survive
// a reload), hashed assets cached for good, the shell never cached, a CSP without inline code or other origins, and
// an API that starts without them when the back office is not built.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHarness, rest, type Harness } from './support/harness';

const SHELL =
  '<!doctype html><html><head><script type="module" src="/admin/assets/app-3f9a.js"></script></head></html>';

function cspDirectives(header: unknown): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of String(header).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

describe('the back office at /admin/', () => {
  let dir: string;
  let h: Harness;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'holdfast-admin-ui-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), SHELL);
    writeFileSync(path.join(dir, 'assets', 'app-3f9a.js'), 'console.log("admin");');
    writeFileSync(path.join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
    h = await createHarness({ ADMIN_UI_DIR: dir });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the shell at /admin/, never cached, and redirects /admin there', async () => {
    const res = await rest(h, 'GET', '/admin/');
    expect(res.status).toBe(200);
    expect(res.body).toBe(SHELL);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    const bare = await rest(h, 'GET', '/admin');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/admin/');
  });

  it('answers a deep link (with a query) with the shell, so a reload lands on the same screen', async () => {
    for (const url of ['/admin/events/12', '/admin/reservations?event=3&status=HOLD', '/admin/users']) {
      const res = await rest(h, 'GET', url);
      expect([url, res.status, res.body]).toEqual([url, 200, SHELL]);
    }
  });

  it('caches hashed assets for a year and answers a missing file with 404, not the shell', async () => {
    const asset = await rest(h, 'GET', '/admin/assets/app-3f9a.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const other = await rest(h, 'GET', '/admin/robots.txt');
    expect(other.headers['cache-control']).toBe('no-cache');
    const missing = await rest(h, 'GET', '/admin/assets/app-0000.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'Not found.' });
  });

  it('sends a CSP that allows no inline script or style and no other origin', async () => {
    for (const url of ['/admin/', '/admin/events/1', '/admin/assets/app-3f9a.js']) {
      const csp = cspDirectives((await rest(h, 'GET', url)).headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('connect-src')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    }
  });

  it('leaves the API and its docs page as they were', async () => {
    expect((await rest(h, 'GET', '/healthz')).status).toBe(200);
    const docs = await rest(h, 'GET', '/api/docs/static/index.html');
    expect(cspDirectives(docs.headers['content-security-policy']).get('frame-ancestors')).not.toEqual(["'none'"]);
  });
});

describe('without a build of the back office', () => {
  it('starts the API and has nothing at /admin/', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'holdfast-admin-none-'));
    const h = await createHarness({ ADMIN_UI_DIR: empty });
    try {
      expect((await rest(h, 'GET', '/healthz')).status).toBe(200);
      expect((await rest(h, 'GET', '/admin/')).status).toBe(404);
      expect((await rest(h, 'GET', '/admin/events/1')).status).toBe(404);
    } finally {
      await h.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
