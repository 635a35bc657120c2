"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.EventsService = void 0;
// Events: admin writes and everyone's reads. Counts come from the counters on the event row minus overdue holds
// (lazy expiry by the database clock), so a page of events costs one query whatever the number of reservations.
// Pages are served through EventListCache; every write here clears it once it has committed.
const sequelize_1 = require("sequelize");
const like_pattern_1 = require("../../db/like-pattern");
const errors_1 = require("../../errors");
const iso_time_1 = require("../../iso-time");
const pagination_1 = require("../../pagination");
const audit_service_1 = require("../audit/audit.service");
const hold_ledger_1 = require("../reservations/hold-ledger");
const events_model_1 = require("./events.model");
function toEventDto(e, overdueSeats) {
    const holdCount = e.held - overdueSeats;
    return {
        id: e.id,
        name: e.name,
        description: e.description,
        capacity: e.capacity,
        available_capacity: Math.max(e.capacity - holdCount - e.confirmed, 0),
        hold_count: holdCount,
        confirmed_count: e.confirmed,
        start_time: (0, iso_time_1.isoUtc)(e.startTime),
        end_time: (0, iso_time_1.isoUtc)(e.endTime),
        is_active: e.isActive,
        created_at: (0, iso_time_1.isoUtc)(e.createdAt),
        updated_at: (0, iso_time_1.isoUtc)(e.updatedAt),
    };
}
const withOverdue = {
    include: [[(0, sequelize_1.literal)(hold_ledger_1.OVERDUE_SEATS_SQL), 'overdue_seats']],
};
const overdueOf = (e) => Number(e.get('overdue_seats') ?? 0);
class EventsService {
    sequelize;
    listCache;
    audit;
    constructor(sequelize, listCache, audit) {
        this.sequelize = sequelize;
        this.listCache = listCache;
        this.audit = audit;
    }
    async list(filters, page) {
        const pageNo = filters.page ?? 1;
        const data = await this.listCache.get(filters, () => this.readPage(filters, pageNo));
        return (0, pagination_1.toPage)({
            ...page,
            page: pageNo,
            query: {
                is_active: filters.is_active === undefined ? undefined : String(filters.is_active),
                start_date: filters.start_date?.toISOString(),
                end_date: filters.end_date?.toISOString(),
            },
        }, data.count, 
        // A copy of the shared (frozen) array: the page is the caller's.
        [...data.results]);
    }
    async readPage(filters, pageNo) {
        const where = {};
        if (filters.is_active !== undefined)
            where.isActive = filters.is_active;
        if (filters.start_date)
            where.startTime = { [sequelize_1.Op.gte]: filters.start_date };
        if (filters.end_date)
            where.endTime = { [sequelize_1.Op.lte]: filters.end_date };
        // Page and total in parallel: a window count would make PostgreSQL visit every matching event per page.
        const [rows, count] = await Promise.all([
            events_model_1.Event.findAll({
                where,
                attributes: withOverdue,
                order: [
                    ['startTime', 'ASC'],
                    ['id', 'ASC'],
                ],
                limit: pagination_1.PAGE_SIZE,
                offset: (0, pagination_1.pageOffset)(pageNo),
            }),
            events_model_1.Event.count({ where }),
        ]);
        return { count, results: rows.map((e) => toEventDto(e, overdueOf(e))) };
    }
    async get(id) {
        const event = await events_model_1.Event.findByPk(id, { attributes: withOverdue });
        if (!event)
            throw errors_1.AppError.notFound();
        return toEventDto(event, overdueOf(event));
    }
    async create(input, by = audit_service_1.SYSTEM) {
        const event = await this.sequelize.transaction(async (transaction) => {
            const created = await events_model_1.Event.create({
                name: input.name,
                description: input.description ?? '',
                capacity: input.capacity,
                startTime: input.start_time,
                endTime: input.end_time,
                isActive: input.is_active ?? true,
            }, { transaction });
            await this.record(by, 'event.create', created.id, null, editableState(created), transaction);
            return created;
        });
        this.listCache.invalidate();
        return toEventDto(event, 0);
    }
    /** PUT and PATCH. Capacity edits take the event lock, like holds, so a cut cannot race a hold into an oversell. */
    async update(id, changes, by = audit_service_1.SYSTEM) {
        const write = this.sequelize.transaction(async (transaction) => {
            const locked = await (0, hold_ledger_1.lockEvent)(id, transaction);
            if (!locked)
                throw errors_1.AppError.notFound();
            const { event } = locked;
            const before = editableState(event);
            const start = changes.start_time ?? event.startTime;
            const end = changes.end_time ?? event.endTime;
            if (end.getTime() <= start.getTime()) {
                throw errors_1.AppError.validation({ end_time: ['End time must be after start time.'] });
            }
            if (changes.capacity !== undefined && changes.capacity < event.held + event.confirmed) {
                // Overdue holds do not count against a capacity cut: release them first.
                const released = await (0, hold_ledger_1.releaseOverdueHolds)(this.sequelize, id, transaction, this.expiryAudit(by));
                event.held -= released.seats;
                const reserved = event.held + event.confirmed;
                if (changes.capacity < reserved) {
                    throw new errors_1.AppError('CAPACITY_BELOW_RESERVED', `Capacity cannot be lower than the ${reserved} seats already held or confirmed.`);
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
            const overdue = await events_model_1.Event.findByPk(id, { attributes: withOverdue, transaction });
            return toEventDto(overdue ?? event, overdue ? overdueOf(overdue) : 0);
        });
        return this.listCache.invalidateAfter(write);
    }
    /** Refused while the event has live (HOLD or CONFIRMED) reservations: deactivate it instead. */
    async delete(id, by = audit_service_1.SYSTEM) {
        const write = this.sequelize.transaction(async (transaction) => {
            const locked = await (0, hold_ledger_1.lockEvent)(id, transaction);
            if (!locked)
                throw errors_1.AppError.notFound();
            const released = await (0, hold_ledger_1.releaseOverdueHolds)(this.sequelize, id, transaction, this.expiryAudit(by));
            const live = locked.event.held - released.seats + locked.event.confirmed;
            if (live > 0) {
                throw new errors_1.AppError('EVENT_HAS_RESERVATIONS', `Event has ${live} seats held or confirmed; deactivate it (is_active=false) instead of deleting it.`);
            }
            await this.record(by, 'event.delete', id, editableState(locked.event), null, transaction);
            await locked.event.destroy({ transaction });
        });
        await this.listCache.invalidateAfter(write);
        return { message: 'Event deleted successfully.' };
    }
    // ---- back office ----------------------------------------------------------------------------------------
    /** The admin list: the public filters plus `q` (name or description) and `ordering`; never cached. */
    async adminList(filters, page) {
        const pageNo = filters.page ?? 1;
        const where = {};
        if (filters.is_active !== undefined)
            where.isActive = filters.is_active;
        if (filters.start_date)
            where.startTime = { [sequelize_1.Op.gte]: filters.start_date };
        if (filters.end_date)
            where.endTime = { [sequelize_1.Op.lte]: filters.end_date };
        if (filters.q) {
            const pattern = (0, like_pattern_1.containsPattern)(filters.q);
            Object.assign(where, {
                [sequelize_1.Op.or]: [{ name: { [sequelize_1.Op.iLike]: pattern } }, { description: { [sequelize_1.Op.iLike]: pattern } }],
            });
        }
        const [rows, count] = await Promise.all([
            events_model_1.Event.findAll({
                where,
                attributes: withOverdue,
                order: eventOrder(filters.ordering ?? 'start_time'),
                limit: pagination_1.PAGE_SIZE,
                offset: (0, pagination_1.pageOffset)(pageNo),
            }),
            events_model_1.Event.count({ where }),
        ]);
        return (0, pagination_1.toPage)({
            ...page,
            page: pageNo,
            query: {
                is_active: filters.is_active === undefined ? undefined : String(filters.is_active),
                start_date: filters.start_date?.toISOString(),
                end_date: filters.end_date?.toISOString(),
                q: filters.q,
                ordering: filters.ordering,
            },
        }, count, rows.map((e) => toEventDto(e, overdueOf(e))));
    }
    /** The event with its reservations counted by status (an overdue hold counts as EXPIRED) and holds about to lapse. */
    async stats(id) {
        const [event, rows] = await Promise.all([
            events_model_1.Event.findByPk(id, { attributes: withOverdue }),
            this.sequelize.query(`SELECT CASE WHEN status = 'HOLD' AND expires_at <= now() THEN 'EXPIRED' ELSE status::text END AS status,
                count(*)::int AS n,
                (count(*) FILTER (WHERE status = 'HOLD' AND expires_at > now()
                                     AND expires_at <= now() + interval '60 seconds'))::int AS expiring
           FROM reservations WHERE event_id = :id GROUP BY 1`, { type: sequelize_1.QueryTypes.SELECT, replacements: { id } }),
        ]);
        if (!event)
            throw errors_1.AppError.notFound();
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
    async record(by, action, eventId, before, after, transaction) {
        await this.audit.record({ actorId: by.actorId, action, objectType: 'event', objectId: eventId, before, after, requestId: by.requestId }, transaction);
    }
    expiryAudit(by) {
        return this.audit.enabled ? { requestId: by.requestId ?? null } : undefined;
    }
}
exports.EventsService = EventsService;
/** The writable fields of an event, as its audit entries show them. */
function editableState(e) {
    return {
        name: e.name,
        description: e.description,
        capacity: e.capacity,
        start_time: (0, iso_time_1.isoUtc)(e.startTime),
        end_time: (0, iso_time_1.isoUtc)(e.endTime),
        is_active: e.isActive,
    };
}
const EVENT_COLUMNS = {
    start_time: 'startTime',
    end_time: 'endTime',
    name: 'name',
    capacity: 'capacity',
    created_at: 'createdAt',
    id: 'id',
};
/** An ORDER BY for an `ordering` value, with id as the tie-breaker so pages never overlap. */
function eventOrder(ordering) {
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
