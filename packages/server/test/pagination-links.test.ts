// The next/previous links of paginated lists come from configuration, never from the request: a Host (or
// X-Forwarded-Host) header is the client's to choose, and a link built from it lets anyone make the API hand out
// links to their own host (a poisoned shared cache, a phishing page). Every way a list is served is checked: the
// REST fast path for GET /api/events/, the REST adapter, tRPC, and the reservations list.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEvent, createHarness, createUser, rest, type Harness, type TestUser } from './support/harness';

const HOSTILE = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

let relative: Harness; // no PUBLIC_URL
let configured: Harness; // PUBLIC_URL with a path prefix and a trailing slash
let user: TestUser;
let filter: string;

beforeAll(async () => {
  relative = await createHarness({ MAX_ACTIVE_HOLDS_PER_USER: '0' });
  configured = await createHarness({ PUBLIC_URL: 'https://tickets.example/holdfast/', MAX_ACTIVE_HOLDS_PER_USER: '0' });
  user = await createUser(relative);
  // 21 events in a window of their own (other files share the database): two pages.
  const year = 2100 + Math.floor(Math.random() * 800);
  filter = `start_date=${year}-03-01&end_date=${year}-03-31`;
  for (let i = 0; i < 21; i++) {
    const event = await createEvent(relative, {
      start_time: `${year}-03-10T10:00:00Z`,
      end_time: `${year}-03-10T12:00:00Z`,
    });
    await relative.rt.services.reservations.createHold(
      { id: user.id, username: user.username, email: user.email, isSuperuser: false },
      { event_id: event.id, quantity: 1 },
    );
  }
});
afterAll(() => Promise.all([relative?.close(), configured?.close()]));

/** events.list over tRPC, with the same hostile headers. */
async function trpcList(h: Harness, page: number) {
  const [start_date, end_date] = [filter.slice(11, 21), filter.slice(-10)];
  const res = await h.app.inject({
    method: 'GET',
    url: `/trpc/events.list?input=${encodeURIComponent(JSON.stringify({ start_date, end_date, page }))}`,
    headers: { ...HOSTILE, authorization: `Bearer ${user.access}` },
  });
  return (res.json() as { result: { data: Page } }).result.data;
}

interface Page {
  next: string | null;
  previous: string | null;
}

/** next of page 1 and previous of page 2, by each way a list is served. */
async function links(h: Harness): Promise<Record<string, [string | null, string | null]>> {
  const get = async (url: string) => (await rest<Page>(h, 'GET', url, { token: user.access, headers: HOSTILE })).body;
  const pair = async (first: Promise<Page>, second: Promise<Page>) =>
    [(await first).next, (await second).previous] as [string | null, string | null];
  return {
    fast: await pair(get(`/api/events/?${filter}`), get(`/api/events/?${filter}&page=2`)),
    // An unknown parameter (ignored, as DRF did) leaves the request to the REST adapter instead of the fast path.
    adapter: await pair(get(`/api/events/?${filter}&via=adapter`), get(`/api/events/?${filter}&page=2&via=adapter`)),
    trpc: await pair(trpcList(h, 1), trpcList(h, 2)),
    reservations: await pair(get('/api/reservations/'), get('/api/reservations/?page=2')),
  };
}

describe('pagination links', () => {
  it('are relative without PUBLIC_URL, whatever Host the request names', async () => {
    const found = await links(relative);
    const [next, previous] = found.fast!;
    expect(next).toMatch(/^\/api\/events\/\?start_date=[^&]+&end_date=[^&]+&page=2$/);
    expect(previous).toMatch(/^\/api\/events\/\?start_date=[^&]+&end_date=[^&]+$/);
    expect(found.adapter).toEqual(found.fast);
    expect(found.trpc).toEqual(found.fast);
    expect(found.reservations).toEqual(['/api/reservations/?page=2', '/api/reservations/']);
    expect(JSON.stringify(found)).not.toMatch(/evil|localhost|http/);
  });

  it('are absolute under PUBLIC_URL (prefix kept, trailing slash dropped), whatever Host the request names', async () => {
    const found = await links(configured);
    const base = 'https://tickets.example/holdfast';
    const fromRelative = await links(relative);
    for (const [way, [next, previous]] of Object.entries(found)) {
      const [relNext, relPrevious] = fromRelative[way]!;
      expect([way, next, previous]).toEqual([way, `${base}${relNext}`, `${base}${relPrevious}`]);
    }
    expect(JSON.stringify(found)).not.toMatch(/evil/);
  });
});
