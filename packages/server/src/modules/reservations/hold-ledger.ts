// The event row lock and the seat counters on it. Every state change of a reservation goes through here first:
// lock the event row, then touch reservations (one lock order everywhere, so no deadlocks), and keep
// events.held / events.confirmed equal to the sum of HOLD / CONFIRMED quantities.
import { literal, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { lockWait, reservationTransitions } from '../../metrics';
import { Event } from '../events/events.model';

export interface LockedEvent {
  event: Event;
  /** The database clock at the start of this transaction: the clock that decides expiry. */
  dbNow: Date;
}

export interface LockOptions {
  /** Also count this user's live holds on the event (for the per-user cap), in the same round trip. */
  countHoldsOfUser?: number;
  /** Test-only: read the row without FOR UPDATE, to prove the oversell tests can see an oversell. */
  unsafeSkipLock?: boolean;
}

/** SELECT … FOR UPDATE on the event; undefined when it does not exist. */
export async function lockEvent(
  eventId: number,
  transaction: Transaction,
  opts: LockOptions = {},
): Promise<(LockedEvent & { userLiveHolds: number }) | undefined> {
  const include: [ReturnType<typeof literal>, string][] = [[literal('now()'), 'db_now']];
  if (opts.countHoldsOfUser !== undefined) {
    // Integer from an authenticated token, never user text.
    const userId = Math.trunc(opts.countHoldsOfUser);
    include.push([
      literal(
        `(SELECT count(*)::int FROM reservations r WHERE r.event_id = "Event"."id" AND r.user_id = ${userId}` +
          ` AND r.status = 'HOLD' AND r.expires_at > now())`,
      ),
      'user_live_holds',
    ]);
  }
  const stopTimer = lockWait.startTimer();
  const event = await Event.findByPk(eventId, {
    transaction,
    attributes: { include },
    ...(opts.unsafeSkipLock ? {} : { lock: transaction.LOCK.UPDATE }),
  });
  stopTimer();
  if (!event) return undefined;
  return {
    event,
    dbNow: new Date(event.get('db_now') as Date),
    userLiveHolds: Number(event.get('user_live_holds') ?? 0),
  };
}

/**
 * Marks this event's overdue HOLDs EXPIRED and takes their seats off `held`, in one statement.
 * The caller must hold the event row lock. Returns how many reservations and seats were released.
 */
export async function releaseOverdueHolds(
  sequelize: Sequelize,
  eventId: number,
  transaction: Transaction,
): Promise<{ reservations: number; seats: number }> {
  const rows = await sequelize.query<{ reservations: number; seats: number; held: number | null }>(
    `WITH expired AS (
       UPDATE reservations SET status = 'EXPIRED', updated_at = now()
        WHERE event_id = :eventId AND status = 'HOLD' AND expires_at <= now()
       RETURNING quantity
     ), counted AS (
       SELECT count(*)::int AS reservations, COALESCE(sum(quantity), 0)::int AS seats FROM expired
     ), updated AS (
       UPDATE events SET held = held - (SELECT seats FROM counted)
        WHERE id = :eventId AND (SELECT seats FROM counted) > 0
       RETURNING held
     )
     SELECT reservations, seats, (SELECT held FROM updated) AS held FROM counted`,
    { type: QueryTypes.SELECT, replacements: { eventId }, transaction },
  );
  const row = rows[0];
  const expired = row?.reservations ?? 0;
  if (expired > 0) transaction.afterCommit(() => reservationTransitions.inc({ transition: 'expired' }, expired));
  return { reservations: row?.reservations ?? 0, seats: row?.seats ?? 0 };
}

export interface HoldRow {
  id: number;
  event_id: number;
  user_id: number;
  status: 'HOLD';
  quantity: number;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

/**
 * Inserts a HOLD and adds its seats to `held` in one statement: one round trip less while the event row lock is
 * held, which is what bounds throughput on a popular event. The caller must hold the lock and have checked room.
 */
export async function insertHold(
  sequelize: Sequelize,
  hold: { eventId: number; userId: number; quantity: number; expiresAt: Date },
  transaction: Transaction,
): Promise<HoldRow> {
  const rows = await sequelize.query<HoldRow>(
    `WITH inserted AS (
       INSERT INTO reservations (event_id, user_id, status, quantity, expires_at, created_at, updated_at)
       VALUES (:eventId, :userId, 'HOLD', :quantity, :expiresAt, now(), now())
       RETURNING id, event_id, user_id, status, quantity, expires_at, created_at, updated_at
     ), counted AS (
       UPDATE events SET held = held + :quantity WHERE id = :eventId
     )
     SELECT * FROM inserted`,
    { type: QueryTypes.SELECT, replacements: hold, transaction },
  );
  const row = rows[0];
  if (!row) throw new Error('insertHold returned no row');
  return row;
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
