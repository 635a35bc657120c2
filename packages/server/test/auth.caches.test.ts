// What authentication reuses per process: the signed-in user's row, kept for AUTH_USER_CACHE_MS (changes made through
// this process's services apply to the next request, changes made behind its back within the TTL), and verified
// access tokens, kept until they expire. The caches' clock is stepped by the test.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { hs256Key, signToken } from '../src/modules/auth/tokens';
import { VerifiedAccessTokens } from '../src/modules/auth/verified-tokens';
import {
  IN_PROCESS,
  PASSWORD,
  TEST_JWT_SECRET,
  createHarness,
  createUser,
  rest,
  type Harness,
  type TestUser,
} from './support/harness';
import { watchQueries } from './support/query-watch';

const clock = { now: Date.now() };
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ AUTH_USER_CACHE_MS: '1000' }, { overrides: { now: () => clock.now } });
});
afterAll(() => h.close());

const me = (hx: Harness, user: TestUser) => rest(hx, 'GET', '/api/auth/users/me/', { token: user.access });
/** An admin-only call that changes nothing: 404 for a superuser, 403 for anyone else. */
const deleteMissingEvent = (user: TestUser) =>
  rest(h, 'DELETE', '/api/events/2147483000/', { token: user.access }).then((r) => r.status);
const sql = (hx: Harness, text: string, replacements: Record<string, unknown>) =>
  hx.rt.sequelize.query(text, { replacements });
const inactive = { status: 401, body: { detail: 'User is inactive', code: 'token_not_valid' } };

describe('with AUTH_USER_CACHE_MS=1000', () => {
  it('reads a user once for the requests within the TTL', async () => {
    const u = await createUser(h);
    const watch = watchQueries(h.rt.sequelize);
    try {
      expect(await deleteMissingEvent(u)).toBe(403);
      expect(watch.count('FROM "users"')).toBe(1);
      clock.now += 999;
      expect(await deleteMissingEvent(u)).toBe(403);
      expect(await deleteMissingEvent(u)).toBe(403);
      expect(watch.count('FROM "users"')).toBe(1);
      clock.now += 1;
      expect(await deleteMissingEvent(u)).toBe(403);
      expect(watch.count('FROM "users"')).toBe(2);
    } finally {
      watch.stop();
    }
  });

  it('lets concurrent requests of one user share one read', async () => {
    const u = await createUser(h);
    const watch = watchQueries(h.rt.sequelize);
    try {
      const statuses = await Promise.all(Array.from({ length: 8 }, () => deleteMissingEvent(u)));
      expect(statuses).toEqual(Array.from({ length: 8 }, () => 403));
      expect(watch.count('FROM "users"')).toBe(1);
    } finally {
      watch.stop();
    }
  });

  it('refuses a user deactivated through the service at once', async () => {
    const u = await createUser(h);
    expect((await me(h, u)).status).toBe(200);
    await h.rt.services.auth.setActive(u.username, false);
    expect(await me(h, u)).toMatchObject(inactive);
    await h.rt.services.auth.setActive(u.username, true);
    // Reactivated: a new sign-in works at once (the tokens from before the deactivation stay revoked).
    const again = await h.rt.services.auth.obtainToken({ username: u.username, password: PASSWORD }, IN_PROCESS);
    expect((await me(h, { ...u, access: again.access })).status).toBe(200);
  });

  it('refuses a user deactivated in SQL once the TTL has passed, not before', async () => {
    const u = await createUser(h);
    expect((await me(h, u)).status).toBe(200);
    await sql(h, 'UPDATE users SET is_active = false WHERE id = :id', { id: u.id });
    clock.now += 999;
    expect((await me(h, u)).status).toBe(200);
    clock.now += 1;
    expect(await me(h, u)).toMatchObject(inactive);
  });

  it('answers "User not found" for a user deleted in SQL once the TTL has passed', async () => {
    const u = await createUser(h);
    expect((await me(h, u)).status).toBe(200);
    await sql(h, 'DELETE FROM users WHERE id = :id', { id: u.id });
    clock.now += 1000;
    expect(await me(h, u)).toMatchObject({
      status: 401,
      body: { detail: 'User not found', code: 'token_not_valid' },
    });
  });

  it('forgets cached users when this process changes a password', async () => {
    const u = await createUser(h);
    expect(await deleteMissingEvent(u)).toBe(403);
    // Promoted behind the API's back: not seen while the row is cached...
    await sql(h, 'UPDATE users SET is_superuser = true WHERE id = :id', { id: u.id });
    expect(await deleteMissingEvent(u)).toBe(403);
    // ...until a user change through this process clears the cache.
    await h.rt.services.auth.setPassword(u.username, `${PASSWORD}-new`);
    const again = await h.rt.services.auth.obtainToken(
      { username: u.username, password: `${PASSWORD}-new` },
      IN_PROCESS,
    );
    expect(await deleteMissingEvent({ ...u, access: again.access })).toBe(404);
  });
});

describe('verified access tokens', () => {
  it('verifies a token once for the requests that reuse it', async () => {
    const u = await createUser(h);
    const verify = jest.spyOn(jwt, 'verify');
    try {
      for (let i = 0; i < 3; i++) expect((await me(h, u)).status).toBe(200);
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
  });

  it('refuses a reused token once it has expired', async () => {
    const u = await createUser(h);
    clock.now = Date.now();
    const iat = Math.floor(clock.now / 1000);
    const token = jwt.sign(
      { token_type: 'access', user_id: u.id, jti: randomUUID(), iat, exp: iat + 30 },
      TEST_JWT_SECRET,
      { algorithm: 'HS256' },
    );
    const shortLived = { ...u, access: token };
    expect((await me(h, shortLived)).status).toBe(200);
    clock.now += 29_000;
    expect((await me(h, shortLived)).status).toBe(200);
    clock.now += 1_000;
    expect(await me(h, shortLived)).toMatchObject({
      status: 401,
      body: { detail: 'Given token not valid for any token type', code: 'token_not_valid' },
    });
  });

  it('does not take a token for another that differs in its signature', async () => {
    const u = await createUser(h);
    expect((await me(h, u)).status).toBe(200);
    // One character in the middle of the signature changed: the cache must not answer for this string.
    const at = u.access.lastIndexOf('.') + 10;
    const swapped = u.access[at] === 'A' ? 'B' : 'A';
    const forged = { ...u, access: `${u.access.slice(0, at)}${swapped}${u.access.slice(at + 1)}` };
    expect((await me(h, forged)).status).toBe(401);
  });
});

describe('VerifiedAccessTokens', () => {
  it('keeps at most maxEntries tokens, dropping the oldest', () => {
    const settings = { key: hs256Key(TEST_JWT_SECRET), accessTtlSeconds: 60, refreshTtlSeconds: 60 };
    const tokens = new VerifiedAccessTokens(settings, Date.now, 2);
    const [a, b, c] = [1, 2, 3].map((id) => signToken(settings, 'access', id).token) as [string, string, string];
    for (const t of [a, b, c]) expect(tokens.verify(t)?.token_type).toBe('access');
    const verify = jest.spyOn(jwt, 'verify');
    try {
      expect(tokens.verify(c)?.user_id).toBe(3);
      expect(verify).not.toHaveBeenCalled();
      expect(tokens.verify(a)?.user_id).toBe(1);
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
    expect(tokens.verify(signToken(settings, 'refresh', 1).token)).toBeUndefined();
  });
});

describe('with AUTH_USER_CACHE_MS=0', () => {
  let uncached: Harness;
  beforeAll(async () => {
    uncached = await createHarness({ AUTH_USER_CACHE_MS: '0' }, { overrides: { now: () => clock.now } });
  });
  afterAll(() => uncached.close());

  it('refuses a user deactivated in SQL on the next request', async () => {
    const u = await createUser(uncached);
    expect((await me(uncached, u)).status).toBe(200);
    await sql(uncached, 'UPDATE users SET is_active = false WHERE id = :id', { id: u.id });
    expect(await me(uncached, u)).toMatchObject(inactive);
  });
});
