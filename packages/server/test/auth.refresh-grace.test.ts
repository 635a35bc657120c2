// Two tabs (or processes) sharing one stored session refresh with the same token at once: within
// REFRESH_REUSE_GRACE_SECONDS the second gets the pair the first got, instead of a theft alarm that revokes every
// session of the user. A reuse after the window is still treated as theft.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IN_PROCESS, PASSWORD, createHarness, createUser, rest, type Harness, type TestUser } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ REFRESH_REUSE_GRACE_SECONDS: '20' });
});
afterAll(() => h.close());

const refresh = (token: string) => rest(h, 'POST', '/api/token/refresh/', { body: { refresh: token } });
const me = (access: string) => rest(h, 'GET', '/api/auth/users/me/', { token: access });

/** Moves a rotation of `token` back in time, as if the grace window had passed. */
async function ageRotation(user: TestUser, seconds: number): Promise<void> {
  await h.rt.sequelize.query(
    `UPDATE refresh_rotations SET rotated_at = rotated_at - make_interval(secs => :seconds)
      WHERE token_id IN (SELECT id FROM outstanding_tokens WHERE user_id = :userId)`,
    { replacements: { seconds, userId: user.id } },
  );
}

describe('refresh reuse grace window', () => {
  it('gives two simultaneous refreshes of one token the same new pair, and revokes nothing', async () => {
    const u = await createUser(h);
    const otherDevice = await h.rt.services.auth.obtainToken({ username: u.username, password: PASSWORD }, IN_PROCESS);
    const [one, two] = await Promise.all([refresh(u.refresh), refresh(u.refresh)]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(two.body).toEqual(one.body);
    expect(one.body.refresh).not.toBe(u.refresh);
    expect((await me(one.body.access)).status).toBe(200);
    // The session goes on: the new refresh token rotates, and the user's other session was not revoked.
    expect((await refresh(one.body.refresh)).status).toBe(200);
    expect((await refresh(otherDevice.refresh)).status).toBe(200);
  });

  it('keeps no token in the database, only what re-signing needs', async () => {
    const u = await createUser(h);
    const first = await refresh(u.refresh);
    const [row] = await h.rt.sequelize.query<Record<string, unknown>>(
      `SELECT rr.* FROM refresh_rotations rr JOIN outstanding_tokens o ON o.id = rr.token_id WHERE o.user_id = :id`,
      { type: 'SELECT' as never, replacements: { id: u.id } },
    );
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(first.body.refresh.split('.')[2]);
    expect(stored).not.toContain(first.body.access.split('.')[2]);
    expect((await refresh(u.refresh)).body).toEqual(first.body);
  });

  it('still treats a reuse after the window as theft and revokes every session', async () => {
    const u = await createUser(h);
    const otherDevice = await h.rt.services.auth.obtainToken({ username: u.username, password: PASSWORD }, IN_PROCESS);
    const rotated = await refresh(u.refresh);
    expect(rotated.status).toBe(200);
    await ageRotation(u, 21);
    const stolen = await refresh(u.refresh);
    expect(stolen).toMatchObject({ status: 401, body: { detail: 'Token is blacklisted', code: 'token_not_valid' } });
    for (const token of [rotated.body.refresh, otherDevice.refresh]) {
      expect(await refresh(token)).toMatchObject({ status: 401, body: { code: 'token_not_valid' } });
    }
  });

  it('refuses, without revoking, a replay whose pair was logged out meanwhile', async () => {
    const u = await createUser(h);
    const otherDevice = await h.rt.services.auth.obtainToken({ username: u.username, password: PASSWORD }, IN_PROCESS);
    const rotated = await refresh(u.refresh);
    const out = await rest(h, 'POST', '/api/auth/users/logout/', {
      token: rotated.body.access,
      body: { refresh: rotated.body.refresh },
    });
    expect(out.status).toBe(200);
    expect(await refresh(u.refresh)).toMatchObject({ status: 401, body: { code: 'token_not_valid' } });
    expect((await refresh(otherDevice.refresh)).status).toBe(200);
  });
});
