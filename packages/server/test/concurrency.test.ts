// Races against the real database. Each test would fail on an oversell or a counter drift; the negative control
// shows the same storm does oversell when the event lock (and the CHECK guard behind it) are switched off.
// Requests are spread over three app instances on one database, as over API replicas: inside one process the hold
// batcher already puts an event's holds in line, so only several processes put the row lock itself to the test.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { holdBatchSize } from '../src/metrics';
import { createEvent, createHarness, createUser, ledger, rest, type Harness, type TestUser } from './support/harness';
import { withUnsafeHarness } from './support/isolated';

let h: Harness;
let replicas: Harness[];
let users: TestUser[];
let admin: TestUser;

beforeAll(async () => {
  const instances = await Promise.all(
    [1, 2, 3].map(() => createHarness({ MAX_ACTIVE_HOLDS_PER_USER: '0', MAX_HELD_SEATS_PER_USER: '0' })),
  );
  h = instances[0]!;
  replicas = instances.slice(1);
  admin = await createUser(h, { admin: true });
  users = await Promise.all(Array.from({ length: 10 }, () => createUser(h)));
});
afterAll(() => Promise.all([h, ...replicas].map((i) => i.close())));

/** The i-th request's instance: round robin over the app and its replicas. */
const instance = (i: number, all: Harness[] = [h, ...replicas]) => all[i % all.length]!;

const holdVia = (hh: Harness, user: TestUser, eventId: number, quantity = 1) =>
  rest(hh, 'POST', '/api/reservations/create_hold/', { token: user.access, body: { event_id: eventId, quantity } });

function expectConsistent(l: Awaited<ReturnType<typeof ledger>>) {
  expect(l.held).toBe(l.recount_held);
  expect(l.confirmed).toBe(l.recount_confirmed);
  expect(l.live_held + l.confirmed).toBeLessThanOrEqual(l.capacity);
}

describe('never oversell', () => {
  it('50 parallel holds on 10 seats: exactly 10 succeed, the rest get 409', async () => {
    const event = await createEvent(h, { capacity: 10 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => holdVia(instance(i), users[i % users.length]!, event.id)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    const l = await ledger(h, event.id);
    expect(l.held).toBe(10);
    expectConsistent(l);
  });

  it('mixed quantities fill the event without exceeding it', async () => {
    const event = await createEvent(h, { capacity: 37 });
    const quantities = Array.from({ length: 40 }, (_, i) => 1 + ((i * 7) % 5));
    const results = await Promise.all(
      quantities.map((q, i) => holdVia(instance(i), users[i % users.length]!, event.id, q)),
    );
    const granted = results.filter((r) => r.status === 201).reduce((sum, r) => sum + (r.body.quantity as number), 0);
    const refused = quantities.filter((_, i) => results[i]!.status === 409);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const l = await ledger(h, event.id);
    expect(l.held).toBe(granted);
    expectConsistent(l);
    // Seats only ever went down, so every refused request still cannot fit.
    if (refused.length > 0) expect(l.capacity - l.held).toBeLessThan(Math.min(...refused));
  });

  it('a refused batch member still gets a seat that is free (the batch takes a prefix, the rest retry exactly)', async () => {
    // 7 seats. The service is called directly, in a known order: a lone 1-seat hold goes out at once, and the four
    // submitted while it is in flight form the next batch, [4, 3, 1, 1]. The batch places the prefix [4]; the 3
    // cannot fit the 2 seats left, and the 1s behind it must still get them on the exact path. (Over HTTP the four
    // could arrive in any order, and a 3 landing first makes 5 granted seats the right answer, not 6.)
    const event = await createEvent(h, { capacity: 7 });
    const asAuthUser = (u: TestUser) => ({ id: u.id, username: u.username, email: u.email, isSuperuser: false });
    const quantities = [1, 4, 3, 1, 1];
    const settled = await Promise.allSettled(
      quantities.map((quantity, i) =>
        h.rt.services.reservations.createHold(asAuthUser(users[i]!), { event_id: event.id, quantity }),
      ),
    );
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const refused = settled[2] as PromiseRejectedResult;
    expect((refused.reason as { code?: string }).code).toBe('INSUFFICIENT_CAPACITY');
    const l = await ledger(h, event.id);
    expect(l.held).toBe(7);
    expectConsistent(l);
  });

  it('holds on one event from one instance share statements (group commit), and all of them land', async () => {
    const sizes = async () => {
      const { values } = await holdBatchSize.get();
      const value = (suffix: string) =>
        values.find((v) => v.metricName === `holdfast_hold_batch_size${suffix}`)?.value ?? 0;
      return { batches: value('_count'), requests: value('_sum') };
    };
    const event = await createEvent(h, { capacity: 1000 });
    const before = await sizes();
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => holdVia(h, users[i % 10]!, event.id)));
    const after = await sizes();
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(60);
    // Other files' instances may batch at the same time in this process, hence "at least".
    expect(after.requests - before.requests).toBeGreaterThanOrEqual(60);
    expect(after.batches - before.batches).toBeLessThan(after.requests - before.requests);
    const l = await ledger(h, event.id);
    expect(l.held).toBe(60);
    expectConsistent(l);
  });

  it('confirm racing cancel on one hold ends in one consistent state', async () => {
    const event = await createEvent(h, { capacity: 50 });
    const user = users[0]!;
    for (let round = 0; round < 15; round++) {
      const held = await holdVia(h, user, event.id, 2);
      const [confirm, cancel] = await Promise.all([
        rest(h, 'POST', '/api/reservations/confirm/', { token: user.access, body: { reservation_id: held.body.id } }),
        rest(h, 'POST', `/api/reservations/${held.body.id}/cancel/`, { token: user.access }),
      ]);
      expect(cancel.status).toBe(200); // cancel wins outright or cancels the confirmed reservation
      expect([200, 400]).toContain(confirm.status);
      const final = await rest(h, 'GET', `/api/reservations/${held.body.id}/`, { token: user.access });
      expect(final.body.status).toBe('CANCELLED');
    }
    const l = await ledger(h, event.id);
    expect(l.held + l.confirmed).toBe(0);
    expectConsistent(l);
  });

  it('a hold racing an admin capacity cut never leaves the event oversold', async () => {
    for (let round = 0; round < 5; round++) {
      const event = await createEvent(h, { capacity: 10 });
      const [cut, ...holds] = await Promise.all([
        rest(h, 'PATCH', `/api/events/${event.id}/`, { token: admin.access, body: { capacity: 5 } }),
        ...Array.from({ length: 8 }, (_, i) => holdVia(instance(i), users[i]!, event.id)),
      ]);
      const l = await ledger(h, event.id);
      expectConsistent(l);
      const granted = holds.filter((r) => r.status === 201).length;
      expect(l.held).toBe(granted);
      if (cut.status === 200) expect(l.capacity).toBe(5);
      else expect(cut.body.code).toBe('CAPACITY_BELOW_RESERVED');
    }
  });

  it('expiry racing confirm at expires_at has exactly one outcome', async () => {
    const event = await createEvent(h, { capacity: 100 });
    const user = users[1]!;
    for (let round = 0; round < 12; round++) {
      const held = await holdVia(h, user, event.id);
      // Let the hold lapse a few milliseconds from now, then race confirm against the sweep around that instant.
      await h.rt.sequelize.query(
        `UPDATE reservations SET expires_at = now() + interval '30 milliseconds' WHERE id = :id`,
        {
          replacements: { id: held.body.id },
        },
      );
      await new Promise((r) => setTimeout(r, 20 + (round % 4) * 5));
      const [confirm] = await Promise.all([
        rest(h, 'POST', '/api/reservations/confirm/', { token: user.access, body: { reservation_id: held.body.id } }),
        h.rt.services.reservations.expireOverdueHolds(),
      ]);
      const final = await rest(h, 'GET', `/api/reservations/${held.body.id}/`, { token: user.access });
      if (confirm.status === 200) expect(final.body.status).toBe('CONFIRMED');
      else {
        expect(confirm.body.code).toBe('RESERVATION_EXPIRED');
        expect(final.body.status).toBe('EXPIRED');
      }
    }
    expectConsistent(await ledger(h, event.id));
  });
});

describe('per-user cap under races', () => {
  it('one user racing 30 holds over three instances gets exactly the cap, counted after the lock', async () => {
    const capped = await Promise.all([1, 2, 3].map(() => createHarness({ MAX_ACTIVE_HOLDS_PER_USER: '1' })));
    const blocker = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await blocker.connect();
    try {
      const user = users[2]!;
      const event = await createEvent(h, { capacity: 100 });
      // Hold the event row so the first batch of every instance is already waiting on it, its snapshot taken, when
      // it frees: each batch after the first must count the hold committed while it waited (a count read with the
      // statement's snapshot lets all three through).
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM events WHERE id = $1 FOR UPDATE', [event.id]);
      const racing = Promise.all(Array.from({ length: 30 }, (_, i) => holdVia(instance(i, capped), user, event.id)));
      await waitForLockWaiters(blocker, 3);
      await blocker.query('ROLLBACK');
      const results = await racing;
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused.map((r) => `${r.status} ${r.body.code}`)).toEqual(refused.map(() => '409 TOO_MANY_ACTIVE_HOLDS'));
      // Other users are not held back by one user's cap, in the same batches.
      const others = await Promise.all(
        Array.from({ length: 4 }, (_, i) => holdVia(instance(i, capped), users[3 + i]!, event.id)),
      );
      expect(others.filter((r) => r.status === 201)).toHaveLength(4);
      const l = await ledger(h, event.id);
      expect(l.held).toBe(5);
      expectConsistent(l);
    } finally {
      await blocker.end();
      await Promise.all(capped.map((c) => c.close()));
    }
  });
});

describe('per-user held seats cap (MAX_HELD_SEATS_PER_USER) under races', () => {
  const SEAT_CAP = 6;
  /** 24 holds of 1-3 seats by one user over three instances while the row is locked; returns the seats held. */
  async function raceOneUser(instances: Harness[], blockFirst: boolean) {
    const user = await createUser(instances[0]!);
    const event = await createEvent(instances[0]!, { capacity: 200 });
    const blocker = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await blocker.connect();
    try {
      if (blockFirst) {
        await blocker.query('BEGIN');
        await blocker.query('SELECT id FROM events WHERE id = $1 FOR UPDATE', [event.id]);
      }
      const racing = Promise.all(
        Array.from({ length: 24 }, (_, i) => holdVia(instance(i, instances), user, event.id, 1 + (i % 3))),
      );
      if (blockFirst) {
        await waitForLockWaiters(blocker, 3);
        await blocker.query('ROLLBACK');
      }
      const results = await racing;
      return { results, ledger: await ledger(instances[0]!, event.id) };
    } finally {
      await blocker.end();
    }
  }

  it('one user racing 24 holds over three instances never holds more than the cap, in batches and exact paths', async () => {
    const capped = await Promise.all(
      [1, 2, 3].map(() => createHarness({ MAX_ACTIVE_HOLDS_PER_USER: '0', MAX_HELD_SEATS_PER_USER: String(SEAT_CAP) })),
    );
    try {
      const { results, ledger: l } = await raceOneUser(capped, true);
      const granted = results.filter((r) => r.status === 201).reduce((sum, r) => sum + (r.body.quantity as number), 0);
      expect(granted).toBeLessThanOrEqual(SEAT_CAP);
      // Each refusal says which limit; the seats of the refused holds were never taken.
      const refused = results.filter((r) => r.status !== 201);
      expect(refused.map((r) => `${r.status} ${r.body.code}`)).toEqual(refused.map(() => '409 TOO_MANY_ACTIVE_HOLDS'));
      expect(refused[0]!.body.error).toMatch(new RegExp(`limit of ${SEAT_CAP} held seats per user`));
      expect(l.held).toBe(granted);
      // The cap is filled as far as the quantities allow: no seat of room left for a 1-seat hold would be refused.
      expect(granted).toBeGreaterThanOrEqual(SEAT_CAP - 2);
      expectConsistent(l);
    } finally {
      await Promise.all(capped.map((c) => c.close()));
    }
  });

  it('negative control: without the event lock the same race passes the cap (so the test above can see it)', async () => {
    const worst = await withUnsafeHarness(
      { MAX_ACTIVE_HOLDS_PER_USER: '0', MAX_HELD_SEATS_PER_USER: String(SEAT_CAP) },
      async (unsafe, ...others) => {
        let most = 0;
        for (let round = 0; round < 5 && most <= SEAT_CAP; round++) {
          const { ledger: l } = await raceOneUser([unsafe, ...others], false);
          most = Math.max(most, l.recount_held);
        }
        return most;
      },
      { replicas: 2 },
    );
    expect(worst).toBeGreaterThan(SEAT_CAP);
  });
});

/** Waits until at least n other sessions wait for a lock (bounded: the test fails on its own if they never do). */
async function waitForLockWaiters(client: Client, n: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    // Inside a transaction pg_stat_activity is read once and kept: clear that snapshot to see it move.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((rows[0]?.n ?? 0) >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('lock contention', () => {
  it('answers 503 BUSY with Retry-After when the event row stays locked past LOCK_TIMEOUT_MS, never a 500', async () => {
    const impatient = await createHarness({ LOCK_TIMEOUT_MS: '200' });
    const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      const user = await createUser(impatient);
      const event = await createEvent(impatient, { capacity: 5 });
      await client.query('BEGIN');
      await client.query('SELECT id FROM events WHERE id = $1 FOR UPDATE', [event.id]);
      const busy = await holdVia(impatient, user, event.id);
      expect(busy.status).toBe(503);
      expect(busy.body).toEqual({ error: 'The service is busy; retry shortly.', code: 'BUSY' });
      expect(busy.headers['retry-after']).toBe('1');
      await client.query('ROLLBACK');
      expect((await holdVia(impatient, user, event.id)).status).toBe(201);
      expectConsistent(await ledger(impatient, event.id));
    } finally {
      await client.end();
      await impatient.close();
    }
  });
});

describe('negative control', () => {
  it('oversells when the event lock and the CHECK guard are switched off (so the tests above can see one)', async () => {
    const worst = await withUnsafeHarness(
      { MAX_ACTIVE_HOLDS_PER_USER: '0', MAX_HELD_SEATS_PER_USER: '0' },
      async (unsafe, ...others) => {
        const people = await Promise.all(Array.from({ length: 10 }, () => createUser(unsafe)));
        let excess = 0;
        for (let round = 0; round < 5 && excess <= 0; round++) {
          const event = await createEvent(unsafe, { capacity: 5 });
          await Promise.all(
            Array.from({ length: 40 }, (_, i) =>
              holdVia(instance(i, [unsafe, ...others]), people[i % people.length]!, event.id),
            ),
          );
          const l = await ledger(unsafe, event.id);
          excess = Math.max(excess, l.recount_held + l.recount_confirmed - l.capacity);
        }
        return excess;
      },
      { replicas: 2 },
    );
    expect(worst).toBeGreaterThan(0);
  });
});
