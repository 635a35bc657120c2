// The event row lock and the seat counters on it. Every state change of a reservation goes through here first:
// lock the event row, then touch reservations (one lock order everywhere, so no deadlocks), and keep
// events.held / events.confirmed equal to the sum of HOLD / CONFIRMED quantities.
import { literal, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { lockWait, reservationTransitions } from '../../metrics';
import { Event } from '../events/events.model';

interface LockedEvent {
  event: Event;
  /** The database clock at the start of this transaction: the clock that decides expiry. */
  dbNow: Date;
}

interface LockOptions {
  /** Test-only: read the row without FOR UPDATE, to prove the oversell tests can see an oversell. */
  unsafeSkipLock?: boolean;
}

/** SELECT … FOR UPDATE on the event; undefined when it does not exist. */
export async function lockEvent(
  eventId: number,
  transaction: Transaction,
  opts: LockOptions = {},
): Promise<LockedEvent | undefined> {
  const stopTimer = lockWait.startTimer();
  const event = await Event.findByPk(eventId, {
    transaction,
    attributes: { include: [[literal('now()'), 'db_now']] },
    ...(opts.unsafeSkipLock ? {} : { lock: transaction.LOCK.UPDATE }),
  });
  stopTimer();
  if (!event) return undefined;
  return { event, dbNow: new Date(event.get('db_now') as Date) };
}

/**
 * The user's live holds on the event, for the per-user cap. Run it after lockEvent: as a statement of its own (and
 * through the VOLATILE function) it sees every hold committed before the lock was granted.
 */
export async function liveHoldsOfUser(
  sequelize: Sequelize,
  eventId: number,
  userId: number,
  transaction: Transaction,
): Promise<number> {
  const rows = await sequelize.query<{ n: number }>('SELECT live_holds_of_user(:eventId, :userId) AS n', {
    type: QueryTypes.SELECT,
    replacements: { eventId, userId },
    transaction,
  });
  return rows[0]?.n ?? 0;
}

/** The seats of the user's live holds on the event, for MAX_HELD_SEATS_PER_USER. Run it after lockEvent, as above. */
export async function liveHeldSeatsOfUser(
  sequelize: Sequelize,
  eventId: number,
  userId: number,
  transaction: Transaction,
): Promise<number> {
  const rows = await sequelize.query<{ n: number }>('SELECT live_hold_seats_of_user(:eventId, :userId) AS n', {
    type: QueryTypes.SELECT,
    replacements: { eventId, userId },
    transaction,
  });
  return rows[0]?.n ?? 0;
}

/** Who is told in the audit log that overdue holds were expired: always the system (the clock), for this request. */
export interface ExpiryAudit {
  /** The request whose lock found the lapsed holds; null for the worker's sweep. */
  requestId: string | null;
}

/**
 * Marks this event's overdue HOLDs EXPIRED and takes their seats off `held`, in one statement; with `audit`, the
 * same statement appends one `reservation.expire` entry per hold (actor null: the clock decided).
 * The caller must hold the event row lock. Returns how many reservations and seats were released.
 */
export async function releaseOverdueHolds(
  sequelize: Sequelize,
  eventId: number,
  transaction: Transaction,
  audit?: ExpiryAudit,
): Promise<{ reservations: number; seats: number }> {
  const rows = await sequelize.query<{ reservations: number; seats: number; held: number | null }>(
    `WITH expired AS (
       UPDATE reservations SET status = 'EXPIRED', updated_at = now()
        WHERE event_id = :eventId AND status = 'HOLD' AND expires_at <= now()
       RETURNING id, user_id, quantity, expires_at
     ), counted AS (
       SELECT count(*)::int AS reservations, COALESCE(sum(quantity), 0)::int AS seats FROM expired
     ), updated AS (
       UPDATE events SET held = held - (SELECT seats FROM counted)
        WHERE id = :eventId AND (SELECT seats FROM counted) > 0
       RETURNING held
     )${
       audit
         ? `, audited AS (
       INSERT INTO audit_log (actor_id, action, object_type, object_id, before, after, reason, request_id)
       SELECT NULL, 'reservation.expire', 'reservation', x.id,
              jsonb_build_object('status', 'HOLD', 'expires_at', x.expires_at),
              jsonb_build_object('status', 'EXPIRED', 'event', :eventId::int, 'user', x.user_id, 'quantity', x.quantity),
              'hold lapsed', :requestId
         FROM expired x
     )`
         : ''
     }
     SELECT reservations, seats, (SELECT held FROM updated) AS held FROM counted`,
    {
      type: QueryTypes.SELECT,
      replacements: { eventId, ...(audit ? { requestId: audit.requestId } : {}) },
      transaction,
    },
  );
  const row = rows[0];
  const expired = row?.reservations ?? 0;
  if (expired > 0) transaction.afterCommit(() => reservationTransitions.inc({ transition: 'expired' }, expired));
  return { reservations: row?.reservations ?? 0, seats: row?.seats ?? 0 };
}

interface HoldRow {
  id: number;
  event_id: number;
  user_id: number;
  status: 'HOLD';
  quantity: number;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

export interface HoldRequest {
  userId: number;
  quantity: number;
  /** Recorded with the hold's audit entry. */
  requestId?: string | undefined;
}

export type PlacedHold = HoldRow & { event_name: string };

export interface PlaceHoldsOptions {
  ttlSeconds: number;
  /** Live holds one user may have on one event; 0 = no cap. */
  maxActiveHoldsPerUser: number;
  /** Seats one user may hold at once on one event; 0 or absent = no limit. */
  maxHeldSeatsPerUser?: number;
  /** Test-only: no FOR UPDATE, to prove the oversell tests can see an oversell. */
  unsafeSkipLock?: boolean;
  /** Append a `reservation.hold` audit entry per placed hold in the same statement (off only in the bench's A/B). */
  audit: boolean;
}

/**
 * Places a batch of holds on one event in a single statement — one round trip, one row lock, one commit when run
 * outside a transaction — or as much of it as fits right now. The event row is locked first (FOR UPDATE re-reads the
 * latest counters after any wait), then requests are taken in order while the per-user cap holds and their running
 * sum of seats fits the free seats; those are inserted and added to `held` together. Every other request comes back
 * undefined and is for the caller to retry on the exact path, which names the reason (not found, inactive, ended,
 * cap, no room) and first releases lapsed holds. Results are in request order.
 */
export async function placeHolds(
  sequelize: Sequelize,
  eventId: number,
  requests: readonly HoldRequest[],
  opts: PlaceHoldsOptions,
  transaction?: Transaction,
): Promise<(PlacedHold | undefined)[]> {
  const rows = await sequelize.query<PlacedHold & { seq: number }>(placeHoldsStatement(opts), {
    type: QueryTypes.SELECT,
    bind: [
      eventId,
      requests.map((r) => r.userId),
      requests.map((r) => r.quantity),
      opts.ttlSeconds,
      ...(opts.audit ? [requests.map((r) => r.requestId ?? null)] : []),
      ...(isCapped(opts) ? [opts.maxActiveHoldsPerUser, opts.maxHeldSeatsPerUser ?? 0] : []),
    ],
    ...(transaction ? { transaction } : {}),
  });
  const placed: (PlacedHold | undefined)[] = new Array<PlacedHold | undefined>(requests.length).fill(undefined);
  for (const { seq, ...row } of rows) placed[seq - 1] = row;
  return placed;
}

const placeHoldsSqlCache = new Map<string, string>();

function isCapped(opts: Omit<PlaceHoldsOptions, 'ttlSeconds'>): boolean {
  return opts.maxActiveHoldsPerUser > 0 || (opts.maxHeldSeatsPerUser ?? 0) > 0;
}

/** The SQL of placeHolds (exported for the bench's ceiling, which sends it straight through `pg`). */
export function placeHoldsStatement(opts: Omit<PlaceHoldsOptions, 'ttlSeconds'>): string {
  const capped = isCapped(opts);
  const locked = !opts.unsafeSkipLock;
  const audited = opts.audit;
  const cacheKey = `${capped}/${locked}/${audited}`;
  const cached = placeHoldsSqlCache.get(cacheKey);
  if (cached) return cached;
  // $1 event id, $2 user ids, $3 quantities, $4 hold TTL in seconds, then $5 request ids (only when audited), then
  // (only when capped) the per-user hold count cap and the per-user held seats cap (each 0 = off).
  const countCap = audited ? '$6' : '$5';
  const seatsCap = audited ? '$7' : '$6';
  const sql = `WITH e AS (
      SELECT id, name, capacity, held, confirmed, capacity - held - confirmed AS free, now() AS db_now
        FROM events WHERE id = $1 AND is_active AND end_time > now()
        ${locked ? 'FOR UPDATE' : ''}
    ), req AS (
      SELECT seq::int AS seq, user_id, quantity,
             row_number() OVER (PARTITION BY user_id ORDER BY seq) AS nth_of_user,
             sum(quantity) OVER (PARTITION BY user_id ORDER BY seq) AS seats_of_user
        FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS r(user_id, quantity, seq)
    ), ${
      capped
        ? // live_hold_totals_of_user() takes e.id so it runs only once e has the row lock (see migrations 0002 and
          // 0003): one scan of each user's live holds gives both the count and the seats.
          `live AS (
      SELECT u.user_id, t.holds AS n, t.seats
        FROM (SELECT DISTINCT user_id FROM req) u, e, LATERAL live_hold_totals_of_user(e.id, u.user_id) t
    ), allowed AS (
      SELECT req.* FROM req JOIN live USING (user_id)
       WHERE (${countCap} = 0 OR live.n + req.nth_of_user <= ${countCap})
         AND (${seatsCap} = 0 OR live.seats + req.seats_of_user <= ${seatsCap})
    )`
        : `allowed AS (SELECT * FROM req)`
    }, fits AS (
      SELECT a.seq, a.user_id, a.quantity
        FROM (SELECT allowed.*, sum(quantity) OVER (ORDER BY seq) AS running FROM allowed) a, e
       WHERE a.running <= e.free
    ), ok AS (
      SELECT seq, user_id, quantity, nextval('reservations_id_seq')::int AS id FROM fits
    ), ins AS (
      INSERT INTO reservations (id, event_id, user_id, status, quantity, expires_at, created_at, updated_at)
      SELECT ok.id, e.id, ok.user_id, 'HOLD', ok.quantity, e.db_now + make_interval(secs => $4), e.db_now, e.db_now
        FROM ok, e
      RETURNING id, event_id, user_id, status, quantity, expires_at, created_at, updated_at
    ),${
      audited
        ? // The audit entries ride in the same statement: no extra round trip while the event row is locked.
          ` audited AS (
      INSERT INTO audit_log (at, actor_id, action, object_type, object_id, after, request_id)
      SELECT e.db_now, ins.user_id, 'reservation.hold', 'reservation', ins.id,
             jsonb_build_object('status', 'HOLD', 'event', ins.event_id, 'user', ins.user_id,
                                'quantity', ins.quantity, 'expires_at', ins.expires_at),
             ($5::text[])[ok.seq]
        FROM ins JOIN ok USING (id) CROSS JOIN e
    ),`
        : ''
    } counted AS (
      -- Every column the oversell CHECK reads is set from e, the row version this statement locked. PostgreSQL
      -- checks constraints on the row built from the statement's snapshot before it finds that the row was updated
      -- since (then it rebuilds it from the latest version), so "held = held + n" could fail the CHECK spuriously
      -- when seats were freed after the snapshot was taken. Under the lock, e is the latest version.
      UPDATE events SET held = e.held + (SELECT sum(quantity) FROM ins), confirmed = e.confirmed, capacity = e.capacity
        FROM e WHERE events.id = e.id AND EXISTS (SELECT 1 FROM ins)
    )
    SELECT ok.seq, ins.*, e.name AS event_name FROM ins JOIN ok USING (id) CROSS JOIN e`;
  placeHoldsSqlCache.set(cacheKey, sql);
  return sql;
}

/** Moves seats between the counters of a locked event (positive adds, negative removes). */
export async function adjustCounters(
  sequelize: Sequelize,
  eventId: number,
  delta: { held?: number; confirmed?: number },
  transaction: Transaction,
): Promise<void> {
  await sequelize.query(
    'UPDATE events SET held = held + :held, confirmed = confirmed + :confirmed WHERE id = :eventId',
    { replacements: { eventId, held: delta.held ?? 0, confirmed: delta.confirmed ?? 0 }, transaction },
  );
}

/** Overdue seats per event by the database clock: what lazy expiry subtracts from `held` on reads. */
export const OVERDUE_SEATS_SQL = `COALESCE((SELECT sum(r.quantity) FROM reservations r
  WHERE r.event_id = "Event"."id" AND r.status = 'HOLD' AND r.expires_at <= now()), 0)::int`;
