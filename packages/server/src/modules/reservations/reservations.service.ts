// The two-phase reservation. Every state change runs in one transaction that first locks the event row
// (hold-ledger.ts), then reads and writes reservations and the event's counters: holds, confirms, cancels and
// expiries of one event take turns, so confirmed + live holds can never exceed capacity.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { toAppError } from '../../errors';
import { AppError } from '../../errors';
import { isoUtc } from '../../iso-time';
import { holdBatchSize, reservationTransitions, sweepDuration } from '../../metrics';
import { pageOffset, PAGE_SIZE, toPage, type Page, type PageRequest } from '../../pagination';
import type { AuthUser } from '../auth/auth-user';
import type { AuditLog, AuditTrail } from '../audit/audit.service';
import type { EventListCache } from '../events/list-cache';
import { Event } from '../events/events.model';
import { User } from '../auth/auth.model';
import type { IdempotencyService, Outcome } from '../idempotency/idempotency.service';
import type { ExpiryAudit, HoldLedger, HoldRequest, LockedEvent, PlacedHold } from './hold-ledger';
import { KeyedBatcher } from './keyed-batcher';
import { Reservation } from './reservations.model';
import type { ReservationDto } from './reservations.schema';

export interface ReservationSettings {
  holdTtlSeconds: number;
  maxHoldQuantity: number;
  /** 0 = no cap. */
  maxActiveHoldsPerUser: number;
  /** Seats one user may hold at once on one event (MAX_HELD_SEATS_PER_USER); 0 = no limit. */
  maxHeldSeatsPerUser: number;
  /**
   * Hold statements of the fast path running at once; while that many run, new holds wait and share the next
   * statement, whatever their events. Below the pool size, so the exact path and reads keep connections.
   */
  maxHoldStatementsInFlight: number;
}

/** Who changes a reservation: its owner (the public API) or a superuser (the back office). */
type ReservationScope = { owner: AuthUser } | { admin: AuthUser };

export interface ExpirySweepResult {
  expired: number;
  events: number;
}

/** A model instance in the shape of a row, so one mapper (rowToDto) serves both. */
function toReservationDto(r: Reservation, eventName: string, username: string): ReservationDto {
  return rowToDto(
    {
      id: r.id,
      event_id: r.eventId,
      event_name: eventName,
      user_id: r.userId,
      status: r.status,
      quantity: r.quantity,
      expires_at: r.expiresAt,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    },
    username,
  );
}

const ok = <T>(value: T): Outcome<T> => ({ ok: value });

/** Holds placed by one statement at most; bounds how long one batch keeps its event rows locked. */
const MAX_HOLD_BATCH = 64;

export class ReservationsService {
  private readonly holdBatcher: KeyedBatcher<HoldRequest, PlacedHold | undefined>;

  /**
   * @param listCache the events list cache: every seat change made here clears it (see afterSeatWrite).
   * @param ledger the event row lock and seat counters, built with the same settings and audit switch.
   */
  constructor(
    private readonly sequelize: Sequelize,
    private readonly idempotency: IdempotencyService,
    private readonly settings: ReservationSettings,
    private readonly listCache: EventListCache | undefined,
    private readonly audit: AuditLog,
    private readonly ledger: HoldLedger,
  ) {
    // Keyed by event: one event is in one statement at a time (a second would only queue on its row lock).
    this.holdBatcher = new KeyedBatcher((requests) => this.placeBatch(requests), {
      maxBatchSize: MAX_HOLD_BATCH,
      maxInFlight: settings.maxHoldStatementsInFlight,
    });
  }

  async createHold(
    user: AuthUser,
    input: { event_id: number; quantity: number },
    idempotencyKey?: string,
    trail: AuditTrail = {},
  ): Promise<ReservationDto> {
    const { event_id: eventId, quantity } = input;
    // Checks that need no database run before the lock is taken.
    if (quantity > this.settings.maxHoldQuantity) {
      throw AppError.validation({
        quantity: [`Ensure this value is less than or equal to ${this.settings.maxHoldQuantity}.`],
      });
    }
    if (idempotencyKey === undefined) {
      // The fast path: joins the next batch (one statement, one commit for all of it, on this event and others).
      const placed = await this.holdBatcher.submit(eventId, {
        eventId,
        userId: user.id,
        quantity,
        requestId: trail.requestId,
      });
      if (placed) return rowToDto(placed, user.username);
    }
    // The exact path: a key to honour, or the batch did not place this request (and the reason must be told).
    return this.afterSeatWrite(
      this.idempotency.run(user.id, 'create_hold', idempotencyKey, { eventId, quantity }, async (transaction) => {
        const placed = await this.holdUnderLock(user, eventId, quantity, transaction, trail);
        return ok(rowToDto(placed, user.username));
      }),
    );
  }

  async confirm(
    user: AuthUser,
    input: { reservation_id: number },
    idempotencyKey?: string,
    trail: AuditTrail = {},
  ): Promise<ReservationDto> {
    const id = input.reservation_id;
    return this.afterSeatWrite(this.confirmOnce(user, id, idempotencyKey, trail));
  }

  async cancel(
    user: AuthUser,
    input: { id: number },
    idempotencyKey?: string,
    trail: AuditTrail = {},
  ): Promise<ReservationDto> {
    return this.afterSeatWrite(this.cancelOnce(user, input.id, idempotencyKey, trail));
  }

  private confirmOnce(
    user: AuthUser,
    id: number,
    idempotencyKey: string | undefined,
    trail: AuditTrail,
  ): Promise<ReservationDto> {
    return this.idempotency.run(user.id, 'confirm', idempotencyKey, { id }, (transaction) =>
      this.changeReservation({ owner: user }, id, transaction, async (reservation, event, dbNow) => {
        // Whether the worker or the clock got there first, a lapsed hold answers the same way.
        if (reservation.status === 'EXPIRED') {
          return { fail: new AppError('RESERVATION_EXPIRED', 'Reservation has expired.') };
        }
        if (reservation.status !== 'HOLD') {
          return {
            fail: new AppError('INVALID_STATUS', `Reservation is not in HOLD status. Current: ${reservation.status}`),
          };
        }
        if (reservation.expiresAt && reservation.expiresAt.getTime() <= dbNow.getTime()) {
          // Persist what the clock already decided, then report it.
          await this.expireLapsed(reservation, transaction, trail);
          return { fail: new AppError('RESERVATION_EXPIRED', 'Reservation has expired.') };
        }
        // A sale closes with its event: the hold keeps its seats (until it lapses or is cancelled) but cannot be sold.
        if (!event.isActive) {
          return {
            fail: new AppError(
              'EVENT_NOT_ACTIVE',
              'Event is not active. Reservations cannot be confirmed for inactive events.',
            ),
          };
        }
        if (event.endTime.getTime() <= dbNow.getTime()) {
          return {
            fail: new AppError(
              'EVENT_ENDED',
              'Event has already ended. Reservations cannot be confirmed for past events.',
            ),
          };
        }
        // The hold already owns its seats: move them from held to confirmed, no capacity re-check.
        const before = auditState(reservation);
        reservation.expiresAt = null;
        await this.setStatus(
          reservation,
          'CONFIRMED',
          { held: -reservation.quantity, confirmed: reservation.quantity },
          transaction,
        );
        await this.recordChange(user.id, 'reservation.confirm', before, reservation, transaction, trail);
        return ok(toReservationDto(reservation, event.name, user.username));
      }),
    );
  }

  private cancelOnce(
    user: AuthUser,
    id: number,
    idempotencyKey: string | undefined,
    trail: AuditTrail,
  ): Promise<ReservationDto> {
    return this.idempotency.run(user.id, 'cancel', idempotencyKey, { id }, (transaction) =>
      this.changeReservation({ owner: user }, id, transaction, (reservation, event, dbNow) =>
        this.cancelLocked(reservation, event, dbNow, transaction, { actor: user, ...trail }),
      ),
    );
  }

  /** The one cancel transition, for the owner and for an admin alike; the event row is locked by the caller. */
  private async cancelLocked(
    reservation: Reservation,
    event: LockedEvent,
    dbNow: Date,
    transaction: Transaction,
    by: AuditTrail & { actor: AuthUser; reason?: string },
  ): Promise<Outcome<ReservationDto>> {
    if (reservation.status === 'HOLD' && reservation.expiresAt && reservation.expiresAt.getTime() <= dbNow.getTime()) {
      await this.expireLapsed(reservation, transaction, by);
      return { fail: new AppError('INVALID_STATUS', 'Cannot cancel reservation with status: EXPIRED') };
    }
    if (reservation.status === 'CANCELLED' || reservation.status === 'EXPIRED') {
      return {
        fail: new AppError('INVALID_STATUS', `Cannot cancel reservation with status: ${reservation.status}`),
      };
    }
    const before = auditState(reservation);
    const delta =
      reservation.status === 'HOLD' ? { held: -reservation.quantity } : { confirmed: -reservation.quantity };
    await this.setStatus(reservation, 'CANCELLED', delta, transaction);
    await this.recordChange(by.actor.id, 'reservation.cancel', before, reservation, transaction, by);
    return ok(toReservationDto(reservation, event.name, await this.usernameOf(reservation, by.actor, transaction)));
  }

  // ---- back office ----------------------------------------------------------------------------------------

  /** An admin's cancel: the same locked transition as the owner's, with the admin as actor and a reason. */
  async adminCancel(admin: AuthUser, input: { id: number; reason: string }, trail: AuditTrail = {}) {
    return this.afterSeatWrite(
      this.runOutcome((transaction) =>
        this.changeReservation({ admin }, input.id, transaction, (reservation, event, dbNow) =>
          this.cancelLocked(reservation, event, dbNow, transaction, { actor: admin, reason: input.reason, ...trail }),
        ),
      ),
    );
  }

  /** Moves a live hold's expiry `minutes` later. Seats are unchanged (the hold already owns them). */
  async extendHold(admin: AuthUser, input: { id: number; minutes: number }, trail: AuditTrail = {}) {
    return this.runOutcome((transaction) =>
      this.changeReservation({ admin }, input.id, transaction, async (reservation, event, dbNow) => {
        const refused = await this.refuseUnlessLiveHold(reservation, dbNow, transaction, trail);
        if (refused) return refused;
        const before = auditState(reservation);
        reservation.expiresAt = new Date(reservation.expiresAt!.getTime() + input.minutes * 60_000);
        await reservation.save({ transaction });
        await this.recordChange(admin.id, 'reservation.extend', before, reservation, transaction, trail);
        return ok(toReservationDto(reservation, event.name, await this.usernameOf(reservation, admin, transaction)));
      }),
    );
  }

  /** Expires a live hold now, freeing its seats (an admin's decision: the admin is the actor). */
  async expireHold(admin: AuthUser, input: { id: number }, trail: AuditTrail = {}) {
    return this.afterSeatWrite(
      this.runOutcome((transaction) =>
        this.changeReservation({ admin }, input.id, transaction, async (reservation, event, dbNow) => {
          const refused = await this.refuseUnlessLiveHold(reservation, dbNow, transaction, trail);
          if (refused) return refused;
          const before = auditState(reservation);
          await this.setStatus(reservation, 'EXPIRED', { held: -reservation.quantity }, transaction);
          await this.recordChange(admin.id, 'reservation.expire', before, reservation, transaction, trail);
          return ok(toReservationDto(reservation, event.name, await this.usernameOf(reservation, admin, transaction)));
        }),
      ),
    );
  }

  /**
   * Cancels every reservation of one event in the given statuses, under the event lock, in one statement (with one
   * audit entry each). A dry run only counts, with the same rules (an overdue hold is not a HOLD any more).
   */
  async bulkCancel(
    admin: AuthUser,
    input: { event: number; status: readonly ('HOLD' | 'CONFIRMED')[]; reason: string; dry_run?: boolean | undefined },
    trail: AuditTrail = {},
  ): Promise<{ matched: number; cancelled: number }> {
    const statuses = [...new Set(input.status)];
    const write = this.sequelize.transaction(async (transaction) => {
      const locked = input.dry_run
        ? await Event.findByPk(input.event, { attributes: ['id'], transaction })
        : await this.ledger.lockEvent(input.event, transaction);
      if (!locked) throw AppError.notFound('Event not found.');
      if (input.dry_run) {
        const rows = await this.sequelize.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM reservations
            WHERE event_id = :eventId AND status::text IN (:statuses) AND (status <> 'HOLD' OR expires_at > now())`,
          { type: QueryTypes.SELECT, replacements: { eventId: input.event, statuses }, transaction },
        );
        return { matched: rows[0]?.n ?? 0, cancelled: 0 };
      }
      // Lapsed holds are the clock's, not the admin's: they become EXPIRED (and are not counted as matched).
      await this.ledger.releaseOverdueHolds(input.event, transaction, this.expiryAudit(trail));
      const cancelled = await this.ledger.cancelReservationsOfEvent(
        input.event,
        statuses,
        transaction,
        this.audit.enabled
          ? { actorId: admin.id, reason: input.reason, requestId: trail.requestId ?? null }
          : undefined,
      );
      return { matched: cancelled, cancelled };
    });
    return input.dry_run ? write : this.afterSeatWrite(write);
  }

  async list(user: AuthUser, pageNo: number, page: Omit<PageRequest, 'page' | 'query'>): Promise<Page<ReservationDto>> {
    const rows = await this.sequelize.query<ReservationRow>(
      `${RESERVATION_SELECT} WHERE r.user_id = :userId ORDER BY r.id DESC LIMIT :limit OFFSET :offset`,
      {
        type: QueryTypes.SELECT,
        replacements: { userId: user.id, limit: PAGE_SIZE, offset: pageOffset(pageNo) },
      },
    );
    const total =
      rows[0] !== undefined
        ? Number(rows[0].total)
        : pageNo === 1
          ? 0
          : await Reservation.count({ where: { userId: user.id } });
    return toPage(
      { ...page, page: pageNo, query: {} },
      total,
      rows.map((r) => rowToDto(r, user.username)),
    );
  }

  async get(user: AuthUser, id: number): Promise<ReservationDto> {
    const rows = await this.sequelize.query<ReservationRow>(
      `${RESERVATION_SELECT} WHERE r.id = :id AND r.user_id = :userId`,
      {
        type: QueryTypes.SELECT,
        replacements: { id, userId: user.id },
      },
    );
    const row = rows[0];
    // Someone else's reservation is "not found": its existence is not leaked.
    if (!row) throw AppError.notFound();
    return rowToDto(row, user.username);
  }

  /**
   * Marks overdue HOLDs EXPIRED everywhere, one event at a time under that event's lock, a batch of events per
   * round. Safe to run from several workers at once: the lock and the status check make each expiry happen once.
   * `betweenRounds` runs before each further round (the worker renews its job lock there); false stops the sweep.
   */
  async expireOverdueHolds(
    opts: { batchSize?: number; maxRounds?: number; betweenRounds?: () => Promise<boolean> } = {},
  ): Promise<ExpirySweepResult> {
    const batchSize = opts.batchSize ?? 100;
    const maxRounds = opts.maxRounds ?? 100;
    const stopTimer = sweepDuration.startTimer();
    let expired = 0;
    let events = 0;
    for (let round = 0; round < maxRounds; round++) {
      const due = await this.sequelize.query<{ event_id: number }>(
        `SELECT DISTINCT event_id FROM reservations WHERE status = 'HOLD' AND expires_at <= now() LIMIT :limit`,
        { type: QueryTypes.SELECT, replacements: { limit: batchSize } },
      );
      if (due.length === 0) break;
      for (const { event_id: eventId } of due) {
        const released = await this.sequelize.transaction(async (transaction) => {
          if (!(await this.ledger.lockEvent(eventId, transaction))) return { reservations: 0 };
          return this.ledger.releaseOverdueHolds(eventId, transaction, this.expiryAudit({}));
        });
        expired += released.reservations;
        events += 1;
      }
      if (due.length < batchSize) break;
      if (round + 1 < maxRounds && opts.betweenRounds && !(await opts.betweenRounds())) break;
    }
    if (expired > 0) this.listCache?.invalidate();
    stopTimer();
    return { expired, events };
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private async placeBatch(requests: readonly HoldRequest[]): Promise<(PlacedHold | undefined)[]> {
    holdBatchSize.observe(requests.length);
    let placed: (PlacedHold | undefined)[];
    try {
      placed = await this.afterSeatWrite(this.ledger.placeHolds(requests));
    } catch (error) {
      // A busy database fails the batch as it would fail each request. Any other error may come from one request
      // alone (say its user was deleted after it authenticated): then each takes the exact path and its own answer.
      if (requests.length === 1 || toAppError(error)) throw error;
      return requests.map(() => undefined);
    }
    const created = placed.filter(Boolean).length;
    if (created > 0) reservationTransitions.inc({ transition: 'created' }, created);
    return placed;
  }

  /** Clears the events list cache once a write that may have changed seat counts settles, committed or not. */
  private afterSeatWrite<T>(write: Promise<T>): Promise<T> {
    return this.listCache ? this.listCache.invalidateAfter(write) : write;
  }

  /** Locks the event, raises the exact reason a hold cannot be placed (releasing lapsed holds first), or places it. */
  private async holdUnderLock(
    user: AuthUser,
    eventId: number,
    quantity: number,
    transaction: Transaction,
    trail: AuditTrail,
  ): Promise<PlacedHold> {
    const event = await this.ledger.lockEvent(eventId, transaction);
    if (!event) throw AppError.notFound('Event not found.');
    const { dbNow } = event;
    if (!event.isActive) {
      throw new AppError('EVENT_NOT_ACTIVE', 'Event is not active. Reservations cannot be made for inactive events.');
    }
    if (event.endTime.getTime() <= dbNow.getTime()) {
      throw new AppError('EVENT_ENDED', 'Event has already ended. Reservations cannot be made for past events.');
    }
    const cap = this.settings.maxActiveHoldsPerUser;
    const seatCap = this.settings.maxHeldSeatsPerUser;
    const live = cap > 0 || seatCap > 0 ? await this.ledger.liveHoldsOfUser(eventId, user.id, transaction) : undefined;
    if (live && cap > 0 && live.holds >= cap) {
      throw new AppError(
        'TOO_MANY_ACTIVE_HOLDS',
        `You already have ${live.holds} active holds on this event (limit ${cap}). Confirm or cancel one first.`,
      );
    }
    if (live && seatCap > 0) {
      // One account may not hoard an event: seats held at once, whatever the number of holds they are split into.
      const { seats } = live;
      if (seats + quantity > seatCap) {
        throw new AppError(
          'TOO_MANY_ACTIVE_HOLDS',
          `You already hold ${seats} seats on this event; ${quantity} more would pass the limit of ${seatCap} held ` +
            'seats per user. Confirm or cancel a hold first.',
        );
      }
    }
    let available = event.capacity - event.held - event.confirmed;
    if (quantity > available) {
      // The counters still include holds that lapsed but were not swept yet: release them, then look again.
      available += (await this.ledger.releaseOverdueHolds(eventId, transaction, this.expiryAudit(trail))).seats;
      if (quantity > available) {
        throw new AppError(
          'INSUFFICIENT_CAPACITY',
          `Insufficient capacity. Available: ${available}, Requested: ${quantity}`,
        );
      }
    }
    // Same statement as the fast path; under this transaction's lock every check above still holds.
    const placed = await this.ledger.placeCheckedHold(
      { eventId, userId: user.id, quantity, requestId: trail.requestId },
      transaction,
    );
    if (!placed) throw new Error(`hold on event ${eventId} refused after its checks passed under the lock`);
    transaction.afterCommit(() => reservationTransitions.inc({ transition: 'created' }));
    return placed;
  }

  /**
   * Finds the reservation (the owner's own, or any for an admin), locks its event, then re-reads the reservation
   * under that lock.
   */
  private async changeReservation<T>(
    scope: ReservationScope,
    reservationId: number,
    transaction: Transaction,
    change: (reservation: Reservation, event: LockedEvent, dbNow: Date) => Promise<Outcome<T>>,
  ): Promise<Outcome<T>> {
    const where = 'owner' in scope ? { id: reservationId, userId: scope.owner.id } : { id: reservationId };
    const found = await Reservation.findOne({ where, attributes: ['eventId'], transaction });
    if (!found) throw AppError.notFound('Reservation not found.');
    const locked = await this.ledger.lockEvent(found.eventId, transaction);
    if (!locked) throw AppError.notFound('Reservation not found.');
    // Belt and braces under the event lock: the reservation's own row lock (as EVENT_ROW_LOCK in hold-ledger.ts).
    const reservation = await Reservation.findOne({ where, transaction, lock: transaction.LOCK.UPDATE });
    if (!reservation) throw AppError.notFound('Reservation not found.');
    return change(reservation, locked, locked.dbNow);
  }

  private async setStatus(
    reservation: Reservation,
    status: Reservation['status'],
    delta: { held?: number; confirmed?: number },
    transaction: Transaction,
  ): Promise<void> {
    reservation.status = status;
    await reservation.save({ transaction });
    await this.ledger.moveSeats(reservation.eventId, delta, transaction);
    transaction.afterCommit(() => reservationTransitions.inc({ transition: status.toLowerCase() }));
  }

  /** A hold found lapsed under the lock: persisted EXPIRED as the clock decided (actor null). */
  private async expireLapsed(reservation: Reservation, transaction: Transaction, trail: AuditTrail): Promise<void> {
    const before = auditState(reservation);
    await this.setStatus(reservation, 'EXPIRED', { held: -reservation.quantity }, transaction);
    await this.recordChange(null, 'reservation.expire', before, reservation, transaction, {
      ...trail,
      reason: 'hold lapsed',
    });
  }

  /** Extend and expire act on live holds only; a lapsed one is persisted EXPIRED and reported. */
  private async refuseUnlessLiveHold(
    reservation: Reservation,
    dbNow: Date,
    transaction: Transaction,
    trail: AuditTrail,
  ): Promise<Outcome<never> | undefined> {
    if (reservation.status === 'HOLD' && reservation.expiresAt && reservation.expiresAt.getTime() <= dbNow.getTime()) {
      await this.expireLapsed(reservation, transaction, trail);
      return { fail: new AppError('RESERVATION_EXPIRED', 'Reservation has expired.') };
    }
    if (reservation.status === 'EXPIRED')
      return { fail: new AppError('RESERVATION_EXPIRED', 'Reservation has expired.') };
    if (reservation.status !== 'HOLD') {
      return {
        fail: new AppError('INVALID_STATUS', `Reservation is not in HOLD status. Current: ${reservation.status}`),
      };
    }
    return undefined;
  }

  private async recordChange(
    actorId: number | null,
    action: 'reservation.confirm' | 'reservation.cancel' | 'reservation.expire' | 'reservation.extend',
    before: Record<string, unknown>,
    reservation: Reservation,
    transaction: Transaction,
    trail: AuditTrail & { reason?: string },
  ): Promise<void> {
    await this.audit.record(
      {
        actorId,
        action,
        objectType: 'reservation',
        objectId: reservation.id,
        before,
        after: {
          ...auditState(reservation),
          event: reservation.eventId,
          user: reservation.userId,
          quantity: reservation.quantity,
        },
        reason: trail.reason ?? null,
        requestId: trail.requestId,
      },
      transaction,
    );
  }

  private expiryAudit(trail: AuditTrail): ExpiryAudit | undefined {
    return this.audit.enabled ? { requestId: trail.requestId ?? null } : undefined;
  }

  /** The reservation's owner's username: the actor's when they own it, else read (admin paths only). */
  private async usernameOf(reservation: Reservation, actor: AuthUser, transaction: Transaction): Promise<string> {
    if (reservation.userId === actor.id) return actor.username;
    const owner = await User.findByPk(reservation.userId, { attributes: ['username'], transaction });
    return owner?.username ?? '';
  }

  /** Runs a transactional Outcome: commits, then returns the result or throws the committed failure. */
  private async runOutcome<T>(effect: (transaction: Transaction) => Promise<Outcome<T>>): Promise<T> {
    const outcome = await this.sequelize.transaction(effect);
    if ('fail' in outcome) throw outcome.fail;
    return outcome.ok;
  }
}

/** The part of a reservation an audit entry's before/after shows. */
function auditState(r: Reservation): Record<string, unknown> {
  return { status: r.status, expires_at: r.expiresAt ? isoUtc(r.expiresAt) : null };
}

interface ReservationRow {
  id: number;
  event_id: number;
  event_name: string;
  user_id: number;
  status: Reservation['status'];
  quantity: number;
  expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
  total?: string;
}

// A HOLD past its expiry reads as EXPIRED even before the worker has marked it (the database clock decides).
const RESERVATION_SELECT = `SELECT r.id, r.event_id, e.name AS event_name, r.user_id,
  CASE WHEN r.status = 'HOLD' AND r.expires_at <= now() THEN 'EXPIRED' ELSE r.status::text END AS status, r.quantity,
  r.expires_at, r.created_at, r.updated_at, count(*) OVER () AS total
  FROM reservations r JOIN events e ON e.id = r.event_id`;

function rowToDto(r: ReservationRow, username: string): ReservationDto {
  return {
    id: r.id,
    event: r.event_id,
    event_name: r.event_name,
    user: r.user_id,
    user_username: username,
    status: r.status,
    quantity: r.quantity,
    expires_at: r.expires_at ? isoUtc(new Date(r.expires_at)) : null,
    created_at: isoUtc(new Date(r.created_at)),
    updated_at: isoUtc(new Date(r.updated_at)),
  };
}
