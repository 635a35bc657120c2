// GET /api/events/ answers a successful list without the REST adapter; every answer must be the adapter's, byte for
// byte, and every request it does not answer (errors, unusual queries) must reach the adapter unchanged.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ZEventList } from '../src/modules/events/events.schema';
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

/** A GET with alice's token, another one, or none (null). */
async function get(url: string, token: string | null = alice.access) {
  const res = await h.app.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.statusCode, body: res.body, contentType: res.headers['content-type'] };
}

/** Whether the fast path answered: it checks the page against the output schema with safeParse; tRPC does not. */
async function answeredByFastPath<T>(call: () => Promise<T>): Promise<{ result: T; fast: boolean }> {
  const safeParse = jest.spyOn(ZEventList, 'safeParse');
  try {
    const result = await call();
    return { result, fast: safeParse.mock.calls.length > 0 };
  } finally {
    safeParse.mockRestore();
  }
}

describe('GET /api/events/ fast path', () => {
  it.each([
    ['no filters', ''],
    ['a window', `?${window}`],
    ['the second page, with links', `?${window}&page=2`],
    ['inactive events', `?${window}&is_active=false`],
    ['date-times with offsets', `?start_date=${year}-01-01T00:00:00%2B00:00&is_active=True`],
  ])('answers %s exactly as the adapter does', async (_name, query) => {
    const fast = await answeredByFastPath(() => get(`/api/events/${query}`));
    expect(fast.fast).toBe(true);
    // An unknown parameter makes the fast path step aside; the adapter ignores it.
    const viaAdapter = await answeredByFastPath(() => get(`/api/events/${query}${query ? '&' : '?'}via=adapter`));
    expect(viaAdapter.fast).toBe(false);
    expect(fast.result).toEqual(viaAdapter.result);
    expect(fast.result.status).toBe(200);
  });

  it.each([
    ['no token', '', 'none', 401],
    ['a malformed token', '', 'garbage', 401],
    ['a bad filter', '?is_active=maybe', 'alice', 400],
    ['a page past the end', `?${window}&page=99`, 'alice', 404],
    ['a repeated parameter', `?page=1&page=2`, 'alice', 400],
    ['an empty parameter', `?${window}&is_active=`, 'alice', 200],
    ['a NUL character', `?start_date=${year}-01-01%00`, 'alice', 400],
  ])('leaves %s to the adapter', async (_name, query, token, status) => {
    // Named, not given: the table is read before beforeAll has made alice.
    const bearer = token === 'alice' ? alice.access : token === 'none' ? null : token;
    const { result, fast } = await answeredByFastPath(() => get(`/api/events/${query}`, bearer));
    expect(fast).toBe(false);
    expect(result.status).toBe(status);
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

  it('leaves other methods and paths on /api/events to the adapter', async () => {
    const { result, fast } = await answeredByFastPath(() =>
      h.app.inject({ method: 'POST', url: '/api/events/', headers: { authorization: `Bearer ${alice.access}` } }),
    );
    expect(fast).toBe(false);
    expect(result.statusCode).toBe(403);
    expect((await answeredByFastPath(() => get('/api/events/1/'))).fast).toBe(false);
  });
});
