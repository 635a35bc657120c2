// The events list cache through the API: what is served from memory, for how long, and what makes this process read
// the database again. The caches' clock is stepped by the test; other tests' events stay out of these far-future
// windows (each test has a year of its own).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../src/config';
import { EVENT_LIST_CACHE_MAX_ENTRIES } from '../src/modules/events/list-cache';
import { createEvent, createHarness, createUser, rest, type Harness, type TestUser } from './support/harness';
import { holdQuery, watchQueries } from './support/query-watch';

const clock = { now: Date.now() };
let h: Harness;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  h = await createHarness(
    { EVENT_LIST_CACHE_MS: '1000', AUTH_USER_CACHE_MS: '1000' },
    { overrides: { now: () => clock.now } },
  );
  // These tests pin the TTL cache on its own: the cross-process signal, which also clears it whenever any event in
  // the shared test database changes, is tested in live-availability.test.ts.
  await h.rt.services.availability.close();
  [admin, alice] = await Promise.all([createUser(h, { admin: true }), createUser(h)]);
});
afterAll(() => h.close());
beforeEach(() => h.rt.services.eventListCache.invalidate());

interface ListedEvent {
  id: number;
  name: string;
  available_capacity: number;
}
interface ListPage {
  count: number;
  next: string | null;
  results: ListedEvent[];
}

let nextYear = 9000 + Math.floor(Math.random() * 800);

/** A year no other test uses: its events, and the list filtered to it. */
function window() {
  const year = nextYear++;
  const filter = `start_date=${year}-01-01&end_date=${year}-12-31`;
  return {
    filter,
    event: (day = 1) => ({
      start_time: `${year}-06-${String(day).padStart(2, '0')}T10:00:00Z`,
      end_time: `${year}-06-${String(day).padStart(2, '0')}T12:00:00Z`,
    }),
    list: async (extra = '', headers?: Record<string, string>) => {
      const res = await rest<ListPage>(h, 'GET', `/api/events/?${filter}${extra}`, {
        token: alice.access,
        ...(headers ? { headers } : {}),
      });
      expect(res.status).toBe(200);
      return res.body;
    },
  };
}

const names = (page: ListPage) => page.results.map((e) => e.name);
const sql = (text: string, replacements: Record<string, unknown>) => h.rt.sequelize.query(text, { replacements });

describe('with EVENT_LIST_CACHE_MS=1000', () => {
  it('answers a repeated page from memory, without the database, until the TTL has passed', async () => {
    const w = window();
    const event = await createEvent(h, w.event());
    expect(names(await w.list())).toEqual([event.name]);
    await sql('UPDATE events SET name = :name WHERE id = :id', { name: 'Renamed behind the API', id: event.id });

    const watch = watchQueries(h.rt.sequelize);
    try {
      clock.now += 999;
      expect(names(await w.list())).toEqual([event.name]);
      // Neither the page nor the signed-in user was read: the request cost the database nothing.
      expect(watch.count()).toBe(0);
      clock.now += 1;
      expect(names(await w.list())).toEqual(['Renamed behind the API']);
      expect(watch.count('FROM "events"')).toBe(2);
    } finally {
      watch.stop();
    }
  });

  it("shows this process's own event writes at once", async () => {
    const w = window();
    const first = await createEvent(h, w.event(1));
    expect(names(await w.list())).toEqual([first.name]);

    const created = await rest(h, 'POST', '/api/events/', {
      token: admin.access,
      body: { name: 'Second', capacity: 5, ...w.event(2) },
    });
    expect(created.status).toBe(201);
    expect(names(await w.list())).toEqual([first.name, 'Second']);

    await rest(h, 'PATCH', `/api/events/${first.id}/`, { token: admin.access, body: { name: 'First, renamed' } });
    expect(names(await w.list())).toEqual(['First, renamed', 'Second']);

    await rest(h, 'PUT', `/api/events/${first.id}/`, {
      token: admin.access,
      body: { name: 'First, replaced', capacity: 3, ...w.event(3) },
    });
    expect(names(await w.list())).toEqual(['Second', 'First, replaced']);

    await rest(h, 'DELETE', `/api/events/${first.id}/`, { token: admin.access });
    expect(names(await w.list())).toEqual(['Second']);
  });

  it('reads afresh after invalidate(), which writes outside EventsService (holds) call', async () => {
    const w = window();
    const event = await createEvent(h, { ...w.event(), capacity: 10 });
    expect((await w.list()).results[0]?.available_capacity).toBe(10);

    await sql('UPDATE events SET capacity = 7 WHERE id = :id', { id: event.id });
    expect((await w.list()).results[0]?.available_capacity).toBe(10);
    h.rt.services.eventListCache.invalidate();
    expect((await w.list()).results[0]?.available_capacity).toBe(7);

    const hold = await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 2 },
    });
    expect(hold.status).toBe(201);
    // What the reservations service does after a hold commits.
    h.rt.services.eventListCache.invalidate();
    expect((await w.list()).results[0]?.available_capacity).toBe(5);
  });

  it('does not keep a page read that started before a write', async () => {
    const w = window();
    const event = await createEvent(h, w.event());
    // The page statement of this window (the count has no LIMIT), held after it has read the old name.
    const year = w.event().start_time.slice(0, 4);
    const held = holdQuery(h.rt.sequelize, (s) => s.includes('LIMIT 20') && s.includes(`'${year}-01-01`));
    const early = w.list();
    await held.reached;
    const renamed = await rest(h, 'PATCH', `/api/events/${event.id}/`, {
      token: admin.access,
      body: { name: 'Renamed while a read was out' },
    });
    expect(renamed.status).toBe(200);
    held.release();
    expect(names(await early)).toEqual([event.name]);
    // The clock has not moved: had the early read been kept, this would still show the old name.
    expect(names(await w.list())).toEqual(['Renamed while a read was out']);
  });

  it('lets concurrent requests for one page share one database read', async () => {
    const w = window();
    const event = await createEvent(h, w.event());
    const watch = watchQueries(h.rt.sequelize);
    try {
      const pages = await Promise.all(Array.from({ length: 10 }, () => w.list()));
      expect(pages.map(names)).toEqual(Array.from({ length: 10 }, () => [event.name]));
      expect(watch.count('FROM "events"')).toBe(2);
    } finally {
      watch.stop();
    }
  });

  it('shares a page between spellings of the same filters', async () => {
    const w = window();
    await createEvent(h, w.event());
    const year = w.event().start_time.slice(0, 4);
    const first = await w.list();
    const watch = watchQueries(h.rt.sequelize);
    try {
      const same = await rest<ListPage>(
        h,
        'GET',
        `/api/events/?start_date=${year}-01-01T00:00:00Z&end_date=${year}-12-31T00:00:00%2B00:00&page=1`,
        { token: alice.access },
      );
      expect(same.body).toEqual(first);
      expect(watch.count('FROM "events"')).toBe(0);
      await w.list('&is_active=true');
      expect(watch.count('FROM "events"')).toBe(2);
    } finally {
      watch.stop();
    }
  });

  it('answers from the cache with the same links whatever Host a request names (links never come from it)', async () => {
    const w = window();
    for (let day = 1; day <= 21; day++) await createEvent(h, w.event(day));
    const onA = await w.list('', { host: 'a.example' });
    const watch = watchQueries(h.rt.sequelize);
    try {
      const onB = await w.list('', { host: 'b.example:8080' });
      expect(watch.count()).toBe(0);
      expect(onA.results).toEqual(onB.results);
      expect(onA.next).toMatch(/^\/api\/events\/\?.*page=2/);
      expect(onB.next).toBe(onA.next);
    } finally {
      watch.stop();
    }
  });

  it(`keeps at most ${EVENT_LIST_CACHE_MAX_ENTRIES} pages, however many filters are asked for`, async () => {
    const asked = EVENT_LIST_CACHE_MAX_ENTRIES + 44;
    const day = (i: number) => new Date(Date.UTC(9990, 0, 1) + i * 86_400_000).toISOString();
    const list = (i: number) => rest(h, 'GET', `/api/events/?start_date=${day(i)}`, { token: alice.access });
    for (let i = 0; i < asked; i++) expect((await list(i)).status).toBe(200);
    expect(h.rt.services.eventListCache.size).toBe(EVENT_LIST_CACHE_MAX_ENTRIES);

    const watch = watchQueries(h.rt.sequelize);
    try {
      await list(asked - 1);
      expect(watch.count('FROM "events"')).toBe(0);
      await list(0);
      expect(watch.count('FROM "events"')).toBe(2);
    } finally {
      watch.stop();
    }
  });
});

describe('with EVENT_LIST_CACHE_MS=0', () => {
  let uncached: Harness;
  beforeAll(async () => {
    uncached = await createHarness({ EVENT_LIST_CACHE_MS: '0' }, { overrides: { now: () => clock.now } });
  });
  afterAll(() => uncached.close());

  it('reads the database on every request', async () => {
    const w = window();
    const event = await createEvent(uncached, w.event());
    const list = async () => {
      const res = await rest<ListPage>(uncached, 'GET', `/api/events/?${w.filter}`, { token: alice.access });
      return names(res.body);
    };
    expect(await list()).toEqual([event.name]);
    await sql('UPDATE events SET name = :name WHERE id = :id', { name: 'Seen at once', id: event.id });
    const watch = watchQueries(uncached.rt.sequelize);
    try {
      expect(await list()).toEqual(['Seen at once']);
      expect(await list()).toEqual(['Seen at once']);
      expect(watch.count('FROM "events"')).toBe(4);
      expect(uncached.rt.services.eventListCache.size).toBe(0);
    } finally {
      watch.stop();
    }
  });
});

describe('configuration', () => {
  it('caches the list and the signed-in user for 1 s by default; 0 turns either off; negative is refused', () => {
    expect(loadConfig({})).toMatchObject({ eventListCacheMs: 1000, authUserCacheMs: 1000 });
    expect(loadConfig({ EVENT_LIST_CACHE_MS: '0', AUTH_USER_CACHE_MS: '0' })).toMatchObject({
      eventListCacheMs: 0,
      authUserCacheMs: 0,
    });
    expect(() => loadConfig({ EVENT_LIST_CACHE_MS: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ AUTH_USER_CACHE_MS: 'soon' })).toThrow(/AUTH_USER_CACHE_MS/);
  });
});
