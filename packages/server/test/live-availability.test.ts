// Live availability across API processes: each harness is a separate "process" (own pool, own caches, own LISTEN
// connection) on the one test database, as two API replicas and a worker are in production; one test also runs a
// real second OS process (dist/main.js).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  TEST_JWT_SECRET,
  createEvent,
  createHarness,
  createUser,
  expireNow,
  rest,
  testEnv,
  type Harness,
  type TestUser,
} from './support/harness';
import { freePort } from './support/isolated';
import { openSse, type SseMessage, type SseStream } from './support/sse';

type Availability = {
  id: number;
  capacity: number;
  available_capacity: number;
  hold_count: number;
  confirmed_count: number;
  is_active: boolean;
  at: string;
};

// A long list cache, so a fresh list on the other process can only come from the signal, not the TTL.
const LONG_CACHE = { EVENT_LIST_CACHE_MS: '600000' };

// Separate processes as far as the database is concerned: each has its own pool, caches and LISTEN connection.
// All are made up front and closed at the end: sequelize-typescript binds the model classes to the last instance
// created, so none may be closed while the others still run queries through the models.
let a: Harness;
let b: Harness;
/** No listening connection: only its cache TTL would refresh its list. */
let deaf: Harness;
/** Holds lapse after 1 s. */
let quick: Harness;
/** Accepts one stream at a time, heartbeats every 100 ms. */
let capped: Harness;
let baseB: string;
let alice: TestUser;
const streams: SseStream[] = [];

async function listen(h: Harness): Promise<string> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}

async function stream(base: string, eventId: number, headers: Record<string, string> = {}): Promise<SseStream> {
  const s = await openSse(`${base}/api/events/${eventId}/availability/`, headers);
  streams.push(s);
  return s;
}

const parsed = (m: SseMessage) => JSON.parse(m.data) as Availability;
const availableIs = (n: number) => (m: SseMessage) => m.event === 'availability' && parsed(m).available_capacity === n;

/** The event as the list of process `h` shows it (filtered to its own time window, so it is on page 1). */
async function listOn(h: Harness, token: string, event: { id: number; start_time: string; end_time: string }) {
  const query = `start_date=${encodeURIComponent(event.start_time)}&end_date=${encodeURIComponent(event.end_time)}`;
  const res = await rest<{ results: { id: number; available_capacity: number }[] }>(h, 'GET', `/api/events/?${query}`, {
    token,
  });
  return res.body.results.find((e) => e.id === event.id);
}

beforeAll(async () => {
  a = await createHarness(LONG_CACHE);
  b = await createHarness(LONG_CACHE, { logger: { liveBackoffMs: { min: 3000, max: 3000 } } });
  deaf = await createHarness(LONG_CACHE);
  await deaf.rt.services.availability.close();
  quick = await createHarness({ HOLD_TTL_SECONDS: '1' });
  capped = await createHarness({ LIVE_MAX_SUBSCRIPTIONS: '1', LIVE_HEARTBEAT_MS: '100' });
  baseB = await listen(b);
  alice = await createUser(a);
});
afterAll(async () => {
  for (const s of streams) s.close();
  await Promise.all([a, b, deaf, quick, capped].map((h) => h?.close()));
});

describe('GET /api/events/{id}/availability/ across two API processes', () => {
  it('pushes a hold made through one process to a subscriber on the other, and refreshes its list, within 1 s', async () => {
    const event = await createEvent(a, { capacity: 10 });
    // Prime the other process's list cache with the event at 10 seats.
    expect((await listOn(b, alice.access, event))?.available_capacity).toBe(10);
    const s = await stream(baseB, event.id, { authorization: `Bearer ${alice.access}` });
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const first = await s.waitFor(availableIs(10), 5000, 'the initial value');
    expect(Object.keys(parsed(first)).sort()).toEqual(
      ['at', 'available_capacity', 'capacity', 'confirmed_count', 'hold_count', 'id', 'is_active'].sort(),
    );
    expect(first.id).toMatch(/^\d+$/);

    const started = Date.now();
    const res = await rest(a, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 3 },
    });
    expect(res.status).toBe(201);
    const pushed = await s.waitFor(availableIs(7), 1000, 'the hold, within 1 s');
    expect(parsed(pushed)).toMatchObject({ id: event.id, hold_count: 3, confirmed_count: 0, capacity: 10 });
    expect(Number(pushed.id)).toBeGreaterThan(Number(first.id));
    // The other process's list no longer shows the cached 10.
    expect((await listOn(b, alice.access, event))?.available_capacity).toBe(7);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does the same for a hold made through a separate OS process (dist/main.js)', async () => {
    const main = path.resolve(__dirname, '../dist/main.js');
    if (!existsSync(main)) throw new Error('packages/server/dist is missing: run `pnpm build` first (pnpm test does).');
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, ...testEnv(), PORT: String(port), HOST: '127.0.0.1', JWT_SECRET: TEST_JWT_SECRET },
      stdio: 'ignore',
    });
    try {
      const other = `http://127.0.0.1:${port}`;
      let ready = false;
      for (let i = 0; i < 300 && !ready; i++) {
        ready = await fetch(`${other}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(true);
      const event = await createEvent(a, { capacity: 10 });
      expect((await listOn(b, alice.access, event))?.available_capacity).toBe(10);
      const s = await stream(baseB, event.id, { authorization: `Bearer ${alice.access}` });
      await s.waitFor(availableIs(10));
      const res = await fetch(`${other}/api/reservations/create_hold/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ event_id: event.id, quantity: 5 }),
      });
      expect(res.status).toBe(201);
      await s.waitFor(availableIs(5), 1000, 'the other process’s hold, within 1 s');
      expect((await listOn(b, alice.access, event))?.available_capacity).toBe(5);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('keeps a process without the signal stale for its cache TTL (negative control of the test above)', async () => {
    {
      const c = deaf;
      const event = await createEvent(a, { capacity: 10 });
      expect((await listOn(c, alice.access, event))?.available_capacity).toBe(10);
      await rest(a, 'POST', '/api/reservations/create_hold/', {
        token: alice.access,
        body: { event_id: event.id, quantity: 2 },
      });
      // The listening process (b) sees it; the deaf one (c) still answers from its cache.
      const s = await stream(baseB, event.id, { authorization: `Bearer ${alice.access}` });
      await s.waitFor(availableIs(8), 2000, 'the hold on the listening process');
      expect((await listOn(c, alice.access, event))?.available_capacity).toBe(10);
    }
  });

  it('recovers from a dropped listening connection and ends at the right value', async () => {
    const event = await createEvent(a, { capacity: 10 });
    const pid = b.rt.services.availability.listenerPid;
    expect(pid).toBeDefined();
    await a.rt.sequelize.query('SELECT pg_terminate_backend(:pid)', { replacements: { pid } });
    // Wait until b has noticed; its reconnect comes 1.5-3 s later (LIVE backoff set above).
    while (b.rt.services.availability.listenerPid === pid) await new Promise((r) => setImmediate(r));
    const s = await stream(baseB, event.id, { authorization: `Bearer ${alice.access}` });
    await s.waitFor(availableIs(10));
    // Made while nobody on b listens: its NOTIFY never reaches b.
    await rest(a, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 4 },
    });
    expect(b.rt.services.availability.listenerPid).toBeUndefined();
    // The reconnect re-reads every watched event.
    await s.waitFor(availableIs(6), 8000, 'the value after reconnecting');
    expect(b.rt.services.availability.listenerPid).toBeDefined();
    expect(b.rt.services.availability.listenerPid).not.toBe(pid);
  });

  it('pushes the worker expiring a hold (a write from a process that serves no API)', async () => {
    const event = await createEvent(a, { capacity: 5 });
    const hold = await rest<{ id: number }>(a, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 2 },
    });
    const s = await stream(baseB, event.id, { authorization: `Bearer ${alice.access}` });
    await s.waitFor(availableIs(3));
    // Overdue by the clock, but without a write to the event row the subscriber is not told yet...
    await expireNow(a, hold.body.id);
    // ...until the worker's sweep (the service the worker's job calls) releases the seats.
    const { expired } = await a.rt.services.reservations.expireOverdueHolds();
    expect(expired).toBeGreaterThanOrEqual(1);
    await s.waitFor(availableIs(5), 2000, 'the expiry');
  });

  it('pushes a hold lapsing by the clock, with no write at all', async () => {
    {
      const c = quick;
      const base = await listen(c);
      const event = await createEvent(c, { capacity: 4 });
      const s = await stream(base, event.id, { authorization: `Bearer ${alice.access}` });
      await s.waitFor(availableIs(4));
      await rest(c, 'POST', '/api/reservations/create_hold/', {
        token: alice.access,
        body: { event_id: event.id, quantity: 1 },
      });
      await s.waitFor(availableIs(3), 2000, 'the hold');
      await s.waitFor(availableIs(4), 3000, 'the lapse');
      s.close();
    }
  });

  it('pushes confirms, cancels and event edits', async () => {
    const admin = await createUser(a, { admin: true });
    const event = await createEvent(a, { capacity: 6 });
    const s = await stream(baseB, event.id, { authorization: `Bearer ${alice.access}` });
    await s.waitFor(availableIs(6));
    const h1 = await rest<{ id: number }>(a, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 2 },
    });
    await rest(a, 'POST', '/api/reservations/confirm/', { token: alice.access, body: { reservation_id: h1.body.id } });
    await s.waitFor((m) => parsed(m).confirmed_count === 2 && parsed(m).hold_count === 0, 2000, 'the confirm');
    await rest(a, 'POST', `/api/reservations/${h1.body.id}/cancel/`, { token: alice.access });
    await s.waitFor((m) => parsed(m).confirmed_count === 0 && parsed(m).available_capacity === 6, 2000, 'the cancel');
    await rest(a, 'PATCH', `/api/events/${event.id}/`, {
      token: admin.access,
      body: { capacity: 9, is_active: false },
    });
    await s.waitFor((m) => parsed(m).capacity === 9 && !parsed(m).is_active, 2000, 'the edit');
  });

  it('coalesces a burst and still delivers its last value', async () => {
    const event = await createEvent(a, { capacity: 50 });
    const s = await stream(baseB, event.id, { authorization: `Bearer ${alice.access}` });
    await s.waitFor(availableIs(50));
    const users = await Promise.all(Array.from({ length: 5 }, () => createUser(a)));
    await Promise.all(
      users.flatMap((u) =>
        Array.from({ length: 4 }, () =>
          rest(a, 'POST', '/api/reservations/create_hold/', { token: u.access, body: { event_id: event.id } }),
        ),
      ),
    );
    await s.waitFor(availableIs(30), 2000, 'the last value of the burst');
    // 20 holds, far fewer messages (at most one read per LIVE_COALESCE_MS per event).
    expect(s.messages.length).toBeLessThan(20);
  });

  it('does not repeat the reading named by Last-Event-ID on reconnect', async () => {
    const event = await createEvent(a, { capacity: 3 });
    const first = await stream(baseB, event.id, { authorization: `Bearer ${alice.access}` });
    const seen = await first.waitFor(availableIs(3));
    first.close();
    const resumed = await stream(baseB, event.id, {
      authorization: `Bearer ${alice.access}`,
      'last-event-id': seen.id ?? '',
    });
    await rest(a, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 1 },
    });
    await resumed.waitFor(availableIs(2), 2000, 'the change after resuming');
    expect(resumed.messages.map((m) => parsed(m).available_capacity)).toEqual([2]);
  });
});

describe('stream access and limits', () => {
  it('answers 401 without a token, with a bad one, and ignores a token in the URL', async () => {
    const event = await createEvent(a);
    const none = await stream(baseB, event.id);
    expect(none.status).toBe(401);
    const bad = await stream(baseB, event.id, { authorization: 'Bearer not-a-token' });
    expect(bad.status).toBe(401);
    const inUrl = await openSse(`${baseB}/api/events/${event.id}/availability/?token=${alice.access}`);
    streams.push(inUrl);
    expect(inUrl.status).toBe(401);
    const trpc = await openSse(
      `${baseB}/trpc/events.availability?input=${encodeURIComponent(JSON.stringify({ event_ids: [event.id] }))}`,
    );
    streams.push(trpc);
    // tRPC's SSE protocol answers 200 and sends the error as the stream's only message, then ends it.
    const refused = await trpc.waitFor((m) => m.event === 'serialized-error', 3000, 'the tRPC error');
    expect(JSON.parse(refused.data)).toMatchObject({ data: { httpStatus: 401, code: 'UNAUTHORIZED' } });
    await trpc.ended;
  });

  it('answers 404 for a missing event and 400 for a bad id', async () => {
    const auth = { authorization: `Bearer ${alice.access}` };
    expect((await stream(baseB, 2_000_000_000, auth)).status).toBe(404);
    const bad = await openSse(`${baseB}/api/events/abc/availability/`, auth);
    expect(bad.status).toBe(400);
  });

  it('refuses bad subscription input and non-GET methods with a 4xx error and ends the stream', async () => {
    const auth = { authorization: `Bearer ${alice.access}` };
    const open = b.rt.services.availability.subscriberCount;
    const bad: unknown[] = [
      { event_ids: [] },
      { event_ids: Array.from({ length: 101 }, (_, i) => i + 1) },
      { event_ids: [1.5] },
      { event_ids: ['x'] },
      { event_ids: [1], extra: true },
      { event_ids: [-1] },
      {},
      null,
      "'; DELETE FROM events; --",
    ];
    for (const input of bad) {
      const s = await openSse(
        `${baseB}/trpc/events.availability?input=${encodeURIComponent(JSON.stringify(input))}`,
        auth,
      );
      streams.push(s);
      const error = await s.waitFor(
        (m) => m.event === 'serialized-error',
        3000,
        `the error for ${JSON.stringify(input)}`,
      );
      expect(JSON.parse(error.data)).toMatchObject({ data: { httpStatus: 400 } });
      await s.ended;
      expect(s.messages.filter((m) => m.event !== 'connected')).toHaveLength(1);
    }
    const post = await fetch(`${baseB}/trpc/events.availability`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ event_ids: [1] }),
    });
    expect(await post.text()).toContain('"httpStatus":405');
    expect(b.rt.services.availability.subscriberCount).toBe(open);
  });

  it('streams the tRPC subscription events.availability over SSE', async () => {
    const event = await createEvent(a, { capacity: 8 });
    const input = encodeURIComponent(JSON.stringify({ event_ids: [event.id, event.id] }));
    const s = await openSse(`${baseB}/trpc/events.availability?input=${input}`, {
      authorization: `Bearer ${alice.access}`,
    });
    streams.push(s);
    expect(s.status).toBe(200);
    const data = (m: SseMessage) => (m.data.startsWith('{') ? (JSON.parse(m.data) as Availability) : undefined);
    await s.waitFor((m) => data(m)?.available_capacity === 8, 3000, 'the initial value');
    await rest(a, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 1 },
    });
    await s.waitFor((m) => data(m)?.available_capacity === 7, 2000, 'the hold');
  });

  it('refuses subscriptions past LIVE_MAX_SUBSCRIPTIONS with 503 BUSY, sends heartbeats, and closes streams when the app closes', async () => {
    const c = capped;
    const base = await listen(c);
    const event = await createEvent(c);
    const auth = { authorization: `Bearer ${alice.access}` };
    const open = await stream(base, event.id, auth);
    await open.waitFor(() => true);
    const refused = await stream(base, event.id, auth);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    // The heartbeat comes every 100 ms here.
    const before = open.comments;
    await new Promise((r) => setTimeout(r, 350));
    expect(open.comments - before).toBeGreaterThanOrEqual(2);
    await c.app.close(); // resolves only once the open stream has been ended by the server
    await open.ended;
  });
});
