import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { Writable } from 'node:stream';
import {
  PASSWORD,
  TEST_JWT_SECRET,
  createHarness,
  createUser,
  rest,
  trpc,
  unique,
  type Harness,
  IN_PROCESS,
} from './support/harness';

let h: Harness;
const logLines: string[] = [];

beforeAll(async () => {
  // Capture every log line at the most verbose level to prove no password or hash is ever logged.
  const stream = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  // Strict rotation (no grace window): the window is tested in auth.refresh-grace.test.ts.
  h = await createHarness(
    { LOGIN_MAX_FAILURES: '5', REFRESH_REUSE_GRACE_SECONDS: '0' },
    { logger: { logger: { level: 'trace', stream } } },
  );
});
afterAll(() => h.close());

const register = (body: Record<string, unknown>) => rest(h, 'POST', '/api/auth/users/register/', { body });
const newUserBody = (username = unique('u')) => ({
  username,
  email: `${username}@example.com`,
  password: PASSWORD,
  password2: PASSWORD,
});

describe('register', () => {
  it('creates a user and answers 201 without tokens', async () => {
    const body = { ...newUserBody(), first_name: 'Alice', last_name: 'A' };
    const res = await register(body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: {
        id: expect.any(Number),
        username: body.username,
        email: body.email,
        first_name: 'Alice',
        last_name: 'A',
        created_at: expect.stringMatching(/Z$/),
      },
      message: 'User registered successfully. Please login to get access token.',
    });
  });

  it('reports duplicate username and email (case-insensitive) together', async () => {
    const body = newUserBody();
    await register(body);
    const res = await register({ ...body, email: body.email.toUpperCase() });
    expect(res).toMatchObject({
      status: 400,
      body: {
        username: ['A user with that username already exists.'],
        email: ['User with this email already exists.'],
      },
    });
  });

  it('reports a password mismatch', async () => {
    const res = await register({ ...newUserBody(), password2: 'different1!' });
    expect(res.body).toEqual({ password: ["Password fields didn't match."] });
  });

  it("applies Django's password validators with their messages", async () => {
    const weak = await register({ ...newUserBody(), password: '123', password2: '123' });
    expect(weak.body).toEqual({
      password: [
        'This password is too short. It must contain at least 8 characters.',
        'This password is too common.',
        'This password is entirely numeric.',
      ],
    });
    const common = await register({ ...newUserBody(), password: 'iloveyou', password2: 'iloveyou' });
    expect(common.body).toEqual({ password: ['This password is too common.'] });
    const name = unique('samantha');
    const similar = await register({ ...newUserBody(name), password: `${name}1`, password2: `${name}1` });
    expect(similar.body).toEqual({ password: ['The password is too similar to the username.'] });
  });

  it('reports missing fields and a bad email', async () => {
    const res = await register({ username: unique('carol'), email: 'not-an-email' });
    expect(res.body).toEqual({
      email: ['Enter a valid email address.'],
      password: ['This field is required.'],
      password2: ['This field is required.'],
    });
  });

  it('rejects unknown fields such as is_superuser (no mass assignment)', async () => {
    const res = await register({ ...newUserBody(), is_superuser: true });
    expect(res).toMatchObject({ status: 400, body: { is_superuser: ['Unknown field.'] } });
  });
});

describe('login and /api/token/', () => {
  it('signs in with the old body and token claims', async () => {
    const u = await createUser(h);
    const res = await rest(h, 'POST', '/api/auth/users/login/', { body: { username: u.username, password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: u.id, username: u.username });
    const access = jwt.decode(res.body.access) as Record<string, unknown>;
    const refresh = jwt.decode(res.body.refresh) as Record<string, unknown>;
    expect(access).toMatchObject({ token_type: 'access', user_id: u.id });
    expect(refresh).toMatchObject({ token_type: 'refresh', user_id: u.id });
    expect(Number(access.exp) - Number(access.iat)).toBe(3600);
    expect(Number(refresh.exp) - Number(refresh.iat)).toBe(7 * 24 * 3600);
    expect(access.jti).toEqual(expect.any(String));
  });

  it('answers bad credentials and missing fields like the old system', async () => {
    const u = await createUser(h);
    expect(
      await rest(h, 'POST', '/api/auth/users/login/', { body: { username: u.username, password: 'nope' } }),
    ).toMatchObject({ status: 401, body: { error: 'Invalid credentials' } });
    expect(await rest(h, 'POST', '/api/auth/users/login/', { body: { username: u.username } })).toMatchObject({
      status: 400,
      body: { error: 'Username and password are required' },
    });
    const token = await rest(h, 'POST', '/api/token/', { body: { username: u.username, password: 'nope' } });
    expect(token).toMatchObject({
      status: 401,
      body: { detail: 'No active account found with the given credentials' },
    });
    const ok = await rest(h, 'POST', '/api/token/', { body: { username: u.username, password: PASSWORD } });
    expect(Object.keys(ok.body).sort()).toEqual(['access', 'refresh']);
  });

  it('locks one account after 5 failures with 429 and Retry-After, without locking others', async () => {
    const victim = await createUser(h);
    const other = await createUser(h);
    for (let i = 0; i < 5; i++) {
      await rest(h, 'POST', '/api/token/', { body: { username: victim.username, password: 'wrong' } });
    }
    const locked = await rest(h, 'POST', '/api/token/', { body: { username: victim.username, password: PASSWORD } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body.detail).toMatch(/throttled/);
    const fine = await rest(h, 'POST', '/api/token/', { body: { username: other.username, password: PASSWORD } });
    expect(fine.status).toBe(200);
  });

  it('answers unknown usernames exactly like known ones, lockout included', async () => {
    const ghost = unique('ghost');
    const first = await rest(h, 'POST', '/api/auth/users/login/', { body: { username: ghost, password: 'x' } });
    expect(first).toMatchObject({ status: 401, body: { error: 'Invalid credentials' } });
    for (let i = 0; i < 4; i++) {
      await rest(h, 'POST', '/api/auth/users/login/', { body: { username: ghost, password: 'x' } });
    }
    expect((await rest(h, 'POST', '/api/auth/users/login/', { body: { username: ghost, password: 'x' } })).status).toBe(
      429,
    );
  });
});

describe('refresh rotation and blacklist', () => {
  it('rotates the refresh token and blacklists the old one', async () => {
    const u = await createUser(h);
    const first = await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: u.refresh } });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['access', 'refresh']);
    expect(first.body.refresh).not.toBe(u.refresh);
    const reused = await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: u.refresh } });
    expect(reused).toMatchObject({ status: 401, body: { detail: 'Token is blacklisted', code: 'token_not_valid' } });
  });

  it('revokes every refresh token of the user when a rotated one is reused', async () => {
    const u = await createUser(h);
    const other = await h.rt.services.auth.obtainToken({ username: u.username, password: PASSWORD }, IN_PROCESS);
    const rotated = await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: u.refresh } });
    await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: u.refresh } });
    for (const token of [rotated.body.refresh, other.refresh]) {
      const res = await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: token } });
      expect(res).toMatchObject({ status: 401, body: { code: 'token_not_valid' } });
    }
  });

  it('lets exactly one of two parallel refreshes of one token win', async () => {
    const u = await createUser(h);
    const results = await Promise.all(
      [1, 2].map(() => rest(h, 'POST', '/api/token/refresh/', { body: { refresh: u.refresh } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('answers garbage and missing fields like simplejwt', async () => {
    expect(await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: 'garbage' } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is invalid or expired', code: 'token_not_valid' },
    });
    expect(await rest(h, 'POST', '/api/token/refresh/', { body: {} })).toMatchObject({
      status: 400,
      body: { refresh: ['This field is required.'] },
    });
  });
});

describe('token checks', () => {
  const forge = (claims: object, secret = TEST_JWT_SECRET, alg: jwt.Algorithm = 'HS256') =>
    jwt.sign({ jti: 'x', ...claims }, secret, { algorithm: alg });

  it('refuses alg none, a wrong signature, an expired token, and a refresh token used as access', async () => {
    const u = await createUser(h);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ token_type: 'access', user_id: u.id, jti: 'x', iat: 1, exp: 9999999999 }),
    ).toString('base64url')}.`;
    const cases = [
      none,
      forge({ token_type: 'access', user_id: u.id }, 'another-secret-another-secret-another-secret'),
      forge({ token_type: 'access', user_id: u.id, exp: Math.floor(Date.now() / 1000) - 10 }),
      u.refresh,
    ];
    for (const token of cases) {
      const res = await rest(h, 'GET', '/api/auth/users/me/', { token });
      expect(res).toMatchObject({
        status: 401,
        body: { detail: 'Given token not valid for any token type', code: 'token_not_valid' },
      });
    }
  });

  it('refuses an access token used as a refresh token', async () => {
    const u = await createUser(h);
    const res = await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: u.access } });
    expect(res).toMatchObject({ status: 401, body: { code: 'token_not_valid' } });
  });

  it("stops a deactivated user's tokens", async () => {
    const u = await createUser(h);
    expect((await rest(h, 'GET', '/api/auth/users/me/', { token: u.access })).status).toBe(200);
    await h.rt.services.auth.setActive(u.username, false);
    expect((await rest(h, 'GET', '/api/auth/users/me/', { token: u.access })).status).toBe(401);
    expect((await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: u.refresh } })).status).toBe(401);
  });
});

describe('logout', () => {
  it('blacklists the refresh token; a second logout and a refresh with it fail', async () => {
    const u = await createUser(h);
    const other = await h.rt.services.auth.obtainToken({ username: u.username, password: PASSWORD }, IN_PROCESS);
    const out = await rest(h, 'POST', '/api/auth/users/logout/', { token: u.access, body: { refresh: u.refresh } });
    expect(out).toMatchObject({
      status: 200,
      body: { message: 'Successfully logged out. Token has been blacklisted.' },
    });
    // The logout ended its own access token too; another session tries the same refresh token again.
    expect((await rest(h, 'GET', '/api/auth/users/me/', { token: u.access })).status).toBe(401);
    expect(
      await rest(h, 'POST', '/api/auth/users/logout/', { token: other.access, body: { refresh: u.refresh } }),
    ).toMatchObject({ status: 400, body: { error: 'Invalid token or already blacklisted: Token is blacklisted' } });
    expect(await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: u.refresh } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is blacklisted' },
    });
  });

  it('needs the refresh token and an access token', async () => {
    const u = await createUser(h);
    expect(await rest(h, 'POST', '/api/auth/users/logout/', { token: u.access, body: {} })).toMatchObject({
      status: 400,
      body: { error: 'Refresh token is required' },
    });
    expect(await rest(h, 'POST', '/api/auth/users/logout/', { body: { refresh: u.refresh } })).toMatchObject({
      status: 401,
      body: { detail: 'Authentication credentials were not provided.' },
    });
  });

  it('logs out of every device with all_devices', async () => {
    const u = await createUser(h);
    const second = await h.rt.services.auth.obtainToken({ username: u.username, password: PASSWORD }, IN_PROCESS);
    const out = await rest(h, 'POST', '/api/auth/users/logout/', {
      token: u.access,
      body: { refresh: u.refresh, all_devices: true },
    });
    expect(out.status).toBe(200);
    expect((await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: second.refresh } })).status).toBe(401);
  });
});

describe('no open user management', () => {
  it.each([
    ['GET', '/api/auth/users/'],
    ['POST', '/api/auth/users/'],
    ['GET', '/api/auth/users/1/'],
    ['PATCH', '/api/auth/users/1/'],
    ['PUT', '/api/auth/users/1/'],
    ['DELETE', '/api/auth/users/1/'],
  ] as const)('%s %s answers 401/404/405 and never data', async (method, url) => {
    const res = await rest(h, method, url, {
      body: method === 'GET' || method === 'DELETE' ? undefined : { username: 'x' },
    });
    expect([401, 404, 405]).toContain(res.status);
    expect(JSON.stringify(res.body)).not.toMatch(/username|email/);
  });
});

describe('over tRPC', () => {
  it('registers, logs in, reads me, refreshes and logs out', async () => {
    const body = newUserBody();
    const reg = await trpc(h, 'mutation', 'auth.register', body);
    expect(reg.data.user.username).toBe(body.username);
    const login = await trpc(h, 'mutation', 'auth.login', { username: body.username, password: PASSWORD });
    expect(login.data).toMatchObject({ user: { username: body.username } });
    const me = await trpc(h, 'query', 'auth.me', undefined, login.data.access);
    expect(me.data.username).toBe(body.username);
    const token = await trpc(h, 'mutation', 'auth.token', { username: body.username, password: PASSWORD });
    expect(Object.keys(token.data).sort()).toEqual(['access', 'refresh']);
    const refreshed = await trpc(h, 'mutation', 'auth.refresh', { refresh: login.data.refresh });
    expect(refreshed.data.access).toEqual(expect.any(String));
    const out = await trpc(h, 'mutation', 'auth.logout', { refresh: refreshed.data.refresh }, refreshed.data.access);
    expect(out.data.message).toMatch(/logged out/);
  });

  it('carries the API.md codes and field errors in error.data', async () => {
    const bad = await trpc(h, 'mutation', 'auth.login', { username: unique('nobody'), password: 'x' });
    expect(bad.status).toBe(401);
    expect(bad.error?.data).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHORIZED' });
    const invalid = await trpc(h, 'mutation', 'auth.register', { username: unique('x'), email: 'nope' });
    expect(invalid.status).toBe(400);
    expect(invalid.error?.data.fieldErrors).toMatchObject({ email: ['Enter a valid email address.'] });
    expect(invalid.error?.data).not.toHaveProperty('rest');
    const reused = await trpc(h, 'mutation', 'auth.refresh', { refresh: 'garbage' });
    expect(reused.error?.message).toBe('Token is invalid or expired');
    const anon = await trpc(h, 'query', 'auth.me');
    expect(anon.status).toBe(401);
  });
});

describe('secrets in logs', () => {
  it('never logs a password or a password hash', async () => {
    const body = newUserBody();
    await register(body);
    await rest(h, 'POST', '/api/auth/users/login/', { body: { username: body.username, password: PASSWORD } });
    await rest(h, 'POST', '/api/auth/users/login/', { body: { username: body.username, password: 'wrong-password' } });
    const all = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain('wrong-password');
    expect(all).not.toMatch(/\$2[aby]\$\d\d\$/);
  });
});
