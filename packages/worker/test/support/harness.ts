// What the worker tests stand on: a runtime on the run's test database (made by the global setup), factories going
// through the real services (the shared ones of @holdfast/test-kit, in the worker's terms), a logger that records
// what the worker said, and polling with a deadline instead of sleeps.
import { loadConfig, type Runtime, type Services } from '@holdfast/server';
import {
  createAccount,
  createEvent as createEventIn,
  ledger as ledgerOf,
  openTestRuntime,
  testEnv,
} from '@holdfast/test-kit';
import { QueryTypes } from 'sequelize';
import type { LogFields, SweepReport, WorkerLogger } from '../../src';

export { eventually, TEST_JWT_SECRET, unique } from '@holdfast/test-kit';

export type AuthUser = Parameters<Services['reservations']['createHold']>[0];
export type Reservation = Awaited<ReturnType<Services['reservations']['createHold']>>;

/** A runtime on the test database. Holds last `holdTtlSeconds`, so tests watch them lapse for real. */
export async function openRuntime(opts: { holdTtlSeconds?: number; lockTimeoutMs?: number } = {}): Promise<Runtime> {
  const config = loadConfig(
    testEnv({
      HOLD_TTL_SECONDS: String(opts.holdTtlSeconds ?? 3),
      MAX_ACTIVE_HOLDS_PER_USER: '0',
      MAX_HELD_SEATS_PER_USER: '0',
      MAX_HOLD_QUANTITY: '10',
      LOCK_TIMEOUT_MS: String(opts.lockTimeoutMs ?? 2000),
    }),
  );
  return openTestRuntime(config);
}

/** A user made through the service, as the worker's callers see one (no sign-in: the worker needs no tokens). */
export function createUser(rt: Runtime): Promise<AuthUser> {
  return createAccount({ rt });
}

export async function createEvent(rt: Runtime, capacity = 100): Promise<{ id: number }> {
  return createEventIn({ rt }, { capacity });
}

export async function createHolds(
  rt: Runtime,
  user: AuthUser,
  eventIds: number[],
  perEvent: number,
  quantity = 1,
): Promise<Reservation[]> {
  const holds: Reservation[] = [];
  for (const eventId of eventIds) {
    for (let i = 0; i < perEvent; i++) {
      holds.push(await rt.services.reservations.createHold(user, { event_id: eventId, quantity }));
    }
  }
  return holds;
}

export interface ReservationRow {
  id: number;
  status: 'HOLD' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED';
  quantity: number;
  expires_at: Date | null;
  updated_at: Date;
  /** updated_at − expires_at by the database clock, in ms (null unless it has an expiry). */
  lapse_ms: number | null;
}

export async function reservationRows(rt: Runtime, ids: number[]): Promise<ReservationRow[]> {
  return rt.sequelize.query<ReservationRow>(
    `SELECT id, status, quantity, expires_at, updated_at,
       (extract(epoch FROM updated_at - expires_at) * 1000)::float8 AS lapse_ms
     FROM reservations WHERE id IN (:ids) ORDER BY id`,
    { type: QueryTypes.SELECT, replacements: { ids } },
  );
}

/** The event's counters next to a recount of its reservations. */
export function ledger(rt: Runtime, eventId: number) {
  return ledgerOf({ rt }, eventId);
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: LogFields;
}

/** A WorkerLogger that keeps every line (WORKER_TEST_LOG=1 also prints them). */
export function recordingLog(label = 'worker') {
  const entries: LogEntry[] = [];
  const echo = process.env.WORKER_TEST_LOG === '1';
  const at =
    (level: LogEntry['level']) =>
    (msg: string, fields: LogFields = {}) => {
      entries.push({ level, msg, fields });
      if (echo) process.stdout.write(`[${label}] ${level} ${msg}\n`);
    };
  const log: WorkerLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return {
    log,
    entries,
    sweeps: (): SweepReport[] =>
      entries
        .filter((e) => e.fields.job === 'expire-holds' && typeof e.fields.expired === 'number')
        .map((e) => e.fields as unknown as SweepReport),
    expiredTotal(): number {
      return this.sweeps().reduce((sum, s) => sum + s.expired, 0);
    },
    has: (level: LogEntry['level'], pattern: RegExp): boolean =>
      entries.some((e) => e.level === level && pattern.test(e.msg)),
  };
}

/** Sessions of this database waiting for a lock: a sweep held up on an event row lock shows up here. */
export async function lockWaiters(rt: Runtime): Promise<number> {
  const [row] = await rt.sequelize.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    { type: QueryTypes.SELECT },
  );
  return row?.n ?? 0;
}
