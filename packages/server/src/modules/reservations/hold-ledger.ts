// The event row lock and the seat counters on it. Every state change of a reservation goes through here first:
// lock the event row, then touch reservations (one lock order everywhere, so no deadlocks), and keep
// events.held / events.confirmed equal to the sum of HOLD / CONFIRMED quantities. Each method's SQL is one
// statement text below, next to a note on what it locks.
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { lockWait, reservationTransitions } from '../../metrics';

/**
 * The row lock every seat change takes on its event first: Sequelize's Transaction.LOCK.UPDATE, spelled as SQL for
 * the statements written by hand here. `grep -n 'LOCK.UPDATE\|EVENT_ROW_LOCK'` finds every row lock of the server.
 */
export const EVENT_ROW_LOCK = `FOR ${Transaction.LOCK.UPDATE}`;

/**
 * How the ledger's statements lock the event rows they read: the clause that ends
 * `SELECT … FROM events WHERE id = ANY($1::int[]) …` ($1 is always the event ids). Production passes
 * LOCK_EVENTS_IN_ID_ORDER; the test harness injects variants for its negative controls (test/support).
 */
export interface EventLocking {
  readonly clause: string;
}

/**
 * Event rows locked in ascending id order. PostgreSQL's LockRows node sits above the Sort, so the rows of one
 * statement are locked one by one in id order; any two statements lock their common events in the same order and
 * cannot deadlock on them.
 */
export const LOCK_EVENTS_IN_ID_ORDER: EventLocking = { clause: `ORDER BY id ${EVENT_ROW_LOCK}` };

/** An event row read under the lock. */
export interface LockedEvent {
  id: number;
  name: string;
  capacity: number;
  held: number;
  confirmed: number;
  isActive: boolean;
  endTime: Date;
  /** The database clock at the start of this transaction: the clock that decides expiry. */
  dbNow: Date;
}

/** Who is told in the audit log that overdue holds were expired: always the system (the clock), for this request. */
export interface ExpiryAudit {
  /** The request whose lock found the lapsed holds; null for the worker's sweep. */
  requestId: string | null;
}

export interface HoldRequest {
  eventId: number;
  userId: number;
  quantity: number;
  /** Recorded with the hold's audit entry. */
  requestId?: string | undefined;
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

export type PlacedHold = HoldRow & { event_name: string };

export interface HoldLedgerSettings {
  holdTtlSeconds: number;
  /** Live holds one user may have on one event; 0 = no cap. */
  maxActiveHoldsPerUser: number;
  /** Seats one user may hold at once on one event; 0 = no limit. */
  maxHeldSeatsPerUser: number;
  /** Append an audit entry per change in the same statement (off only in the bench's A/B). */
  audit: boolean;
}

/**
 * The events' rows ($1 event ids) with the columns a seat change decides on.
 * Locks: those rows, EVENT_ROW_LOCK in the order `locking` gives, until the transaction ends.
 */
const lockEventsSql = (locking: EventLocking) =>
  `SELECT id, name, capacity, held, confirmed, is_active, end_time, now() AS db_now
     FROM events WHERE id = ANY($1::int[])
    ${locking.clause}`;

/**
 * Holds placed in one statement. $1 event ids, $2 user ids, $3 quantities (one per request, in request order),
 * $4 TTL in seconds, $5 request ids (for the audit entries), $6 per-user live holds cap and $7 per-user held seats
 * cap (each 0 = off, and then the live holds are not read at all), $8 whether to write audit entries.
 *
 * Locks: every bookable event row named in $1 (EVENT_ROW_LOCK, in the order `locking` gives: ids ascending in
 * production) before anything reads the counters or the user's live holds; the rows stay locked until the
 * statement's transaction ends (at once when it runs alone: autocommit).
 */
const placeHoldsSql = (locking: EventLocking) => `WITH e AS (
      SELECT id, name, capacity, held, confirmed, capacity - held - confirmed AS free, now() AS db_now
        FROM events WHERE id = ANY($1::int[]) AND is_active AND end_time > now()
        ${locking.clause}
    ), req AS (
      SELECT seq::int AS seq, event_id, user_id, quantity,
             row_number() OVER (PARTITION BY event_id, user_id ORDER BY seq) AS nth_of_user,
             sum(quantity) OVER (PARTITION BY event_id, user_id ORDER BY seq) AS seats_of_user
        FROM unnest($1::int[], $2::int[], $3::int[]) WITH ORDINALITY AS r(event_id, user_id, quantity, seq)
    ), live AS (
      -- live_hold_totals_of_user() takes e.id so it runs only once e has that event's row lock (migrations 0002
      -- and 0003): a VOLATILE function sees the holds committed while the lock was awaited.
      SELECT u.event_id, u.user_id, t.holds, t.seats
        FROM (SELECT DISTINCT event_id, user_id FROM req) u JOIN e ON e.id = u.event_id,
             LATERAL live_hold_totals_of_user(e.id, u.user_id) t
       WHERE $6 > 0 OR $7 > 0
    ), allowed AS (
      SELECT req.* FROM req LEFT JOIN live USING (event_id, user_id)
       WHERE ($6 = 0 OR live.holds + req.nth_of_user <= $6)
         AND ($7 = 0 OR live.seats + req.seats_of_user <= $7)
    ), fits AS (
      -- Per event, the requests in order while their running sum of seats fits the free seats.
      SELECT a.seq, a.event_id, a.user_id, a.quantity
        FROM (SELECT allowed.*, sum(quantity) OVER (PARTITION BY event_id ORDER BY seq) AS running FROM allowed) a
        JOIN e ON e.id = a.event_id
       WHERE a.running <= e.free
    ), ok AS (
      SELECT seq, event_id, user_id, quantity, nextval('reservations_id_seq')::int AS id FROM fits
    ), ins AS (
      INSERT INTO reservations (id, event_id, user_id, status, quantity, expires_at, created_at, updated_at)
      SELECT ok.id, e.id, ok.user_id, 'HOLD', ok.quantity, e.db_now + make_interval(secs => $4), e.db_now, e.db_now
        FROM ok JOIN e ON e.id = ok.event_id
      RETURNING id, event_id, user_id, status, quantity, expires_at, created_at, updated_at
    ), audited AS (
      -- The audit entries ride in the same statement: no extra round trip while the event rows are locked.
      INSERT INTO audit_log (at, actor_id, action, object_type, object_id, after, request_id)
      SELECT e.db_now, ins.user_id, 'reservation.hold', 'reservation', ins.id,
             jsonb_build_object('status', 'HOLD', 'event', ins.event_id, 'user', ins.user_id,
                                'quantity', ins.quantity, 'expires_at', ins.expires_at),
             ($5::text[])[ok.seq]
        FROM ins JOIN ok USING (id) JOIN e ON e.id = ins.event_id
       WHERE $8::bool
    ), counted AS (
      -- Every column the oversell CHECK reads is set from e, the row version this statement locked. PostgreSQL
      -- checks constraints on the row built from the statement's snapshot before it finds that the row was updated
      -- since (then it rebuilds it from the latest version), so "held = held + n" could fail the CHECK spuriously
      -- when seats were freed after the snapshot was taken. Under the lock, e is the latest version.
      UPDATE events SET held = e.held + placed.seats, confirmed = e.confirmed, capacity = e.capacity
        FROM e JOIN (SELECT event_id, sum(quantity) AS seats FROM ins GROUP BY event_id) placed ON placed.event_id = e.id
       WHERE events.id = e.id
    )
    SELECT ok.seq, ins.*, e.name AS event_name FROM ins JOIN ok USING (id) JOIN e ON e.id = ins.event_id`;

/** The production text of placeHolds (the bench's ceiling sends it straight through `pg`; parameters as above). */
export const PLACE_HOLDS_SQL = placeHoldsSql(LOCK_EVENTS_IN_ID_ORDER);

/**
 * The event's overdue HOLDs marked EXPIRED and their seats taken off `held`; with $3, one `reservation.expire` audit
 * entry per hold (actor null: the clock decided; $2 the request id). $1 event id.
 * Locks: the expired reservation rows (UPDATE); the caller already holds the event row lock.
 */
const RELEASE_OVERDUE_HOLDS_SQL = `WITH expired AS (
       UPDATE reservations SET status = 'EXPIRED', updated_at = now()
        WHERE event_id = $1 AND status = 'HOLD' AND expires_at <= now()
       RETURNING id, user_id, quantity, expires_at
     ), counted AS (
       SELECT count(*)::int AS reservations, COALESCE(sum(quantity), 0)::int AS seats FROM expired
     ), updated AS (
       UPDATE events SET held = held - (SELECT seats FROM counted)
        WHERE id = $1 AND (SELECT seats FROM counted) > 0
     ), audited AS (
       INSERT INTO audit_log (actor_id, action, object_type, object_id, before, after, reason, request_id)
       SELECT NULL, 'reservation.expire', 'reservation', x.id,
              jsonb_build_object('status', 'HOLD', 'expires_at', x.expires_at),
              jsonb_build_object('status', 'EXPIRED', 'event', $1::int, 'user', x.user_id, 'quantity', x.quantity),
              'hold lapsed', $2::text
         FROM expired x
        WHERE $3::bool
     )
     SELECT reservations, seats FROM counted`;

/**
 * Every reservation of the event in the given statuses ($2) cancelled and its seats taken off the counters; with
 * $6, one `reservation.cancel` audit entry each ($3 actor, $4 reason, $5 request id). $1 event id.
 * Locks: the matching reservation rows (Transaction.LOCK.UPDATE, as EVENT_ROW_LOCK) under the caller's event lock.
 */
const CANCEL_RESERVATIONS_OF_EVENT_SQL = `WITH cancelled AS (
       UPDATE reservations r SET status = 'CANCELLED', updated_at = now()
         FROM (SELECT id, status AS old_status FROM reservations
                WHERE event_id = $1 AND status::text = ANY($2::text[]) ${EVENT_ROW_LOCK}) o
        WHERE r.id = o.id
       RETURNING r.id, r.user_id, r.quantity, r.expires_at, o.old_status
     ), counted AS (
       SELECT count(*)::int AS cancelled,
              COALESCE(sum(quantity) FILTER (WHERE old_status = 'HOLD'), 0)::int AS held,
              COALESCE(sum(quantity) FILTER (WHERE old_status = 'CONFIRMED'), 0)::int AS confirmed
         FROM cancelled
     ), updated AS (
       UPDATE events SET held = held - (SELECT held FROM counted), confirmed = confirmed - (SELECT confirmed FROM counted)
        WHERE id = $1 AND (SELECT cancelled FROM counted) > 0
     ), audited AS (
       INSERT INTO audit_log (actor_id, action, object_type, object_id, before, after, reason, request_id)
       SELECT $3::int, 'reservation.cancel', 'reservation', c.id,
              jsonb_build_object('status', c.old_status, 'expires_at', c.expires_at),
              jsonb_build_object('status', 'CANCELLED', 'event', $1::int, 'user', c.user_id,
                                 'quantity', c.quantity, 'expires_at', c.expires_at),
              $4::text, $5::text
         FROM cancelled c
        WHERE $6::bool
     )
     SELECT cancelled FROM counted`;

/** Seats moved between the counters of the event ($1): $2 added to held, $3 to confirmed (negative removes). */
const MOVE_SEATS_SQL = 'UPDATE events SET held = held + $2, confirmed = confirmed + $3 WHERE id = $1';

/**
 * The user's ($2) live holds on the event ($1): how many and their seats, for the per-user caps. Run it after
 * lockEvent: as a statement of its own (and through the VOLATILE function) it sees every hold committed before the
 * lock was granted.
 */
const LIVE_HOLDS_OF_USER_SQL = 'SELECT holds, seats FROM live_hold_totals_of_user($1, $2)';

export class HoldLedger {
  private readonly lockEventsStatement: string;
  private readonly placeHoldsStatement: string;

  /** @param locking how event rows are locked: LOCK_EVENTS_IN_ID_ORDER, or a test harness's negative control. */
  constructor(
    private readonly sequelize: Sequelize,
    private readonly settings: HoldLedgerSettings,
    locking: EventLocking = LOCK_EVENTS_IN_ID_ORDER,
  ) {
    this.lockEventsStatement = lockEventsSql(locking);
    this.placeHoldsStatement = placeHoldsSql(locking);
  }

  /** Locks the event's row for the rest of the transaction; undefined when it does not exist. */
  async lockEvent(eventId: number, transaction: Transaction): Promise<LockedEvent | undefined> {
    const [locked] = await this.lockEvents([eventId], transaction);
    return locked;
  }

  /** Locks the rows of the events that exist, in ascending id order (see LOCK_EVENTS_IN_ID_ORDER). */
  async lockEvents(eventIds: readonly number[], transaction: Transaction): Promise<LockedEvent[]> {
    const stopTimer = lockWait.startTimer();
    const rows = await this.sequelize.query<{
      id: number;
      name: string;
      capacity: number;
      held: number;
      confirmed: number;
      is_active: boolean;
      end_time: Date;
      db_now: Date;
    }>(this.lockEventsStatement, { type: QueryTypes.SELECT, bind: [eventIds], transaction });
    stopTimer();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      capacity: r.capacity,
      held: r.held,
      confirmed: r.confirmed,
      isActive: r.is_active,
      endTime: new Date(r.end_time),
      dbNow: new Date(r.db_now),
    }));
  }

  /**
   * Places a batch of holds in a single statement — one round trip, one commit when run outside a transaction —
   * or as much of it as fits right now. The event rows are locked first (FOR UPDATE re-reads the latest counters
   * after any wait); then, per event, requests are taken in order while the per-user caps hold and their running
   * sum of seats fits the free seats; those are inserted and added to `held` together. Every other request comes
   * back undefined and is for the caller to retry on the exact path, which names the reason (not found, inactive,
   * ended, cap, no room) and first releases lapsed holds. Results are in request order.
   */
  placeHolds(requests: readonly HoldRequest[], transaction?: Transaction): Promise<(PlacedHold | undefined)[]> {
    return this.runPlaceHolds(requests, this.settings, transaction);
  }

  /**
   * The exact path's hold: the same statement, in the transaction that has locked the event and checked the
   * per-user caps itself (so the statement does not count the user's holds again). Undefined if it did not fit.
   */
  async placeCheckedHold(request: HoldRequest, transaction: Transaction): Promise<PlacedHold | undefined> {
    const uncapped = { ...this.settings, maxActiveHoldsPerUser: 0, maxHeldSeatsPerUser: 0 };
    const [placed] = await this.runPlaceHolds([request], uncapped, transaction);
    return placed;
  }

  /**
   * Marks this event's overdue HOLDs EXPIRED and takes their seats off `held`, in one statement; with `audit`, the
   * same statement appends one `reservation.expire` entry per hold. The caller must hold the event row lock.
   * Returns how many reservations and seats were released.
   */
  async releaseOverdueHolds(
    eventId: number,
    transaction: Transaction,
    audit?: ExpiryAudit,
  ): Promise<{ reservations: number; seats: number }> {
    const rows = await this.sequelize.query<{ reservations: number; seats: number }>(RELEASE_OVERDUE_HOLDS_SQL, {
      type: QueryTypes.SELECT,
      bind: [eventId, audit?.requestId ?? null, audit !== undefined],
      transaction,
    });
    const released = { reservations: rows[0]?.reservations ?? 0, seats: rows[0]?.seats ?? 0 };
    if (released.reservations > 0) {
      transaction.afterCommit(() => reservationTransitions.inc({ transition: 'expired' }, released.reservations));
    }
    return released;
  }

  /**
   * Cancels the event's reservations in the given statuses and takes their seats off the counters, in one
   * statement (with one audit entry each when `audit` is given). The caller must hold the event row lock.
   */
  async cancelReservationsOfEvent(
    eventId: number,
    statuses: readonly ('HOLD' | 'CONFIRMED')[],
    transaction: Transaction,
    audit?: { actorId: number; reason: string; requestId: string | null },
  ): Promise<number> {
    const rows = await this.sequelize.query<{ cancelled: number }>(CANCEL_RESERVATIONS_OF_EVENT_SQL, {
      type: QueryTypes.SELECT,
      bind: [eventId, statuses, audit?.actorId ?? null, audit?.reason ?? null, audit?.requestId ?? null, !!audit],
      transaction,
    });
    const cancelled = rows[0]?.cancelled ?? 0;
    if (cancelled > 0)
      transaction.afterCommit(() => reservationTransitions.inc({ transition: 'cancelled' }, cancelled));
    return cancelled;
  }

  /** Moves seats between the counters of a locked event (positive adds, negative removes). */
  async moveSeats(
    eventId: number,
    delta: { held?: number; confirmed?: number },
    transaction: Transaction,
  ): Promise<void> {
    await this.sequelize.query(MOVE_SEATS_SQL, {
      bind: [eventId, delta.held ?? 0, delta.confirmed ?? 0],
      transaction,
    });
  }

  /** The user's live holds on a locked event (count and seats), for the per-user caps. */
  async liveHoldsOfUser(
    eventId: number,
    userId: number,
    transaction: Transaction,
  ): Promise<{ holds: number; seats: number }> {
    const rows = await this.sequelize.query<{ holds: number; seats: number }>(LIVE_HOLDS_OF_USER_SQL, {
      type: QueryTypes.SELECT,
      bind: [eventId, userId],
      transaction,
    });
    return { holds: rows[0]?.holds ?? 0, seats: rows[0]?.seats ?? 0 };
  }

  private async runPlaceHolds(
    requests: readonly HoldRequest[],
    caps: Pick<HoldLedgerSettings, 'maxActiveHoldsPerUser' | 'maxHeldSeatsPerUser'>,
    transaction: Transaction | undefined,
  ): Promise<(PlacedHold | undefined)[]> {
    const rows = await this.sequelize.query<PlacedHold & { seq: number }>(this.placeHoldsStatement, {
      type: QueryTypes.SELECT,
      bind: [
        requests.map((r) => r.eventId),
        requests.map((r) => r.userId),
        requests.map((r) => r.quantity),
        this.settings.holdTtlSeconds,
        requests.map((r) => r.requestId ?? null),
        caps.maxActiveHoldsPerUser,
        caps.maxHeldSeatsPerUser,
        this.settings.audit,
      ],
      ...(transaction ? { transaction } : {}),
    });
    const placed = new Array<PlacedHold | undefined>(requests.length).fill(undefined);
    for (const { seq, ...row } of rows) placed[seq - 1] = row;
    return placed;
  }
}
