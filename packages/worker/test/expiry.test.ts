// The worker against each job store: holds lapse for real (HOLD_TTL_SECONDS=3) and the worker marks them EXPIRED
// through the reservations service. Every test makes its own users, events and job store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError, type Runtime } from '@holdfast/server';
import { MongoClient } from 'mongodb';
import { QueryTypes } from 'sequelize';
import { EXPIRE_HOLDS_JOB, startWorker, type Worker } from '../src';
import {
  createEvent,
  createHolds,
  createUser,
  eventually,
  ledger,
  lockWaiters,
  openRuntime,
  recordingLog,
  reservationRows,
  type Reservation,
  type ReservationRow,
} from './support/harness';
import { mongoRequiredButMissing, scratchStore, storeKinds, type ScratchStore } from './support/job-stores';

const LAPSE_LIMIT_MS = 10_000;
/** Longest a lapsed hold may stay HOLD when the worker holding the expiry job's lock died. */
const FAILOVER_LIMIT_MS = 6000;
const latencies: Record<string, number[]> = {};

let rt: Runtime;
beforeAll(async () => {
  rt = await openRuntime({ holdTtlSeconds: 3 });
});
afterAll(async () => {
  await rt?.close();
  for (const [kind, ms] of Object.entries(latencies)) {
    const sorted = [...ms].sort((a, b) => a - b);
    process.stdout.write(
      `lapse→EXPIRED latency (${kind}): n=${ms.length} min=${Math.round(sorted[0] ?? 0)} ms ` +
        `median=${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms max=${Math.round(sorted.at(-1) ?? 0)} ms\n`,
    );
  }
});

/** Starts workers on a store and always stops them (and drops the store) after the test body. */
async function withWorkers<T>(
  stores: ScratchStore[],
  count: number,
  body: (workers: { worker: Worker; rec: ReturnType<typeof recordingLog> }[]) => Promise<T>,
): Promise<T> {
  const started = Array.from({ length: count }, (_, i) => {
    const rec = recordingLog(`worker-${i}`);
    const store = stores[i % stores.length]!;
    return {
      rec,
      worker: startWorker(rt, { log: rec.log, jobStore: store.target, backoff: { initialMs: 100, maxMs: 1000 } }),
    };
  });
  try {
    for (const w of started) expect(await w.worker.ready).toBe(true);
    return await body(started);
  } finally {
    await Promise.all(started.map((w) => w.worker.stop()));
    await Promise.all(stores.map((s) => s.drop()));
  }
}

/** Waits until none of `holds` is in HOLD any more, allowing LAPSE_LIMIT_MS past the last expiry. */
async function settled(holds: Reservation[]) {
  const lastExpiry = Math.max(...holds.map((h) => Date.parse(h.expires_at!)));
  return eventually(
    `${holds.length} holds to leave HOLD`,
    async () => {
      const rows = await reservationRows(
        rt,
        holds.map((h) => h.id),
      );
      return rows.every((r) => r.status !== 'HOLD') && rows;
    },
    lastExpiry - Date.now() + LAPSE_LIMIT_MS + 1000,
  );
}

/** Checks each expiry came after expires_at and within the limit (database clock), and keeps it for the summary. */
function recordLatencies(kind: string, rows: ReservationRow[]) {
  for (const row of rows) {
    expect(row.lapse_ms).toBeGreaterThanOrEqual(0);
    expect(row.lapse_ms).toBeLessThan(LAPSE_LIMIT_MS);
    (latencies[kind] ??= []).push(row.lapse_ms!);
  }
}

async function expectLedgersConsistent(eventIds: number[]) {
  for (const id of eventIds) {
    const l = await ledger(rt, id);
    expect(l.held).toBe(l.recount_held);
    expect(l.confirmed).toBe(l.recount_confirmed);
  }
}

describe.each(storeKinds())('worker on the %s job store', (kind) => {
  it('marks a lapsed hold EXPIRED within 10 seconds of its expires_at, never before', async () => {
    const store = await scratchStore(kind);
    await withWorkers([store], 1, async ([w]) => {
      const user = await createUser(rt);
      const event = await createEvent(rt);
      const holds = await createHolds(rt, user, [event.id], 3, 2);
      const rows = await settled(holds);
      for (const row of rows) expect(row.status).toBe('EXPIRED');
      recordLatencies(kind, rows);
      expect(await ledger(rt, event.id)).toMatchObject({ held: 0, recount_held: 0 });
      expect(w!.rec.expiredTotal()).toBe(3);
      // Each sweep reports its count and duration.
      expect(w!.rec.sweeps().every((s) => Number.isInteger(s.durationMs) && s.durationMs >= 0)).toBe(true);
    });
  });

  it('registers its schedule once however many workers start', async () => {
    const store = await scratchStore(kind);
    await withWorkers([store], 3, async () => {
      const jobs = await store.scheduledJobs();
      expect(jobs.map((j) => j.name).sort()).toEqual(['cleanup', 'expire-holds']);
    });
  });

  if (kind === 'mongodb') {
    it('repairs duplicate schedules left by an earlier registration race', async () => {
      const store = await scratchStore(kind);
      const client = new MongoClient(store.target.url, { serverSelectionTimeoutMS: 5000 });
      try {
        const jobs = client.db().collection('agendaJobs');
        const stale = {
          name: 'expire-holds',
          type: 'single',
          repeatInterval: 2000,
          nextRunAt: new Date(),
          lockedAt: null,
        };
        await jobs.insertMany([{ ...stale }, { ...stale }]);
      } finally {
        await client.close();
      }
      await withWorkers([store], 2, async () => {
        const jobs = await store.scheduledJobs();
        expect(jobs.map((j) => j.name).sort()).toEqual(['cleanup', 'expire-holds']);
      });
    });
  }

  it('two workers sharing the job store expire each hold exactly once', async () => {
    const store = await scratchStore(kind);
    await withWorkers([store], 2, async (workers) => {
      const user = await createUser(rt);
      const events = [await createEvent(rt), await createEvent(rt), await createEvent(rt), await createEvent(rt)];
      const holds = await createHolds(
        rt,
        user,
        events.map((e) => e.id),
        10,
      );
      const rows = await settled(holds);
      expect(rows.every((r) => r.status === 'EXPIRED')).toBe(true);
      recordLatencies(kind, rows);
      // Every EXPIRED transition is reported by exactly one sweep: the sum equals the number of holds.
      expect(workers.reduce((n, w) => n + w.rec.expiredTotal(), 0)).toBe(holds.length);
      await expectLedgersConsistent(events.map((e) => e.id));
    });
  });

  it('two workers on separate job stores (no Agenda lock between them) still expire each hold exactly once', async () => {
    const stores = [await scratchStore(kind), await scratchStore(kind)];
    await withWorkers(stores, 2, async (workers) => {
      const user = await createUser(rt);
      const events = [await createEvent(rt), await createEvent(rt), await createEvent(rt)];
      const holds = await createHolds(
        rt,
        user,
        events.map((e) => e.id),
        15,
      );
      recordLatencies(kind, await settled(holds));
      // Both sweep on their own schedule, so they overlap; the event row lock makes each expiry happen once.
      expect(workers.every((w) => w.rec.sweeps().length > 0)).toBe(true);
      expect(workers.reduce((n, w) => n + w.rec.expiredTotal(), 0)).toBe(holds.length);
      await expectLedgersConsistent(events.map((e) => e.id));
    });
  });

  it('takes over within seconds from a worker that died holding the expire-holds lock', async () => {
    const store = await scratchStore(kind);
    await withWorkers([store], 1, async ([w]) => {
      const user = await createUser(rt);
      const event = await createEvent(rt);
      // Lock the job in a dead worker's name between two sweeps, as a worker SIGKILLed right after taking it would
      // leave it; then a hold lapses (3 s later) while only the lock's lifetime can free the job.
      await eventually(
        'the expire-holds job unlocked',
        () => store.seizeLock(EXPIRE_HOLDS_JOB, 'dead-worker'),
        10_000,
        5,
      );
      const seized = Date.now();
      const [hold] = await createHolds(rt, user, [event.id], 1);
      const [row] = await settled([hold!]);
      expect(row!.status).toBe('EXPIRED');
      // A 10 s lock (Agenda's default is 10 min) would leave it HOLD for 7 s or more after it lapsed; the expiry
      // job's short lock bounds the wait by its lifetime plus one poll and one sweep.
      expect(row!.lapse_ms).toBeLessThan(FAILOVER_LIMIT_MS);
      expect(w!.rec.expiredTotal()).toBe(1);
      process.stdout.write(
        `failover (${kind}): lock seized, hold EXPIRED ${Math.round(row!.lapse_ms!)} ms after its expiry ` +
          `(${Date.now() - seized} ms after the seizure)\n`,
      );
    });
  });

  it('a confirm racing the sweep ends in exactly one outcome', async () => {
    const store = await scratchStore(kind);
    await withWorkers([store], 1, async ([w]) => {
      const user = await createUser(rt);
      const events = [await createEvent(rt), await createEvent(rt), await createEvent(rt)];
      const holds = await createHolds(
        rt,
        user,
        events.map((e) => e.id),
        8,
      );
      // Confirms land from shortly before each hold's expiry to well after it, while the sweep runs every 2 s.
      const outcomes = await Promise.all(
        holds.map(async (hold, i) => {
          const at = Date.parse(hold.expires_at!) - 600 + Math.round((3000 * i) / holds.length);
          await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
          try {
            await rt.services.reservations.confirm(user, { reservation_id: hold.id });
            return 'confirmed' as const;
          } catch (err) {
            // Whether the sweep or the confirm itself marked it, a lapsed hold answers RESERVATION_EXPIRED.
            if (err instanceof AppError && err.code === 'RESERVATION_EXPIRED') return 'expired' as const;
            throw err;
          }
        }),
      );
      const rows = await settled(holds);
      rows.forEach((row, i) => {
        expect(row.status).toBe(outcomes[i] === 'confirmed' ? 'CONFIRMED' : 'EXPIRED');
      });
      const confirmed = outcomes.filter((o) => o === 'confirmed').length;
      const expired = rows.filter((r) => r.status === 'EXPIRED').length;
      expect(confirmed + expired).toBe(holds.length);
      // The race is real: some confirms won, and the sweep expired some holds while others were being confirmed
      // (the rest were expired by the confirm that found them overdue).
      expect(confirmed).toBeGreaterThan(0);
      expect(w!.rec.expiredTotal()).toBeGreaterThan(0);
      expect(w!.rec.expiredTotal()).toBeLessThanOrEqual(expired);
      await expectLedgersConsistent(events.map((e) => e.id));
      // Every hold left `held` exactly once: a second expiry of the same hold would take it below the recount.
      const totals = await Promise.all(events.map((e) => ledger(rt, e.id)));
      expect(totals.reduce((n, l) => n + l.confirmed, 0)).toBe(confirmed);
      expect(totals.every((l) => l.held === 0)).toBe(true);
    });
  });

  it('stop() lets the running sweep finish, then releases its job lock', async () => {
    const store = await scratchStore(kind);
    const rec = recordingLog();
    const worker = startWorker(rt, { log: rec.log, jobStore: store.target });
    try {
      expect(await worker.ready).toBe(true);
      const user = await createUser(rt);
      const event = await createEvent(rt);
      const [hold] = await createHolds(rt, user, [event.id], 1);
      // Hold the event's row lock from before the hold lapses, so the first sweep that finds it overdue blocks
      // inside its transaction (lock_timeout is 2 s: the lock is let go well before).
      const blocker = await rt.sequelize.transaction();
      let stopped = false;
      try {
        await rt.sequelize.query('SELECT id FROM events WHERE id = :id FOR UPDATE', {
          replacements: { id: event.id },
          transaction: blocker,
        });
        await eventually('a sweep waiting on the event lock', () => lockWaiters(rt).then((n) => n > 0), 10_000, 20);
        const stopping = worker.stop().then(() => {
          stopped = true;
        });
        await new Promise((r) => setTimeout(r, 300));
        expect(stopped).toBe(false);
        await blocker.commit();
        await stopping;
      } finally {
        if (!stopped) await blocker.rollback().catch(() => undefined);
      }
      const [row] = await reservationRows(rt, [hold!.id]);
      expect(row!.status).toBe('EXPIRED');
      expect(rec.expiredTotal()).toBe(1);
      expect((await store.scheduledJobs()).every((j) => j.lockedAt === null)).toBe(true);
      expect(rec.has('info', /stopped$/)).toBe(true);
    } finally {
      await worker.stop();
      await store.drop();
    }
  });

  it('cleanup deletes idempotency records past their lifetime, expired tokens and audit entries past retention', async () => {
    const user = await createUser(rt);
    const event = await createEvent(rt);
    const hold = await rt.services.reservations.createHold(user, { event_id: event.id, quantity: 1 }, 'cleanup-key-1');
    // Cancelled at once so it cannot lapse into a later test's sweep counts; its idempotency record stays.
    await rt.services.reservations.cancel(user, { id: hold.id });
    await rt.services.auth.obtainToken({ username: user.username, password: 'Str0ngPassw0rd!' }, 'worker-test');
    await rt.services.auth.obtainToken({ username: user.username, password: 'Str0ngPassw0rd!' }, 'worker-test');
    await rt.sequelize.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = :id;
       UPDATE outstanding_tokens SET expires_at = now() - interval '1 day'
        WHERE id = (SELECT min(id) FROM outstanding_tokens WHERE user_id = :id);
       INSERT INTO audit_log (at, action, object_type, object_id)
       VALUES (now() - interval '400 days', 'reservation.cancel', 'reservation', :reservation)`,
      { replacements: { id: user.id, reservation: hold.id } },
    );
    const store = await scratchStore(kind);
    await withWorkers([store], 1, async ([w]) => {
      // A fresh schedule runs cleanup at once; later registrations keep its daily time.
      await eventually('a cleanup run', () => w!.rec.entries.some((e) => e.fields.job === 'cleanup'), 10_000);
      const [counts] = await rt.sequelize.query<{ keys: number; tokens: number; audit: number }>(
        `SELECT (SELECT count(*) FROM idempotency_keys WHERE user_id = :id)::int AS keys,
                (SELECT count(*) FROM outstanding_tokens WHERE user_id = :id)::int AS tokens,
                (SELECT count(*) FROM audit_log WHERE object_type = 'reservation' AND object_id = :reservation)::int AS audit`,
        { type: QueryTypes.SELECT, replacements: { id: user.id, reservation: hold.id } },
      );
      // The hold's and the cancel's entries stay (AUDIT_RETENTION_DAYS is 365); the 400-day-old one is gone.
      expect(counts).toEqual({ keys: 0, tokens: 1, audit: 2 });
    });
  });
});

if (!process.env.MONGO_URL) {
  describe('worker on the mongodb job store', () => {
    // Skipped without MONGO_URL, unless REQUIRE_MONGO=1 makes the missing MongoDB a failure.
    (mongoRequiredButMissing() ? it : it.skip)('runs when MONGO_URL is set', () => {
      throw new Error(
        'REQUIRE_MONGO=1 but MONGO_URL is not set: start FerretDB (.ci/ferretdb.sh start) and set MONGO_URL',
      );
    });
  });
}
