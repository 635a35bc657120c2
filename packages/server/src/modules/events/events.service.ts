// Events: admin writes and everyone's reads. Counts come from the counters on the event row minus overdue holds
// (lazy expiry by the database clock), so a page of events costs one query whatever the number of reservations.
// Pages are served through EventListCache; every write here clears it once it has committed.
import { literal, Op, type Sequelize, type WhereOptions } from 'sequelize';
import { AppError } from '../../errors';
import { isoUtc } from '../../iso-time';
import { pageOffset, PAGE_SIZE, toPage, type Page, type PageRequest } from '../../pagination';
import { lockEvent, OVERDUE_SEATS_SQL, releaseOverdueHolds } from '../reservations/hold-ledger';
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

const withOverdue = {
  include: [[literal(OVERDUE_SEATS_SQL), 'overdue_seats']] as [ReturnType<typeof literal>, string][],
};
const overdueOf = (e: Event) => Number(e.get('overdue_seats') ?? 0);

export class EventsService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly listCache: EventListCache,
  ) {}

  async list(filters: EventListInput, page: Omit<PageRequest, 'page' | 'query'>): Promise<Page<EventDto>> {
    const pageNo = filters.page ?? 1;
    const data = await this.listCache.get(filters, () => this.readPage(filters, pageNo));
    return toPage(
      {
        ...page,
        page: pageNo,
        query: {
          is_active: filters.is_active === undefined ? undefined : String(filters.is_active),
          start_date: filters.start_date?.toISOString(),
          end_date: filters.end_date?.toISOString(),
        },
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

  async create(input: EventCreateInput): Promise<EventDto> {
    const event = await Event.create({
      name: input.name,
      description: input.description ?? '',
      capacity: input.capacity,
      startTime: input.start_time,
      endTime: input.end_time,
      isActive: input.is_active ?? true,
    });
    this.listCache.invalidate();
    return toEventDto(event, 0);
  }

  /** PUT and PATCH. Capacity edits take the event lock, like holds, so a cut cannot race a hold into an oversell. */
  async update(id: number, changes: EventChanges): Promise<EventDto> {
    const write = this.sequelize.transaction(async (transaction) => {
      const locked = await lockEvent(id, transaction);
      if (!locked) throw AppError.notFound();
      const { event } = locked;
      const start = changes.start_time ?? event.startTime;
      const end = changes.end_time ?? event.endTime;
      if (end.getTime() <= start.getTime()) {
        throw AppError.validation({ end_time: ['End time must be after start time.'] });
      }
      if (changes.capacity !== undefined && changes.capacity < event.held + event.confirmed) {
        // Overdue holds do not count against a capacity cut: release them first.
        const released = await releaseOverdueHolds(this.sequelize, id, transaction);
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
      const overdue = await Event.findByPk(id, { attributes: withOverdue, transaction });
      return toEventDto(overdue ?? event, overdue ? overdueOf(overdue) : 0);
    });
    return this.listCache.invalidateAfter(write);
  }

  /** Refused while the event has live (HOLD or CONFIRMED) reservations: deactivate it instead. */
  async delete(id: number): Promise<{ message: string }> {
    const write = this.sequelize.transaction(async (transaction) => {
      const locked = await lockEvent(id, transaction);
      if (!locked) throw AppError.notFound();
      const released = await releaseOverdueHolds(this.sequelize, id, transaction);
      const live = locked.event.held - released.seats + locked.event.confirmed;
      if (live > 0) {
        throw new AppError(
          'EVENT_HAS_RESERVATIONS',
          `Event has ${live} seats held or confirmed; deactivate it (is_active=false) instead of deleting it.`,
        );
      }
      await locked.event.destroy({ transaction });
    });
    await this.listCache.invalidateAfter(write);
    return { message: 'Event deleted successfully.' };
  }
}
