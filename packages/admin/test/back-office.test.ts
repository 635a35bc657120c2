// The back office as a person uses it: the real API in-process (the server's test harness, its per-run database)
// serving the built back office, driven in Debian's Chromium by playwright-core. An admin signs in, creates an
// event and sees its bar; a user's hold placed through the API shows up; the admin cancels it with a reason, the bar
// moves and the audit entry appears; a non-admin is refused; a deep link reloads; an expired access token is
// renewed without a word. Screenshots of every screen at 1280 and 390 px go to test-artifacts/admin/.
//
// Needs `pnpm build` first (the root `pnpm test` runs it) and Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
// Without Chromium the suite is skipped locally with a message, and FAILS under CI=true or REQUIRE_BROWSER=1.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  browserSuite,
  CHROMIUM,
  haveBrowser,
  CHROMIUM_ARGS,
  createHarness,
  createUser,
  listen,
  LOCAL_HOSTS,
  PASSWORD,
  rest,
  type Harness,
  type TestUser,
} from '@holdfast/test-kit';

const DIST = path.resolve(__dirname, '../dist');
const SHOTS = path.resolve(__dirname, '../../../test-artifacts/admin');
const WIDTHS = [1280, 390] as const;
const suite = browserSuite('back-office.test.ts');

/** What a page did that it must not: requests to other hosts, script errors, CSP violations, tokens in URLs. */
interface Misconduct {
  foreign: string[];
  pageErrors: string[];
  cspViolations: string[];
  tokenInUrl: string[];
}

/** A datetime-local value (the browser's wall time) `days` from now at 19:00. */
function localDateTime(days: number, hour = 19): string {
  const d = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hour)}:00`;
}

suite('the back office (/admin/) in a browser', () => {
  let h: Harness;
  let origin: string;
  let browser: Browser;
  let admin: TestUser;
  let member: TestUser;
  const misconduct: Misconduct = { foreign: [], pageErrors: [], cspViolations: [], tokenInUrl: [] };

  async function newContext(): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    // Every request passes through here: one to another host is recorded and aborted (this network is closed).
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (/eyJ[\w-]+\.[\w-]+\./.test(url.href)) misconduct.tokenInUrl.push(url.href);
      const local = (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname);
      if (!local && url.protocol !== 'data:' && url.protocol !== 'blob:') {
        misconduct.foreign.push(url.href);
        await route.abort();
        return;
      }
      await route.continue();
    });
    return context;
  }

  async function newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (err) => misconduct.pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text()))
        misconduct.cspViolations.push(msg.text());
    });
    return page;
  }

  /** Screenshots of the current screen at both widths (a dialog: the viewport only), then back to the desktop width. */
  async function shoot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: opts.fullPage ?? true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  async function nav(page: Page, section: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: section }).click();
  }

  function statusTab(page: Page, label: string) {
    return page.getByRole('group', { name: 'Status' }).getByRole('button', { name: new RegExp(`^${label}`) });
  }

  async function signIn(page: Page, user: TestUser): Promise<void> {
    await page.goto(`${origin}/admin/`);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  beforeAll(async () => {
    if (!haveBrowser) return;
    if (!existsSync(path.join(DIST, 'index.html'))) {
      throw new Error(`the back office is not built (${DIST}): run \`pnpm build\` first`);
    }
    mkdirSync(SHOTS, { recursive: true });
    h = await createHarness({ ADMIN_UI_DIR: DIST });
    origin = await listen(h);
    admin = await createUser(h, { admin: true });
    member = await createUser(h);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('lets an admin create an event, see a user’s hold, cancel it with a reason and find it in the audit log', async () => {
    if (!haveBrowser) throw new Error(`Chromium is required here but ${CHROMIUM} does not exist`);
    const context = await newContext();
    const page = await newPage(context);
    try {
      // Sign in.
      await page.goto(`${origin}/admin/`);
      await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
      await shoot(page, 'sign-in');
      await signIn(page, admin);
      await page.getByRole('heading', { name: 'Events' }).waitFor();

      // Create an event; the API's validation message appears at the field it is about.
      await page.getByRole('link', { name: 'New event' }).click();
      const name = `Quartet night ${Date.now().toString(36)}`;
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Capacity').fill('0');
      await page.getByLabel('Starts').fill(localDateTime(2));
      await page.getByLabel('Ends').fill(localDateTime(2, 22));
      await page.getByRole('button', { name: 'Create event' }).click();
      const capacity = page.getByLabel('Capacity');
      await page.locator('.field-invalid').filter({ has: capacity }).locator('.field-error').waitFor();
      await expect(capacity.getAttribute('aria-invalid')).resolves.toBe('true');
      await shoot(page, 'event-form');
      await capacity.fill('5');
      await page.getByRole('button', { name: 'Create event' }).click();
      await page.getByRole('heading', { name }).waitFor();
      const eventId = Number(/\/admin\/events\/(\d+)$/.exec(page.url())?.[1]);
      expect(eventId).toBeGreaterThan(0);
      await page.getByRole('img', { name: '0 confirmed, 0 held, 5 free of 5' }).waitFor();

      // A user holds two seats through the API; the admin sees the hold and the bar.
      const hold = await rest(h, 'POST', '/api/reservations/create_hold/', {
        token: member.access,
        body: { event_id: eventId, quantity: 2 },
      });
      expect(hold.status).toBe(201);
      await page.reload();
      await page.getByRole('img', { name: '0 confirmed, 2 held, 3 free of 5' }).waitFor();
      await page.locator(`tr[data-reservation="${hold.body.id}"]`).getByText(member.username).waitFor();
      await shoot(page, 'event-page');

      // The events list shows the same bar.
      await nav(page, 'Events');
      await page.getByLabel('Search events').fill(name);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('img', { name: '0 confirmed, 2 held, 3 free of 5' }).waitFor();
      expect(new URL(page.url()).searchParams.get('q')).toBe(name);
      await shoot(page, 'events');

      // Reservations of this event, reached by a deep link (a full page load), held tab.
      await page.goto(
        `${origin}/admin/reservations?event=${eventId}&status=HOLD&created_after=${localDateTime(0).slice(0, 10)}`,
      );
      const row = page.locator(`tr[data-reservation="${hold.body.id}"]`);
      await row.getByText('hold', { exact: true }).waitFor();
      await expect(statusTab(page, 'Held').getAttribute('aria-pressed')).resolves.toBe('true');
      await shoot(page, 'reservations');

      // Cancel it with a reason, behind a confirmation.
      await row.getByRole('button', { name: `Cancel #${hold.body.id}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Reason').fill('Double booking, refunded by phone');
      await shoot(page, 'reservation-cancel', { fullPage: false });
      await dialog.getByRole('button', { name: 'Cancel reservation' }).click();
      await dialog.waitFor({ state: 'detached' });
      // The held tab no longer lists it; the cancelled tab does.
      await statusTab(page, 'Cancelled').click();
      await row.getByText('cancelled', { exact: true }).waitFor();
      expect(new URL(page.url()).searchParams.get('status')).toBe('CANCELLED');

      // The deep link reloads on the same view.
      await page.reload();
      await row.getByText('cancelled', { exact: true }).waitFor();
      await expect(statusTab(page, 'Cancelled').getAttribute('aria-pressed')).resolves.toBe('true');

      // The CSV export holds exactly the current filter (this event, cancelled), fetched with the token in a header.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(
        new RegExp(`^reservations-event-${eventId}-CANCELLED-\\d{4}-\\d{2}-\\d{2}\\.csv$`),
      );
      const csv = readFileSync((await download.path())!, 'utf8')
        .trim()
        .split(/\r?\n/);
      expect(csv[0]).toMatch(/^id,event,event_name,user,user_username,status,quantity/);
      expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual([String(hold.body.id)]);
      expect(csv[1]).toContain(`,${member.username},CANCELLED,2,`);

      // The bar moved back.
      await row.getByRole('link', { name }).click();
      await page.getByRole('img', { name: '0 confirmed, 0 held, 5 free of 5' }).waitFor();
      const stored = await rest(h, 'GET', `/api/events/${eventId}/`, { token: admin.access });
      expect(stored.body).toMatchObject({ available_capacity: 5, hold_count: 0 });

      // Delete is refused while a hold is live, and the dialog offers what to do instead.
      const second = await rest(h, 'POST', '/api/reservations/create_hold/', {
        token: member.access,
        body: { event_id: eventId, quantity: 1 },
      });
      expect(second.status).toBe(201);
      await page.reload();
      await page.getByRole('img', { name: '0 confirmed, 1 held, 4 free of 5' }).waitFor();
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete event' }).click();
      await page.getByRole('dialog').getByText('Deactivate it instead', { exact: false }).waitFor();
      await shoot(page, 'event-delete-refused', { fullPage: false });
      await page.getByRole('dialog').getByRole('button', { name: 'Deactivate instead' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.locator('.details').getByText('inactive', { exact: true }).waitFor();

      // Bulk cancel shows how many it will cancel before it does.
      await page.goto(`${origin}/admin/reservations?event=${eventId}`);
      await page.getByRole('button', { name: 'Bulk cancel…' }).click();
      const bulk = page.getByRole('dialog');
      await bulk.getByTestId('bulk-preview').getByText('1 reservation will be cancelled.').waitFor();
      await bulk.getByLabel('Reason').fill('Event moved to another venue');
      await shoot(page, 'bulk-cancel', { fullPage: false });
      await bulk.getByRole('button', { name: 'Cancel 1 reservation' }).click();
      await bulk.getByText('1 reservation cancelled.').waitFor();
      await bulk.getByRole('button', { name: 'Close' }).click();
      await expect(rest(h, 'GET', `/api/events/${eventId}/`, { token: admin.access })).resolves.toMatchObject({
        body: { hold_count: 0, available_capacity: 5 },
      });

      // The audit log has the cancellation, by this admin, with the reason.
      await nav(page, 'Audit log');
      await page.getByLabel('Object', { exact: true }).selectOption('reservation');
      await page.getByLabel('Object id').fill(String(hold.body.id));
      // The list keeps the previous page on screen while the filtered one loads: wait for the filtered one.
      await page.waitForFunction(() => document.querySelectorAll('tr[data-audit]').length === 2);
      const entry = page.locator('tr[data-audit="reservation.cancel"]');
      await entry.getByText('Double booking, refunded by phone', { exact: false }).waitFor();
      await expect(entry.getByText(admin.username).count()).resolves.toBe(1);
      await shoot(page, 'audit');

      // Users: the admin's own row cannot be deactivated or demoted.
      await nav(page, 'Users');
      await page.getByLabel('Search users').fill(admin.username);
      await page.getByRole('button', { name: 'Search' }).click();
      const own = page.locator(`tr[data-user="${admin.username}"]`);
      await expect(own.getByRole('button', { name: `Deactivate ${admin.username}` }).isDisabled()).resolves.toBe(true);
      await page.getByLabel('Search users').fill('');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator(`tr[data-user="${member.username}"]`).waitFor();
      await shoot(page, 'users');

      // Sign out: back to the form, the session gone from storage.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You have been signed out.').waitFor();
      await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(0);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('tells a signed-in non-admin plainly that it is for admins, and shows no admin data', async () => {
    const context = await newContext();
    const page = await newPage(context);
    const adminAnswers: number[] = [];
    page.on('response', (res) => {
      if (res.url().includes('/trpc/admin.')) adminAnswers.push(res.status());
    });
    try {
      await signIn(page, member);
      await page.getByRole('heading', { name: 'This is the back office for admins' }).waitFor();
      await expect(page.getByRole('navigation', { name: 'Sections' }).count()).resolves.toBe(0);
      await shoot(page, 'not-admin');
      expect(adminAnswers.length).toBeGreaterThan(0);
      expect(adminAnswers.every((status) => status === 403)).toBe(true);
      // Typing an admin address changes nothing.
      await page.goto(`${origin}/admin/users`);
      await page.getByRole('heading', { name: 'This is the back office for admins' }).waitFor();
      expect(adminAnswers.every((status) => status === 403)).toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('renews an expired access token silently, and says so when the server ends the session', async () => {
    const fresh = await createUser(h, { admin: true });
    const context = await newContext();
    // A session whose access token the server refuses (as an expired one is) next to a valid refresh token.
    await context.addInitScript(
      ([refresh]) => {
        if (!sessionStorage.getItem('holdfast.admin.session')) {
          sessionStorage.setItem('holdfast.admin.session', JSON.stringify({ access: 'expired', refresh }));
        }
      },
      [fresh.refresh],
    );
    const page = await newPage(context);
    try {
      await page.goto(`${origin}/admin/users?q=${fresh.username}`);
      await page.locator(`tr[data-user="${fresh.username}"]`).waitFor();
      const kept = await page.evaluate(() => JSON.parse(sessionStorage.getItem('holdfast.admin.session') ?? 'null'));
      expect(kept.access).not.toBe('expired');
      expect(kept.refresh).not.toBe(fresh.refresh);

      // When the server ends the session for good (the account is deactivated), the next call lands on the sign-in
      // form, which says why.
      const deactivated = await rest(h, 'PATCH', `/api/admin/users/${fresh.id}/`, {
        token: admin.access,
        body: { is_active: false },
      });
      expect(deactivated.status).toBe(200);
      await nav(page, 'Audit log');
      await page.getByText('Your session has ended', { exact: false }).waitFor();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await expect(page.evaluate(() => sessionStorage.getItem('holdfast.admin.session'))).resolves.toBeNull();
    } finally {
      await context.close();
    }
  }, 60_000);

  it('loaded everything from this server, broke no CSP rule, threw no script error and put no token in a URL', () => {
    expect(misconduct).toEqual({ foreign: [], pageErrors: [], cspViolations: [], tokenInUrl: [] });
  });
});
