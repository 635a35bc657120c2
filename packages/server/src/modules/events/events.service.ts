// Events: admin writes and everyone's reads. Counts come from the counters on the event row minus overdue holds
// (lazy expiry by the database clock), so a page of events costs one query whatever the number of reservations.
// Pages are served through EventListCache; every write here clears it once it has committed.
import { col, fn, Op, QueryTypes, type Order, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { containsPattern } from '../../db/like-pattern';
import { AppError } from '../../errors';
import { isoUtc } from '../../iso-time';
import { pageOffset, PAGE_SIZE, toPage, type Page, type PageRequest } from '../../pagination';
import type { AdminEventListInput, EventOrdering, EventStatsDto } from '../admin/admin.schema';
import { SYSTEM, type AuditBy, type AuditLog } from '../audit/audit.service';
import type { HoldLedger } from '../reservations/hold-ledger';
import { Event } from './events.model';
import type { EventChanges, EventCreateInput, EventDto, EventListInput } from './events.schema';
import type { EventListCache, EventListData } from './list-cache';

function toEventDto(e: Event, overdueSeats: number): EventDto {
  const holdCount = e.held - overdueSeats;
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    capacity: e.capacity,
    available_capacity: Math.max(e.capacity - holdCount - e.confirmed, 0),
    hold_count: holdCount,
    confirmed_count: e.confirmed,
    start_time: isoUtc(e.startTime),
    end_time: isoUtc(e.endTime),
    is_active: e.isActive,
    created_at: isoUtc(e.createdAt),
    updated_at: isoUtc(e.updatedAt),
  };
}

// overdue_seats_of_event() (migration 0007) takes the row's own id column, whatever alias Sequelize gives the table.
const withOverdue = {
  include: [[fn('overdue_seats_of_event', col('id')), 'overdue_seats']] as [ReturnType<typeof fn>, string][],
};
const overdueOf = (e: Event) => Number(e.get('overdue_seats') ?? 0);

/** The list filters as the page links repeat them (DRF keeps the query in `next` and `previous`). */
function linkQueryOf(filters: Pick<EventListInput, 'is_active' | 'start_date' | 'end_date'>) {
  return {
    is_active: filters.is_active === undefined ? undefined : String(filters.is_active),
    start_date: filters.start_date?.toISOString(),
    end_date: filters.end_date?.toISOString(),
  };
}

export class EventsService {
  /** @param ledger releases overdue holds before a capacity cut or a delete counts the seats taken. */
  constructor(
    private readonly sequelize: Sequelize,
    private readonly listCache: EventListCache,
    private readonly audit: AuditLog,
    private readonly ledger: HoldLedger,
  ) {}

  async list(filters: EventListInput, page: Omit<PageRequest, 'page' | 'query'>): Promise<Page<EventDto>> {
    const pageNo = filters.page ?? 1;
    const data = await this.listCache.get(filters, () => this.readPage(filters, pageNo));
    return toPage(
      {
        ...page,
        page: pageNo,
        query: linkQueryOf(filters),
      },
      data.count,
      // A copy of the shared (frozen) array: the page is the caller's.
      [...data.results],
    );
  }

  private async readPage(filters: EventListInput, pageNo: number): Promise<EventListData> {
    const where: WhereOptions<Event> = {};
    if (filters.is_active !== undefined) where.isActive = filters.is_active;
    if (filters.start_date) where.startTime = { [Op.gte]: filters.start_date };
    if (filters.end_date) where.endTime = { [Op.lte]: filters.end_date };
    // Page and total in parallel: a window count would make PostgreSQL visit every matching event per page.
    const [rows, count] = await Promise.all([
      Event.findAll({
        where,
        attributes: withOverdue,
        order: [
          ['startTime', 'ASC'],
          ['id', 'ASC'],
        ],
        limit: PAGE_SIZE,
        offset: pageOffset(pageNo),
      }),
      Event.count({ where }),
    ]);
    return { count, results: rows.map((e) => toEventDto(e, overdueOf(e))) };
  }

  async get(id: number): Promise<EventDto> {
    const event = await Event.findByPk(id, { attributes: withOverdue });
    if (!event) throw AppError.notFound();
    return toEventDto(event, overdueOf(event));
  }

  async create(input: EventCreateInput, by: AuditBy = SYSTEM): Promise<EventDto> {
    const event = await this.sequelize.transaction(async (transaction) => {
      const created = await Event.create(
        {
          name: input.name,
          description: input.description ?? '',
          capacity: input.capacity,
          startTime: input.start_time,
          endTime: input.end_time,
          isActive: input.is_active ?? true,
        },
        { transaction },
      );
      await this.record(by, 'event.create', created.id, null, editableState(created), transaction);
      return created;
    });
    this.listCache.invalidate();
    return toEventDto(event, 0);
  }

  /** PUT and PATCH. Capacity edits take the event lock, like holds, so a cut cannot race a hold into an oversell. */
  async update(id: number, changes: EventChanges, by: AuditBy = SYSTEM): Promise<EventDto> {
    const write = this.sequelize.transaction(async (transaction) => {
      // The event row lock that holds take (EVENT_ROW_LOCK in hold-ledger.ts), here through the model being edited.
      const event = await Event.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
      if (!event) throw AppError.notFound();
      const before = editableState(event);
      const start = changes.start_time ?? event.startTime;
      const end = changes.end_time ?? event.endTime;
      if (end.getTime() <= start.getTime()) {
        throw AppError.validation({ end_time: ['End time must be after start time.'] });
      }
      if (changes.capacity !== undefined && changes.capacity < event.held + event.confirmed) {
        // Overdue holds do not count against a capacity cut: release them first.
        const released = await this.ledger.releaseOverdueHolds(id, transaction, this.expiryAudit(by));
        event.held -= released.seats;
        const reserved = event.held + event.confirmed;
        if (changes.capacity < reserved) {
          throw new AppError(
            'CAPACITY_BELOW_RESERVED',
            `Capacity cannot be lower than the ${reserved} seats already held or confirmed.`,
          );
        }
      }
      event.set({
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.capacity !== undefined && { capacity: changes.capacity }),
        ...(changes.is_active !== undefined && { isActive: changes.is_active }),
        startTime: start,
        endTime: end,
      });
      // Save only the editable columns: the counters were read under the lock and are not ours to write back.
      await event.save({
        transaction,
        fields: ['name', 'description', 'capacity', 'isActive', 'startTime', 'endTime'],
      });
      await this.record(by, 'event.update', id, before, editableState(event), transaction);
      const overdue = await Event.findByPk(id, { attributes: withOverdue, transaction });
      return toEventDto(overdue ?? event, overdue ? overdueOf(overdue) : 0);
    });
    return this.listCache.invalidateAfter(write);
  }

  /** Refused while the event has live (HOLD or CONFIRMED) reservations: deactivate it instead. */
  async delete(id: number, by: AuditBy = SYSTEM): Promise<{ message: string }> {
    const write = this.sequelize.transaction(async (transaction) => {
      // The event row lock that holds take (EVENT_ROW_LOCK in hold-ledger.ts), here through the model to destroy.
      const event = await Event.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
      if (!event) throw AppError.notFound();
      const released = await this.ledger.releaseOverdueHolds(id, transaction, this.expiryAudit(by));
      const live = event.held - released.seats + event.confirmed;
      if (live > 0) {
        throw new AppError(
          'EVENT_HAS_RESERVATIONS',
          `Event has ${live} seats held or confirmed; deactivate it (is_active=false) instead of deleting it.`,
        );
      }
      await this.record(by, 'event.delete', id, editableState(event), null, transaction);
      await event.destroy({ transaction });
    });
    await this.listCache.invalidateAfter(write);
    return { message: 'Event deleted successfully.' };
  }

  // ---- back office ----------------------------------------------------------------------------------------

  /** The admin list: the public filters plus `q` (name or description) and `ordering`; never cached. */
  async adminList(filters: AdminEventListInput, page: Omit<PageRequest, 'page' | 'query'>): Promise<Page<EventDto>> {
    const pageNo = filters.page ?? 1;
    const where: WhereOptions<Event> = {};
    if (filters.is_active !== undefined) where.isActive = filters.is_active;
    if (filters.start_date) where.startTime = { [Op.gte]: filters.start_date };
    if (filters.end_date) where.endTime = { [Op.lte]: filters.end_date };
    if (filters.q) {
      const pattern = containsPattern(filters.q);
      Object.assign(where, {
        [Op.or]: [{ name: { [Op.iLike]: pattern } }, { description: { [Op.iLike]: pattern } }],
      });
    }
    const [rows, count] = await Promise.all([
      Event.findAll({
        where,
        attributes: withOverdue,
        order: eventOrder(filters.ordering ?? 'start_time'),
        limit: PAGE_SIZE,
        offset: pageOffset(pageNo),
      }),
      Event.count({ where }),
    ]);
    return toPage(
      {
        ...page,
        page: pageNo,
        query: { ...linkQueryOf(filters), q: filters.q, ordering: filters.ordering },
      },
      count,
      rows.map((e) => toEventDto(e, overdueOf(e))),
    );
  }

  /** The event with its reservations counted by status (an overdue hold counts as EXPIRED) and holds about to lapse. */
  async stats(id: number): Promise<EventStatsDto> {
    const [event, rows] = await Promise.all([
      Event.findByPk(id, { attributes: withOverdue }),
      this.sequelize.query<{ status: 'HOLD' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED'; n: number; expiring: number }>(
        `SELECT CASE WHEN status = 'HOLD' AND expires_at <= now() THEN 'EXPIRED' ELSE status::text END AS status,
                count(*)::int AS n,
                (count(*) FILTER (WHERE status = 'HOLD' AND expires_at > now()
                                     AND expires_at <= now() + interval '60 seconds'))::int AS expiring
           FROM reservations WHERE event_id = :id GROUP BY 1`,
        { type: QueryTypes.SELECT, replacements: { id } },
      ),
    ]);
    if (!event) throw AppError.notFound();
    const byStatus = { HOLD: 0, CONFIRMED: 0, CANCELLED: 0, EXPIRED: 0 };
    let expiring = 0;
    for (const r of rows) {
      byStatus[r.status] += r.n;
      expiring += r.expiring;
    }
    return {
      ...toEventDto(event, overdueOf(event)),
      reservations_by_status: byStatus,
      holds_expiring_within_60s: expiring,
    };
  }

  private async record(
    by: AuditBy,
    action: 'event.create' | 'event.update' | 'event.delete',
    eventId: number,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
    transaction: Transaction,
  ): Promise<void> {
    await this.audit.record(
      { actorId: by.actorId, action, objectType: 'event', objectId: eventId, before, after, requestId: by.requestId },
      transaction,
    );
  }

  private expiryAudit(by: AuditBy) {
    return this.audit.enabled ? { requestId: by.requestId ?? null } : undefined;
  }
}

/** The writable fields of an event, as its audit entries show them. */
function editableState(e: Event): Record<string, unknown> {
  return {
    name: e.name,
    description: e.description,
    capacity: e.capacity,
    start_time: isoUtc(e.startTime),
    end_time: isoUtc(e.endTime),
    is_active: e.isActive,
  };
}

const EVENT_COLUMNS: Record<string, string> = {
  start_time: 'startTime',
  end_time: 'endTime',
  name: 'name',
  capacity: 'capacity',
  created_at: 'createdAt',
  id: 'id',
};

/** An ORDER BY for an `ordering` value, with id as the tie-breaker so pages never overlap. */
function eventOrder(ordering: EventOrdering): Order {
  const desc = ordering.startsWith('-');
  const column = EVENT_COLUMNS[desc ? ordering.slice(1) : ordering] ?? 'startTime';
  const dir = desc ? 'DESC' : 'ASC';
  return column === 'id'
    ? [['id', dir]]
    : [
        [column, dir],
        ['id', dir],
      ];
}
