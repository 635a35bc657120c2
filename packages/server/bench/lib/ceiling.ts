// The ceiling: the hold transaction the API runs, driven straight from `pg` with no HTTP, no auth and no ORM,
// by N workers that each keep one connection. What the API reaches of it is the cost of everything else.
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { percentile, round, type Measurement } from './load';

/**
 * - `server`: what the API sends for one hold: hold-ledger's placeHolds statement (lock, checks, INSERT and the
 *   counter UPDATE in one autocommit statement; 1 round trip), here with one hold per statement. The API batches
 *   the holds that arrive while a statement for the same event is in flight; the ceiling does not, so the ratio
 *   shows what that group commit buys on top of removing HTTP, auth and the ORM.
 * - `separate`: the textbook transaction: BEGIN; SELECT … FOR UPDATE; checks in JS; INSERT; UPDATE; COMMIT
 *   (5 round trips, 3 under the event row lock).
 * - `combined`: as `separate` with INSERT and UPDATE in one statement (4 round trips; the API's shape until the
 *   single statement).
 * - `async-commit`: `combined` with SET LOCAL synchronous_commit = off: the lock is released before the WAL flush.
 */
export type HoldShape = 'server' | 'separate' | 'combined' | 'async-commit';

/** The hold statement of the server build under test (dist/), so the ceiling always sends the API's SQL. */
interface HoldLedgerModule {
  PLACE_HOLDS_SQL: string;
}
function serverStatement(serverDir: string): string {
  // Loaded at run time from the build under test (--server-dir), not bundled into the bench at compile time.
  const load = createRequire(__filename);
  const ledger = load(path.join(serverDir, 'dist/modules/reservations/hold-ledger.js')) as HoldLedgerModule;
  return ledger.PLACE_HOLDS_SQL;
}

// Sequelize inlines replacements into the text (simple query protocol); so does the ceiling for the transaction
// shapes. Values are integers and a timestamp produced here, never outside input.
const lockSql = (eventId: number) =>
  `SELECT "id", "name", "description", "capacity", "held", "confirmed", "start_time" AS "startTime", ` +
  `"end_time" AS "endTime", "is_active" AS "isActive", "created_at" AS "createdAt", "updated_at" AS "updatedAt", ` +
  `now() AS "db_now" FROM "events" AS "Event" WHERE "Event"."id" = ${eventId} FOR UPDATE;`;
const insertValues = (eventId: number, userId: number, expiresAt: Date) =>
  `(${eventId}, ${userId}, 'HOLD', 1, '${expiresAt.toISOString()}', now(), now())`;
const combinedSql = (eventId: number, userId: number, expiresAt: Date) => `WITH inserted AS (
       INSERT INTO reservations (event_id, user_id, status, quantity, expires_at, created_at, updated_at)
       VALUES ${insertValues(eventId, userId, expiresAt)}
       RETURNING id, event_id, user_id, status, quantity, expires_at, created_at, updated_at
     ), counted AS (
       UPDATE events SET held = held + 1 WHERE id = ${eventId}
     )
     SELECT * FROM inserted`;
const insertSql = (eventId: number, userId: number, expiresAt: Date) =>
  `INSERT INTO reservations (event_id, user_id, status, quantity, expires_at, created_at, updated_at)
   VALUES ${insertValues(eventId, userId, expiresAt)}
   RETURNING id, event_id, user_id, status, quantity, expires_at, created_at, updated_at`;
const updateSql = (eventId: number) =>
  `UPDATE events SET held = held + 1, confirmed = confirmed + 0 WHERE id = ${eventId}`;

const HOLD_TTL_MS = 300_000;

interface EventRow {
  capacity: number;
  held: number;
  confirmed: number;
  isActive: boolean;
  endTime: Date;
  db_now: Date;
}

async function holdOnce(
  c: pg.PoolClient,
  shape: HoldShape,
  eventId: number,
  userId: number,
  statement: string,
): Promise<void> {
  if (shape === 'server') {
    // Bound parameters, as Sequelize's `bind` sends them (extended protocol, one round trip): one hold's event,
    // user and quantity; the TTL; its request id (none); both per-user caps off, as the bench runs the API with
    // MAX_ACTIVE_HOLDS_PER_USER=0 (10 users hold thousands of seats); audit entries on.
    const r = await c.query(statement, [[eventId], [userId], [1], HOLD_TTL_MS / 1000, [null], 0, 0, true]);
    if (r.rowCount !== 1) throw new Error('hold refused');
    return;
  }
  await c.query(
    shape === 'async-commit' ? 'START TRANSACTION; SET LOCAL synchronous_commit = off;' : 'START TRANSACTION;',
  );
  try {
    const locked = await c.query<EventRow>(lockSql(eventId));
    const e = locked.rows[0];
    if (!e) throw new Error('event not found');
    if (!e.isActive || e.endTime.getTime() <= e.db_now.getTime()) throw new Error('event not bookable');
    if (e.capacity - e.held - e.confirmed < 1) throw new Error('insufficient capacity');
    const expiresAt = new Date(e.db_now.getTime() + HOLD_TTL_MS);
    if (shape === 'separate') {
      await c.query(insertSql(eventId, userId, expiresAt));
      await c.query(updateSql(eventId));
    } else {
      await c.query(combinedSql(eventId, userId, expiresAt));
    }
    await c.query('COMMIT;');
  } catch (err) {
    await c.query('ROLLBACK;').catch(() => undefined);
    throw err;
  }
}

/** The database work of one GET /api/events/ request: the auth lookup and the page query, as the API sends them. */
async function listOnce(c: pg.PoolClient, userId: number, total: 'window' | 'none' | 'count'): Promise<void> {
  await c.query(
    `SELECT "id", "username", "email", "is_superuser" AS "isSuperuser", "is_active" AS "isActive" FROM "users" AS "User" WHERE "User"."id" = ${userId};`,
  );
  await c.query(`SELECT "id", "name", "description", "capacity", "held", "confirmed", "start_time" AS "startTime", "end_time" AS "endTime", "is_active" AS "isActive", "created_at" AS "createdAt", "updated_at" AS "updatedAt", COALESCE((SELECT sum(r.quantity) FROM reservations r
  WHERE r.event_id = "Event"."id" AND r.status = 'HOLD' AND r.expires_at <= now()), 0)::int AS "overdue_seats"${total === 'window' ? ', count(*) OVER () AS "total"' : ''} FROM "events" AS "Event" ORDER BY "startTime" ASC, "Event"."id" ASC LIMIT 20 OFFSET 0;`);
  if (total === 'count') await c.query('SELECT count(*) AS "count" FROM "events" AS "Event";');
}

export interface CeilingRun {
  databaseUrl: string;
  workers: number;
  durationS: number;
  /**
   * A hold transaction of this shape, or the list page's queries: `list` as the API sends them, `list-no-total`
   * without count(*) OVER (), `list-count` with the total from a separate SELECT count(*).
   */
  shape: HoldShape | 'list' | 'list-no-total' | 'list-count';
  pickEvent: () => number;
  userIds: number[];
  /** The server package whose hold statement the `server` shape sends. */
  serverDir: string;
}

export async function ceilingRun(run: CeilingRun): Promise<Measurement & { shape: string; workers: number }> {
  const pool = new pg.Pool({
    connectionString: run.databaseUrl,
    max: run.workers,
    // The API's per-connection settings (db/database.ts).
    application_name: 'holdfast-bench-ceiling',
    lock_timeout: 2000,
    statement_timeout: 10000,
    connectionTimeoutMillis: 10_000,
  });
  const statement = serverStatement(run.serverDir);
  const clients = await Promise.all(Array.from({ length: run.workers }, () => pool.connect()));
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const end = started + run.durationS * 1000;
  let u = 0;
  try {
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          const t0 = performance.now();
          const userId = run.userIds[u++ % run.userIds.length] ?? 0;
          try {
            if (run.shape === 'list') await listOnce(c, userId, 'window');
            else if (run.shape === 'list-no-total') await listOnce(c, userId, 'none');
            else if (run.shape === 'list-count') await listOnce(c, userId, 'count');
            else await holdOnce(c, run.shape, run.pickEvent(), userId, statement);
            latencies.push(performance.now() - t0);
          } catch (err) {
            errors++;
            const key = err instanceof Error ? err.message.slice(0, 80) : String(err);
            errorKinds[key] = (errorKinds[key] ?? 0) + 1;
          }
        }
      }),
    );
  } finally {
    for (const c of clients) c.release();
    await pool.end();
  }
  const elapsedS = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    shape: run.shape,
    workers: run.workers,
    rps: round(latencies.length / elapsedS, 1),
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    errors,
    non2xx: 0,
    socketErrors: errors,
    timeouts: 0,
    total: latencies.length + errors,
    ok: latencies.length,
    durationS: round(elapsedS),
    statusCodes: errorKinds,
  };
}
