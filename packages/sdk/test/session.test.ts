import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHoldfastClient, isHoldfastError, type Session } from '../src';
import {
  createUser,
  PASSWORD,
  recordingFetch,
  startLiveServer,
  untilExpired,
  type LiveServer,
  type TestUser,
} from './support/live-server';

// Access tokens live one second here, so a test can let one expire instead of forging it. A token may then also
// expire between two steps of a test that does not wait for it; those tests only assert what holds either way.
let server: LiveServer;
beforeAll(async () => {
  server = await startLiveServer({ ACCESS_TOKEN_TTL_SECONDS: '1' });
});
afterAll(() => server.close());

function signedIn(user: TestUser) {
  const sessions: (Session | null)[] = [];
  const recorder = recordingFetch();
  const client = createHoldfastClient({
    url: server.url,
    session: { access: user.access, refresh: user.refresh },
    onSession: (s) => sessions.push(s),
    fetch: recorder.fetch,
  });
  return { client, sessions, recorder };
}

describe('session handling', () => {
  it('refreshes an expired access token and retries the call', async () => {
    const user = await createUser(server.h);
    const { client, sessions, recorder } = signedIn(user);
    await untilExpired(user.access);

    await expect(client.auth.me.query()).resolves.toMatchObject({ id: user.id });
    expect(recorder.count('auth.refresh')).toBe(1);
    expect(recorder.count('auth.me')).toBe(2);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.access).not.toBe(user.access);
    expect(sessions[0]?.refresh).not.toBe(user.refresh);
  });

  it('shares one refresh among ten concurrent calls', async () => {
    const user = await createUser(server.h);
    const { client, sessions, recorder } = signedIn(user);
    await untilExpired(user.access);

    // Five in one batch, five more in separate ticks, so some fail while the refresh is already under way.
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) calls.push(client.events.list.query());
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      calls.push(i % 2 === 0 ? client.auth.me.query() : client.reservations.list.query());
    }
    const results = await Promise.allSettled(calls);

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(recorder.count('auth.refresh')).toBe(1);
    expect(sessions).toHaveLength(1);
    // A racing second refresh would have reused a rotated token and revoked everything; the session still works.
    await expect(client.auth.me.query()).resolves.toMatchObject({ id: user.id });
  });

  it('retries a call refused after the refresh already finished without refreshing again', async () => {
    const user = await createUser(server.h);
    const sessions: (Session | null)[] = [];
    const signal = () => {
      let fire!: () => void;
      const fired = new Promise<void>((resolve) => (fire = resolve));
      return { fire, fired };
    };
    const firstOut = signal();
    const slowOut = signal();
    const renewed = signal();
    const sent: string[] = [];
    const client = createHoldfastClient({
      url: server.url,
      session: { access: user.access, refresh: user.refresh },
      onSession: (s) => {
        sessions.push(s);
        renewed.fire();
      },
      // Orders the race: the refresh waits until the slow call is out with the old token, and the slow call's 401
      // reaches the client only once the new session is in place.
      fetch: async (input, init) => {
        const path = new URL(String(input)).pathname.replace('/trpc/', '');
        sent.push(path);
        if (path === 'events.list') firstOut.fire();
        if (path === 'auth.refresh') await slowOut.fired;
        const slow = path === 'reservations.list' && sent.filter((p) => p === path).length === 1;
        if (slow) slowOut.fire();
        const response = await fetch(input, init as RequestInit);
        if (slow) await renewed.fired;
        return response;
      },
    });
    await untilExpired(user.access);

    const first = client.events.list.query();
    await firstOut.fired;
    const slow = client.reservations.list.query();
    await expect(Promise.all([first, slow])).resolves.toHaveLength(2);
    const carrying = (procedure: string) => sent.filter((p) => p.split(',').includes(procedure)).length;
    expect(carrying('auth.refresh')).toBe(1);
    expect(carrying('reservations.list')).toBe(2);
    expect(sessions).toHaveLength(1);
  });

  it('ends the session when the server refuses the refresh token', async () => {
    const user = await createUser(server.h);
    const { client, sessions, recorder } = signedIn(user);
    // Signing out everywhere from another client revokes this client's refresh token too.
    const other = createHoldfastClient({ url: server.url });
    await other.auth.login.mutate({ username: user.username, password: PASSWORD });
    await other.auth.logout.mutate({ all_devices: true });
    await untilExpired(user.access);

    const err = await client.auth.me.query().catch((e: unknown) => e);
    expect(isHoldfastError(err) && err.code).toBe('UNAUTHORIZED');
    expect(recorder.count('auth.refresh')).toBe(1);
    expect(sessions).toEqual([null]);
  });

  it('logs out with the session’s refresh token and forgets the session', async () => {
    const user = await createUser(server.h);
    const { client, sessions, recorder } = signedIn(user);

    await expect(client.auth.logout.mutate({})).resolves.toEqual({
      message: 'Successfully logged out. Token has been blacklisted.',
    });
    expect(sessions.at(-1)).toBeNull();
    // The last refresh token the client held (its first, unless the access token expired and it refreshed).
    const held = sessions.at(-2)?.refresh ?? user.refresh;

    const refreshesBefore = recorder.count('auth.refresh');
    const err = await client.auth.me.query().catch((e: unknown) => e);
    expect(isHoldfastError(err) && err.code).toBe('UNAUTHORIZED');
    expect(recorder.count('auth.refresh')).toBe(refreshesBefore);
    // The refresh token the client held is blacklisted now.
    const refreshed = await createHoldfastClient({ url: server.url })
      .auth.refresh.mutate({ refresh: held })
      .catch((e: unknown) => e);
    expect(isHoldfastError(refreshed) && refreshed.code).toBe('UNAUTHORIZED');
  });

  it('logs out after an automatic refresh with the rotated refresh token', async () => {
    const user = await createUser(server.h);
    const { client, sessions, recorder } = signedIn(user);
    await untilExpired(user.access);

    // Sending the rotated-out token would be refused (and read as token theft); the logout succeeds instead.
    await expect(client.auth.logout.mutate({})).resolves.toMatchObject({ message: expect.any(String) });
    expect(recorder.count('auth.refresh')).toBe(1);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]).toBeNull();
  });

  it('keeps the tokens of auth.token and auth.refresh calls', async () => {
    const user = await createUser(server.h);
    const sessions: (Session | null)[] = [];
    const client = createHoldfastClient({ url: server.url, onSession: (s) => sessions.push(s) });

    const pair = await client.auth.token.mutate({ username: user.username, password: PASSWORD });
    expect(sessions).toEqual([pair]);
    const rotated = await client.auth.refresh.mutate({ refresh: pair.refresh });
    expect(sessions).toEqual([pair, rotated]);
    await expect(client.auth.me.query()).resolves.toMatchObject({ id: user.id });
    expect(sessions.slice(0, 2)).toEqual([pair, rotated]);
  });
});
