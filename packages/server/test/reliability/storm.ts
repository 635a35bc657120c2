// The invariant storm: concurrent clients over real HTTP doing random holds, confirms and cancels on a few small
// events while holds lapse (short TTL) and the expiry sweep runs, with a checker reading the database the whole
// time. Used by the short storm in `pnpm test`, the long one in `pnpm test:storm`, and the fault tests.
import { QueryTypes } from 'sequelize';
import { createEvent, createUser, type Harness, type TestUser } from '../support/harness';

export interface StormOptions {
  clients: number;
  events: number;
  capacity: number;
  durationMs: number;
  /** Keep going past durationMs until this many operations are done (bounded by 10 × durationMs). */
  minOperations?: number;
  /** Expiry sweep period (the worker's job, through the same service). */
  sweepEveryMs?: number;
  /** Checker period. */
  checkEveryMs?: number;
  /** Runs alongside the storm (fault injection) on the storm's events; resolves when done. */
  chaos?: (signal: AbortSignal, eventIds: readonly number[]) => Promise<void>;
}

export interface StormReport {
  operations: number;
  byOutcome: Record<string, number>;
  status5xx: number;
  status500: number;
  networkErrors: number;
  checks: number;
  violations: {
    oversold: number;
    counterDrift: number;
    illegalTransition: number;
  };
  examples: string[];
  reservations: number;
  expiredBySweep: number;
}

const LEGAL: Record<string, string[]> = {
  HOLD: ['HOLD', 'CONFIRMED', 'CANCELLED', 'EXPIRED'],
  CONFIRMED: ['CONFIRMED', 'CANCELLED'],
  CANCELLED: ['CANCELLED'],
  EXPIRED: ['EXPIRED'],
};

export function totalViolations(r: StormReport): number {
  return r.violations.oversold + r.violations.counterDrift + r.violations.illegalTransition;
}

export async function runStorm(h: Harness, baseUrl: string, opts: StormOptions): Promise<StormReport> {
  const events = await Promise.all(
    Array.from({ length: opts.events }, () => createEvent(h, { capacity: opts.capacity })),
  );
  const eventIds = events.map((e) => e.id);
  const users: TestUser[] = await Promise.all(Array.from({ length: opts.clients }, () => createUser(h)));
  const report: StormReport = {
    operations: 0,
    byOutcome: {},
    status5xx: 0,
    status500: 0,
    networkErrors: 0,
    checks: 0,
    violations: { oversold: 0, counterDrift: 0, illegalTransition: 0 },
    examples: [],
    reservations: 0,
    expiredBySweep: 0,
  };
  const note = (example: string) => {
    if (report.examples.length < 10) report.examples.push(example);
  };
  const startedAt = Date.now();
  const hardDeadline = startedAt + opts.durationMs * 10;
  // Load on a shared machine varies: the storm is defined by its work, with a time floor and a hard ceiling.
  const running = () =>
    Date.now() < hardDeadline &&
    (Date.now() < startedAt + opts.durationMs || report.operations < (opts.minOperations ?? 0));
  const controller = new AbortController();

  async function call(user: TestUser, path: string, body?: unknown) {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.access}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      signal: AbortSignal.timeout(15_000),
    });
    const json = (await res.json().catch(() => ({}))) as { id?: number; code?: string };
    return { status: res.status, json };
  }

  async function client(user: TestUser) {
    const mine: number[] = [];
    while (running()) {
      const roll = Math.random();
      let kind: string;
      try {
        let res: { status: number; json: { id?: number; code?: string } };
        if (roll < 0.5 || mine.length === 0) {
          kind = 'hold';
          const eventId = eventIds[Math.floor(Math.random() * eventIds.length)]!;
          res = await call(user, '/api/reservations/create_hold/', {
            event_id: eventId,
            quantity: 1 + Math.floor(Math.random() * 3),
          });
          if (res.status === 201 && res.json.id) mine.push(res.json.id);
        } else if (roll < 0.8) {
          kind = 'confirm';
          const id = mine[Math.floor(Math.random() * mine.length)]!;
          res = await call(user, '/api/reservations/confirm/', { reservation_id: id });
        } else {
          kind = 'cancel';
          const id = mine[Math.floor(Math.random() * mine.length)]!;
          res = await call(user, `/api/reservations/${id}/cancel/`);
        }
        report.operations++;
        const key = `${kind}:${res.status}${res.json.code ? `:${res.json.code}` : ''}`;
        report.byOutcome[key] = (report.byOutcome[key] ?? 0) + 1;
        if (res.status >= 500) report.status5xx++;
        if (res.status === 500) {
          report.status500++;
          note(`${kind} answered 500: ${JSON.stringify(res.json)}`);
        }
      } catch (err) {
        report.networkErrors++;
        note(`network error: ${String(err)}`);
      }
    }
  }

  async function sweeper() {
    while (running()) {
      try {
        report.expiredBySweep += (await h.rt.services.reservations.expireOverdueHolds()).expired;
      } catch {
        // Faults may break a sweep; the next one catches up.
      }
      await new Promise((r) => setTimeout(r, opts.sweepEveryMs ?? 300));
    }
  }

  const lastSeen = new Map<number, string>();
  async function check() {
    const rows = await h.rt.sequelize.query<{
      id: number;
      capacity: number;
      held: number;
      confirmed: number;
      rh: number;
      rc: number;
      live: number;
    }>(
      `SELECT e.id, e.capacity, e.held, e.confirmed,
         COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'HOLD'), 0)::int AS rh,
         COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'CONFIRMED'), 0)::int AS rc,
         COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'HOLD' AND r.expires_at > now()), 0)::int AS live
       FROM events e LEFT JOIN reservations r ON r.event_id = e.id
       WHERE e.id IN (:ids) GROUP BY e.id`,
      { type: QueryTypes.SELECT, replacements: { ids: eventIds } },
    );
    for (const r of rows) {
      if (r.live + r.rc > r.capacity) {
        report.violations.oversold++;
        note(`event ${r.id}: live holds ${r.live} + confirmed ${r.rc} > capacity ${r.capacity}`);
      }
      if (r.held !== r.rh || r.confirmed !== r.rc) {
        report.violations.counterDrift++;
        note(`event ${r.id}: counters ${r.held}/${r.confirmed} vs recount ${r.rh}/${r.rc}`);
      }
    }
    const statuses = await h.rt.sequelize.query<{ id: number; status: string }>(
      'SELECT id, status FROM reservations WHERE event_id IN (:ids)',
      { type: QueryTypes.SELECT, replacements: { ids: eventIds } },
    );
    for (const s of statuses) {
      const prev = lastSeen.get(s.id);
      if (prev && !LEGAL[prev]?.includes(s.status)) {
        report.violations.illegalTransition++;
        note(`reservation ${s.id}: ${prev} -> ${s.status}`);
      }
      lastSeen.set(s.id, s.status);
    }
    report.checks++;
  }

  async function checker() {
    while (running()) {
      try {
        await check();
      } catch {
        // A fault may cut the checker's connection too; the final check below is mandatory.
      }
      await new Promise((r) => setTimeout(r, opts.checkEveryMs ?? 50));
    }
  }

  const chaos = opts.chaos?.(controller.signal, eventIds) ?? Promise.resolve();
  await Promise.all([...users.map((u) => client(u)), sweeper(), checker()]);
  controller.abort();
  await chaos;
  await check();
  report.reservations = lastSeen.size;
  return report;
}
