// GET /api/events/ is a Fastify route of its own that calls events.list through tRPC's server-side caller
// (transports/procedure-route.ts); GET /api/events (no trailing slash) still reaches the REST adapter. Both must
// answer every request alike — status, body, content type, Retry-After — successes and errors, since the route
// has no checks of its own: the procedure and src/errors.ts decide everything.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createEvent, createHarness, createUser, rest, type Harness, type TestUser } from './support/harness';

let h: Harness;
let alice: TestUser;
const year = 8000 + Math.floor(Math.random() * 900);
const window = `start_date=${year}-01-01&end_date=${year}-12-31`;

beforeAll(async () => {
  h = await createHarness();
  alice = await createUser(h);
  for (let day = 1; day <= 23; day++) {
    await createEvent(h, {
      start_time: `${year}-03-${String(day).padStart(2, '0')}T10:00:00Z`,
      end_time: `${year}-03-${String(day).padStart(2, '0')}T12:00:00Z`,
      is_active: day % 3 !== 0,
    });
  }
});
afterAll(() => h.close());

/** A GET with alice's token, another one, or none (null); what a client can see of the answer. */
async function get(url: string, token: string | null = alice.access) {
  const res = await h.app.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: res.statusCode,
    body: res.body,
    contentType: res.headers['content-type'],
    retryAfter: res.headers['retry-after'],
    cacheControl: res.headers['cache-control'],
  };
}

/** The same request to the route (/api/events/) and to the adapter (/api/events). */
async function bothWays(query: string, token: string | null = alice.access) {
  return { route: await get(`/api/events/${query}`, token), adapter: await get(`/api/events${query}`, token) };
}

describe('GET /api/events/ through the procedure caller', () => {
  it('is a registered route, and the path without the slash is left to the adapter', () => {
    expect(h.app.hasRoute({ method: 'GET', url: '/api/events/' })).toBe(true);
    expect(h.app.hasRoute({ method: 'GET', url: '/api/events' })).toBe(false);
  });

  it.each([
    ['no filters', ''],
    ['a window', `?${window}`],
    ['the second page, with links', `?${window}&page=2`],
    ['inactive events', `?${window}&is_active=false`],
    ['date-times with offsets', `?start_date=${year}-01-01T00:00:00%2B00:00&is_active=True`],
    ['an unknown parameter', `?${window}&via=anything`],
    ['an empty parameter', `?${window}&is_active=`],
  ])('answers %s as the adapter does', async (_name, query) => {
    const { route, adapter } = await bothWays(query);
    expect(route.status).toBe(200);
    expect(route).toEqual(adapter);
  });

  it.each([
    ['no token', '', 'none', 401],
    ['a malformed token', '', 'garbage', 401],
    ['a bad filter', '?is_active=maybe', 'alice', 400],
    ['a page past the end', `?${window}&page=99`, 'alice', 404],
    ['a repeated parameter', `?page=1&page=2`, 'alice', 400],
    ['a NUL character', `?start_date=${year}-01-01%00`, 'alice', 400],
  ])('refuses %s as the adapter does', async (_name, query, token, status) => {
    // Named, not given: the table is read before beforeAll has made alice.
    const bearer = token === 'alice' ? alice.access : token === 'none' ? null : token;
    const { route, adapter } = await bothWays(query, bearer);
    expect(route.status).toBe(status);
    expect(route).toEqual(adapter);
  });

  it('answers a busy database with 503 and Retry-After, as the adapter does, asking the database once', async () => {
    const lockTimeout = Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });
    const list = jest.spyOn(h.rt.services.events, 'list').mockRejectedValue(lockTimeout);
    try {
      const route = await get('/api/events/');
      expect(list).toHaveBeenCalledTimes(1);
      const adapter = await get('/api/events');
      expect(route).toMatchObject({ status: 503, retryAfter: '1' });
      expect(JSON.parse(route.body)).toEqual({ error: 'The service is busy; retry shortly.', code: 'BUSY' });
      expect(route).toEqual(adapter);
    } finally {
      list.mockRestore();
    }
  });

  it('answers a bug with a 500 that echoes nothing, as the adapter does', async () => {
    const list = jest.spyOn(h.rt.services.events, 'list').mockRejectedValue(new Error('secret internals'));
    try {
      const { route, adapter } = await bothWays('');
      expect(route.status).toBe(500);
      expect(JSON.parse(route.body)).toEqual({ detail: 'A server error occurred.' });
      expect(route).toEqual(adapter);
    } finally {
      list.mockRestore();
    }
  });

  it('refuses a user deactivated in this process at once', async () => {
    const carol = await createUser(h);
    expect((await get('/api/events/', carol.access)).status).toBe(200);
    await h.rt.services.auth.setActive(carol.username, false);
    expect(await rest(h, 'GET', '/api/events/', { token: carol.access })).toMatchObject({
      status: 401,
      body: { detail: 'User is inactive', code: 'token_not_valid' },
    });
  });

  it('leaves other methods on /api/events/ to the adapter', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/events/',
      headers: { authorization: `Bearer ${alice.access}` },
    });
    expect(res.statusCode).toBe(403);
  });
});
