// An admin's cancel racing the owner's confirm and the worker's expiry, on one reservation. The three queue on the
// event row (a blocker holds it until all are waiting), then run in whatever order PostgreSQL grants the lock.
// Whatever the order, the reservation must take one valid path (its audit trail chains state to state, one entry
// per successful call), and the event's counters must equal a recount. The negative control applies a cancel that
// skips the lock (a stale read, then a write) and shows the same check catches it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { auditOf } from './support/audit';
import { createEvent, createHarness, createUser, ledger, rest, type Harness, type TestUser } from './support/harness';
import { queuedBehind } from '@holdfast/test-kit';

let h: Harness;
let admin: TestUser;
let owner: TestUser;
let bystander: TestUser;
let blocker: Client;
/** Watches the waiters from outside the blocker's transaction (pg_stat_activity is frozen inside one). */
let observer: Client;

beforeAll(async () => {
  h = await createHarness({ MAX_ACTIVE_HOLDS_PER_USER: '0' });
  [admin, owner, bystander] = await Promise.all([createUser(h, { admin: true }), createUser(h), createUser(h)]);
  blocker = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  observer = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await Promise.all([blocker.connect(), observer.connect()]);
});
afterAll(async () => {
  await Promise.all([blocker.end(), observer.end()]);
  await h.close();
});

const NEXT: Record<string, string[]> = { HOLD: ['CONFIRMED', 'CANCELLED', 'EXPIRED'], CONFIRMED: ['CANCELLED'] };

/** Everything wrong with the reservation's history and its event's counters; empty when all is well. */
async function violations(eventId: number, reservationId: number, successfulCalls: number): Promise<string[]> {
  const problems: string[] = [];
  const trail = await auditOf(h, 'reservation', reservationId);
  const [first, ...changes] = trail;
  if (first?.action !== 'reservation.hold') problems.push('the trail does not start with the hold');
  let state = 'HOLD';
  for (const e of changes) {
    const from = e.before?.status as string;
    const to = e.after?.status as string;
    if (from !== state) problems.push(`${e.action} starts from ${from}, but the reservation was ${state}`);
    if (!(NEXT[from] ?? []).includes(to)) problems.push(`${from} → ${to} is not a transition`);
    state = to;
  }
  const [row] = await h.rt.sequelize.query<{ status: string }>('SELECT status FROM reservations WHERE id = :id', {
    type: QueryTypes.SELECT,
    replacements: { id: reservationId },
  });
  if (row?.status !== state) problems.push(`stored ${row?.status}, trail ends at ${state}`);
  // Each 200 of cancel/confirm is one entry; the clock's and the worker's expiries are entries with actor null.
  const byCallers = changes.filter((e) => e.actor_id !== null).length;
  if (byCallers !== successfulCalls) problems.push(`${successfulCalls} calls succeeded, ${byCallers} entries say so`);
  const l = await ledger(h, eventId);
  if (l.held !== l.recount_held) problems.push(`held ${l.held} ≠ recount ${l.recount_held}`);
  if (l.confirmed !== l.recount_confirmed) problems.push(`confirmed ${l.confirmed} ≠ recount ${l.recount_confirmed}`);
  if (l.live_held + l.confirmed > l.capacity) problems.push('oversold');
  return problems;
}

describe('admin cancel vs owner confirm vs worker expiry', () => {
  it('ends one way only, with exact counters, over many rounds (live and lapsed holds)', async () => {
    const event = await createEvent(h, { capacity: 100 });
    const seen = new Set<string>();
    for (let round = 0; round < 16; round++) {
      const lapsed = round % 2 === 1;
      const held = await rest(h, 'POST', '/api/reservations/create_hold/', {
        token: owner.access,
        body: { event_id: event.id, quantity: 2 },
      });
      const id = held.body.id as number;
      if (lapsed) {
        await h.rt.sequelize.query(`UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = :id`, {
          replacements: { id },
        });
      }
      await blocker.query('BEGIN');
      const locked = await blocker.query<{ pid: number }>(
        'SELECT pg_backend_pid() AS pid FROM events WHERE id = $1 FOR UPDATE',
        [event.id],
      );
      const calls = Promise.all([
        rest(h, 'POST', `/api/admin/reservations/${id}/cancel/`, { token: admin.access, body: { reason: 'race' } }),
        rest(h, 'POST', '/api/reservations/confirm/', { token: owner.access, body: { reservation_id: id } }),
        h.rt.services.reservations.expireOverdueHolds(),
      ]);
      // The sweep only queues when it has something to expire.
      await queuedBehind(observer, locked.rows[0]!.pid, lapsed ? 3 : 2);
      await blocker.query('COMMIT');
      const [cancel, confirm] = await calls;
      for (const r of [cancel, confirm]) {
        expect([200, 400]).toContain(r.status);
        if (r.status === 400) expect(['INVALID_STATUS', 'RESERVATION_EXPIRED']).toContain(r.body.code);
      }
      const successes = [cancel, confirm].filter((r) => r.status === 200).length;
      expect(await violations(event.id, id, successes)).toEqual([]);
      const trail = await auditOf(h, 'reservation', id);
      seen.add(trail.map((e) => e.after?.status).join('→'));
    }
    // Both kinds of round really raced: lapsed holds all expired, live ones were confirmed or cancelled first.
    expect([...seen].some((p) => p.endsWith('EXPIRED'))).toBe(true);
    expect([...seen].some((p) => p.includes('CANCELLED') || p.includes('CONFIRMED'))).toBe(true);
  });
});

describe('negative control', () => {
  it('a cancel that reads without the lock and writes after a confirm is caught by the same check', async () => {
    const event = await createEvent(h, { capacity: 10 });
    await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: bystander.access,
      body: { event_id: event.id, quantity: 2 },
    });
    const held = await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: owner.access,
      body: { event_id: event.id, quantity: 2 },
    });
    const id = held.body.id as number;
    // The stale read: what a lock-free cancel would have seen before the confirm committed.
    const [stale] = await h.rt.sequelize.query<{ status: string; quantity: number }>(
      'SELECT status, quantity FROM reservations WHERE id = :id',
      { type: QueryTypes.SELECT, replacements: { id } },
    );
    const confirm = await rest(h, 'POST', '/api/reservations/confirm/', {
      token: owner.access,
      body: { reservation_id: id },
    });
    expect(confirm.status).toBe(200);
    // The lock-free cancel now acts on what it read: frees "held" seats and records HOLD → CANCELLED.
    await h.rt.sequelize.transaction(async (transaction) => {
      await h.rt.sequelize.query(`UPDATE reservations SET status = 'CANCELLED' WHERE id = :id`, {
        replacements: { id },
        transaction,
      });
      await h.rt.sequelize.query('UPDATE events SET held = held - :q WHERE id = :e', {
        replacements: { q: stale!.quantity, e: event.id },
        transaction,
      });
      await h.rt.services.audit.record(
        {
          actorId: admin.id,
          action: 'reservation.cancel',
          objectType: 'reservation',
          objectId: id,
          before: { status: stale!.status },
          after: { status: 'CANCELLED' },
        },
        transaction,
      );
    });
    const found = await violations(event.id, id, 2);
    expect(found).toEqual(
      expect.arrayContaining([
        'reservation.cancel starts from HOLD, but the reservation was CONFIRMED',
        'held 0 ≠ recount 2',
        'confirmed 2 ≠ recount 0',
      ]),
    );
  });
});
