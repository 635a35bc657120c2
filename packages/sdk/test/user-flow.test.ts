import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHoldfastClient, isHoldfastError, type Session } from '../src';
import {
  createEvent,
  createUser,
  PASSWORD,
  recordingFetch,
  startLiveServer,
  unique,
  type LiveServer,
} from './support/live-server';

let server: LiveServer;
beforeAll(async () => {
  server = await startLiveServer();
});
afterAll(() => server.close());

describe('a user of the client', () => {
  it('registers, signs in, lists events, holds seats, confirms and cancels', async () => {
    const sessions: (Session | null)[] = [];
    const client = createHoldfastClient({ url: server.url, onSession: (s) => sessions.push(s) });
    const event = await createEvent(server.h, { capacity: 5 });
    const username = unique('flow');

    const registered = await client.auth.register.mutate({
      username,
      email: `${username}@example.com`,
      password: PASSWORD,
      password2: PASSWORD,
    });
    expect(registered.user.username).toBe(username);
    expect(sessions).toEqual([]);

    const login = await client.auth.login.mutate({ username, password: PASSWORD });
    expect(login.user.username).toBe(username);
    expect(sessions).toEqual([{ access: login.access, refresh: login.refresh }]);

    const me = await client.auth.me.query();
    expect(me).toMatchObject({ username, email: `${username}@example.com` });

    const listed = await client.events.list.query({ is_active: true });
    const mine = listed.results.find((e) => e.id === event.id);
    expect(mine).toMatchObject({ capacity: 5, available_capacity: 5 });

    const hold = await client.reservations.createHold.mutate({ event_id: event.id, quantity: 2 });
    expect(hold).toMatchObject({ status: 'HOLD', quantity: 2, event: event.id, user_username: username });
    expect(hold.expires_at).not.toBeNull();
    expect((await client.events.byId.query({ id: event.id })).available_capacity).toBe(3);

    const confirmed = await client.reservations.confirm.mutate({ reservation_id: hold.id });
    expect(confirmed).toMatchObject({ id: hold.id, status: 'CONFIRMED', expires_at: null });

    const cancelled = await client.reservations.cancel.mutate({ id: hold.id });
    expect(cancelled).toMatchObject({ id: hold.id, status: 'CANCELLED' });
    expect((await client.events.byId.query({ id: event.id })).available_capacity).toBe(5);

    const reservations = await client.reservations.list.query();
    expect(reservations.results.map((r) => [r.id, r.status])).toEqual([[hold.id, 'CANCELLED']]);
  });

  it('batches calls made together into one request', async () => {
    const { access, refresh } = await createUser(server.h);
    const requests: string[] = [];
    const client = createHoldfastClient({
      url: server.url,
      session: { access, refresh },
      fetch: (input, init) => {
        requests.push(String(input));
        return fetch(input, init as RequestInit);
      },
    });

    const [me, events, reservations] = await Promise.all([
      client.auth.me.query(),
      client.events.list.query(),
      client.reservations.list.query(),
    ]);
    expect(me.id).toBeGreaterThan(0);
    expect(Array.isArray(events.results)).toBe(true);
    expect(reservations.count).toBe(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toContain('/trpc/auth.me,events.list,reservations.list?batch=1');
  });

  it('sends the caller’s own headers with every request', async () => {
    const seen: (string | null)[] = [];
    const client = createHoldfastClient({
      url: `${server.url}/trpc`,
      headers: () => ({ 'X-Request-Id': 'sdk-test-1', Authorization: 'Bearer not-a-token' }),
      fetch: (input, init) => {
        const headers = new Headers(init?.headers as HeadersInit);
        seen.push(headers.get('x-request-id'), headers.get('authorization'));
        return fetch(input, init as RequestInit);
      },
    });
    await expect(client.auth.me.query()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(seen).toEqual(['sdk-test-1', 'Bearer not-a-token']);
  });

  it('sends a call’s idempotency key as its own Idempotency-Key header, so a repeat is applied once', async () => {
    const user = await createUser(server.h);
    const event = await createEvent(server.h, { capacity: 5 });
    const recorder = recordingFetch();
    const client = createHoldfastClient({
      url: server.url,
      session: { access: user.access, refresh: user.refresh },
      fetch: recorder.fetch,
    });
    const [a, b] = await Promise.all([
      client.reservations.createHold.mutate({ event_id: event.id, quantity: 1 }),
      client.reservations.createHold.mutate({ event_id: event.id, quantity: 1 }),
    ]);
    // Two keyed calls made together: each travels alone, never merged into a batch with one set of headers.
    const [first] = await Promise.all([
      client.reservations.cancel.mutate({ id: a.id }, { context: { idempotencyKey: `cancel-${a.id}` } }),
      client.reservations.cancel.mutate({ id: b.id }, { context: { idempotencyKey: `cancel-${b.id}` } }),
    ]);
    expect(recorder.requests.filter((paths) => paths.includes('reservations.cancel'))).toEqual([
      ['reservations.cancel'],
      ['reservations.cancel'],
    ]);
    // Without the header this repeat would be refused (INVALID_STATUS): with it, it replays the first answer.
    const again = await client.reservations.cancel.mutate(
      { id: a.id },
      { context: { idempotencyKey: `cancel-${a.id}` } },
    );
    expect(again).toEqual(first);
    expect(again.status).toBe('CANCELLED');
  });

  it('ends the session when logout finds it already revoked elsewhere', async () => {
    const user = await createUser(server.h);
    const sessions: (Session | null)[] = [];
    const client = createHoldfastClient({
      url: server.url,
      session: { access: user.access, refresh: user.refresh },
      onSession: (s) => sessions.push(s),
    });
    const elsewhere = createHoldfastClient({ url: server.url });
    await elsewhere.auth.login.mutate({ username: user.username, password: PASSWORD });
    await elsewhere.auth.logout.mutate({ all_devices: true });

    // Signing out everywhere ended this client's access token too: the logout's 401 leads to one refresh, which the
    // server refuses (the refresh token is blacklisted as well), so the session ends with the 401.
    const err = await client.auth.logout.mutate({}).catch((e: unknown) => e);
    expect(isHoldfastError(err) && [err.code, err.status]).toEqual(['UNAUTHORIZED', 401]);
    expect(sessions).toEqual([null]);
  });
});
