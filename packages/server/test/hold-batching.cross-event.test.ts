// Holds on different events share one statement (issue 19). The statement keeps every per-event rule (free seats,
// per-user caps) and leaves what it cannot place to the exact path, which names the refusal. It locks the event
// rows in ascending id order, so two API processes whose batches overlap cannot deadlock: the race test queues two
// such batches behind a blocker that holds an event both need, then lets them go, over many rounds. Its negative
// control injects a ledger that locks in the order the batch names the events, and the same race deadlocks.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { sqlState } from '../src/db/retryable-failure';
import { toAppError } from '../src/errors';
import type { AppError } from '../src/errors';
import type { AuthUser } from '../src/modules/auth/auth-user';
import { HoldLedger, type EventLocking } from '../src/modules/reservations/hold-ledger';
import { LOCK_EVENTS_IN_GIVEN_ORDER } from './support/event-locking';
import { createEvent, createHarness, createUser, ledger, type Harness, type TestUser } from './support/harness';
import { queuedBehind } from '@holdfast/test-kit';

const asAuthUser = (u: TestUser): AuthUser => ({ id: u.id, username: u.username, email: u.email, isSuperuser: false });

/** An app whose hold statements run one at a time, so what is submitted together forms one batch. */
function oneStatementAtATime(eventLocking?: EventLocking, env: Record<string, string> = {}) {
  return createHarness(env, {
    overrides: { reservations: { maxHoldStatementsInFlight: 1 }, ...(eventLocking ? { eventLocking } : {}) },
  });
}

/**
 * Submits the holds in the same tick, after a first hold on `primer`: the primer goes alone (nothing is in flight),
 * and everything else waits for it and goes out as one statement.
 */
function submitTogether(h: Harness, user: AuthUser, primer: number, holds: { eventId: number; quantity: number }[]) {
  const first = h.rt.services.reservations.createHold(user, { event_id: primer, quantity: 1 });
  const rest = holds.map((x) =>
    h.rt.services.reservations.createHold(user, { event_id: x.eventId, quantity: x.quantity }),
  );
  return Promise.all([first, Promise.allSettled(rest)]).then(([, settled]) => settled);
}

describe('placeHolds across events (one statement)', () => {
  let h: Harness;
  let people: TestUser[];
  beforeAll(async () => {
    h = await createHarness();
    people = await Promise.all([1, 2].map(() => createUser(h)));
  });
  afterAll(() => h.close());

  it('applies free seats and both per-user caps per event, in request order, in one transaction', async () => {
    const [a, b] = people.map((p) => p.id) as [number, number];
    const roomy = await createEvent(h, { capacity: 50 });
    const small = await createEvent(h, { capacity: 3 });
    const inactive = await createEvent(h, { capacity: 5, is_active: false });
    const ledgerOf = new HoldLedger(h.rt.sequelize, {
      holdTtlSeconds: 300,
      maxActiveHoldsPerUser: 2,
      maxHeldSeatsPerUser: 4,
      audit: true,
    });
    const placed = await ledgerOf.placeHolds([
      { eventId: roomy.id, userId: a, quantity: 1 },
      { eventId: small.id, userId: a, quantity: 2 },
      { eventId: roomy.id, userId: a, quantity: 1 },
      { eventId: small.id, userId: b, quantity: 2 }, // 4 > 3 seats: not placed; the exact path tells why
      { eventId: roomy.id, userId: a, quantity: 1 }, // a's third hold on roomy: over the count cap of 2
      { eventId: small.id, userId: a, quantity: 1 }, // behind b's refusal on small: left to the exact path
      { eventId: inactive.id, userId: b, quantity: 1 },
      { eventId: roomy.id, userId: b, quantity: 4 }, // caps count per event: b's seats on small do not count
      { eventId: 2_000_000_000, userId: b, quantity: 1 },
    ]);
    expect(placed.map((p) => p && [p.event_id, p.user_id, p.quantity])).toEqual([
      [roomy.id, a, 1],
      [small.id, a, 2],
      [roomy.id, a, 1],
      undefined,
      undefined,
      undefined,
      undefined,
      [roomy.id, b, 4],
      undefined,
    ]);
    expect(placed[1]!.event_name).toBe(small.name);
    // One transaction: every hold was stamped with the same database clock.
    expect(new Set(placed.filter(Boolean).map((p) => p!.created_at.getTime())).size).toBe(1);
    for (const [event, held] of [
      [roomy, 6],
      [small, 2],
      [inactive, 0],
    ] as const) {
      const l = await ledger(h, event.id);
      expect([l.held, l.recount_held]).toEqual([held, held]);
    }
  });
});

describe('a mixed batch through the service', () => {
  let h: Harness;
  let user: TestUser;
  beforeAll(async () => {
    h = await oneStatementAtATime(undefined, { MAX_ACTIVE_HOLDS_PER_USER: '2', MAX_HELD_SEATS_PER_USER: '5' });
    user = await createUser(h);
  });
  afterAll(() => h.close());

  it('places what fits in one statement and names every refusal exactly', async () => {
    const me = asAuthUser(user);
    const [primer, open, alsoOpen, full, capped, seatCapped, inactive, ended] = await Promise.all([
      createEvent(h, { capacity: 10 }),
      createEvent(h, { capacity: 10 }),
      createEvent(h, { capacity: 10 }),
      createEvent(h, { capacity: 1 }),
      createEvent(h, { capacity: 10 }),
      createEvent(h, { capacity: 10 }),
      createEvent(h, { capacity: 10, is_active: false }),
      createEvent(h, { capacity: 10 }),
    ]);
    await h.rt.sequelize.query(
      `UPDATE events SET start_time = now() - interval '2 hours', end_time = now() - interval '1 hour' WHERE id = :id`,
      { replacements: { id: ended!.id } },
    );
    for (let i = 0; i < 2; i++) await h.rt.services.reservations.createHold(me, { event_id: capped!.id, quantity: 1 });
    await h.rt.services.reservations.createHold(me, { event_id: seatCapped!.id, quantity: 4 });

    const settled = await submitTogether(h, me, primer!.id, [
      { eventId: open!.id, quantity: 2 },
      { eventId: inactive!.id, quantity: 1 },
      { eventId: ended!.id, quantity: 1 },
      { eventId: 2_000_000_000, quantity: 1 },
      { eventId: capped!.id, quantity: 1 },
      { eventId: seatCapped!.id, quantity: 2 },
      { eventId: full!.id, quantity: 2 },
      { eventId: alsoOpen!.id, quantity: 3 },
    ]);
    const outcome = settled.map((r) =>
      r.status === 'fulfilled' ? `held ${r.value.quantity}` : (r.reason as AppError).code,
    );
    expect(outcome).toEqual([
      'held 2',
      'EVENT_NOT_ACTIVE',
      'EVENT_ENDED',
      'NOT_FOUND',
      'TOO_MANY_ACTIVE_HOLDS',
      'TOO_MANY_ACTIVE_HOLDS',
      'INSUFFICIENT_CAPACITY',
      'held 3',
    ]);
    expect((settled[3] as PromiseRejectedResult).reason).toHaveProperty('message', 'Event not found.');
    expect((settled[6] as PromiseRejectedResult).reason).toHaveProperty(
      'message',
      'Insufficient capacity. Available: 1, Requested: 2',
    );
    // The two placed holds, on different events, went out in one statement (one transaction, one clock).
    const [first, last] = [settled[0], settled[7]].map(
      (r) => (r as PromiseFulfilledResult<{ created_at: string }>).value,
    );
    expect(first!.created_at).toBe(last!.created_at);
    for (const event of [open!, alsoOpen!, full!, capped!, seatCapped!]) {
      const l = await ledger(h, event.id);
      expect(l.held).toBe(l.recount_held);
    }
  });
});

/**
 * Two API processes on one database, each sending one hold statement at a time. Each round, both submit a batch of
 * holds on overlapping events (in different orders) while a blocker holds one event both batches need; once both
 * batches queue behind it, the blocker lets go. Returns the failures of each process.
 */
async function raceOverlappingBatches(
  [one, two]: [Harness, Harness],
  users: [AuthUser, AuthUser],
  rounds: { events: number[]; blocked: number; orders: [number[], number[]]; primers: [number, number] }[],
): Promise<unknown[]> {
  const blocker = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  const observer = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await Promise.all([blocker.connect(), observer.connect()]);
  const failures: unknown[] = [];
  try {
    for (const round of rounds) {
      await blocker.query('BEGIN');
      const locked = await blocker.query<{ pid: number }>(
        'SELECT pg_backend_pid() AS pid FROM events WHERE id = $1 FOR UPDATE',
        [round.blocked],
      );
      const batches = [one, two].map((h, i) =>
        submitTogether(
          h,
          users[i]!,
          round.primers[i]!,
          round.orders[i]!.map((eventId) => ({ eventId, quantity: 1 })),
        ),
      );
      await queuedBehind(observer, locked.rows[0]!.pid, 2);
      await blocker.query('COMMIT');
      for (const settled of await Promise.all(batches)) {
        for (const r of settled) if (r.status === 'rejected') failures.push(r.reason);
      }
    }
  } finally {
    await blocker.query('ROLLBACK').catch(() => undefined);
    await Promise.all([blocker.end(), observer.end()]);
  }
  return failures;
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Apps with no per-user caps (the race is about locks) and a lock timeout far above the deadlock check (1 s). */
const RACE_ENV = { MAX_ACTIVE_HOLDS_PER_USER: '0', MAX_HELD_SEATS_PER_USER: '0', LOCK_TIMEOUT_MS: '20000' };

async function raceSetup(h: Harness, events: number) {
  const created = await Promise.all(Array.from({ length: events + 2 }, () => createEvent(h, { capacity: 1000 })));
  const ids = created.map((e) => e.id);
  return {
    events: ids.slice(0, events).sort((x, y) => x - y),
    primers: [ids[events]!, ids[events + 1]!] as [number, number],
  };
}

describe('overlapping batches from two processes', () => {
  let apps: [Harness, Harness];
  let users: [AuthUser, AuthUser];
  beforeAll(async () => {
    apps = [await oneStatementAtATime(undefined, RACE_ENV), await oneStatementAtATime(undefined, RACE_ENV)];
    users = [asAuthUser(await createUser(apps[0])), asAuthUser(await createUser(apps[1]))];
  });
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  it('never deadlock: event rows are locked in ascending id order, over many rounds', async () => {
    const { events, primers } = await raceSetup(apps[0], 6);
    const rounds = Array.from({ length: 16 }, (_, r) => {
      // Every round both batches need the blocked event; the rest of each batch is a random overlapping subset.
      const blocked = events[1 + (r % (events.length - 2))]!;
      const others = events.filter((e) => e !== blocked);
      const pick = () => shuffled([blocked, ...shuffled(others).slice(0, 3)]);
      const first = pick();
      return {
        events,
        blocked,
        primers,
        orders: [first, r % 2 ? pick() : [...first].reverse()] as [number[], number[]],
      };
    });
    const failures = await raceOverlappingBatches(apps, users, rounds);
    expect(failures).toEqual([]);
    for (const eventId of [...events, ...primers]) {
      const l = await ledger(apps[0], eventId);
      expect(l.held).toBe(l.recount_held);
    }
  }, 60_000);
});

describe('negative control: a ledger that locks events in the order the batch names them', () => {
  let apps: [Harness, Harness];
  let users: [AuthUser, AuthUser];
  beforeAll(async () => {
    apps = [
      await oneStatementAtATime(LOCK_EVENTS_IN_GIVEN_ORDER, RACE_ENV),
      await oneStatementAtATime(LOCK_EVENTS_IN_GIVEN_ORDER, RACE_ENV),
    ];
    users = [asAuthUser(await createUser(apps[0])), asAuthUser(await createUser(apps[1]))];
  });
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  it('deadlocks in the same race (PostgreSQL detects it: 40P01)', async () => {
    const { events, primers } = await raceSetup(apps[0], 3);
    const failures = await raceOverlappingBatches(apps, users, [
      { events, blocked: events[1]!, primers, orders: [events, [...events].reverse()] },
    ]);
    // The victim's whole batch fails with the deadlock (answered 503 BUSY); the other batch commits.
    expect(failures).toHaveLength(events.length);
    for (const failure of failures) {
      expect(sqlState(failure)).toBe('40P01');
      expect(toAppError(failure)?.code).toBe('BUSY');
    }
  }, 30_000);
});
