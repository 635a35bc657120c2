"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ReservationSearch = exports.EXPORT_CHUNK = void 0;
// The back office's reads over every user's reservations: the filtered, ordered, paginated list, one reservation
// with its audit history, and the CSV export's chunked walk. Status is the one users see: a HOLD past its
// expiry reads (and filters) as EXPIRED, by the database clock, whether or not the worker has run.
const sequelize_1 = require("sequelize");
const like_pattern_1 = require("../../db/like-pattern");
const errors_1 = require("../../errors");
const iso_time_1 = require("../../iso-time");
const pagination_1 = require("../../pagination");
const SELECT = `SELECT r.id, r.event_id, e.name AS event_name, r.user_id, u.username AS user_username,
  CASE WHEN r.status = 'HOLD' AND r.expires_at <= now() THEN 'EXPIRED' ELSE r.status::text END AS status,
  r.quantity, r.expires_at, r.created_at, r.updated_at
  FROM reservations r JOIN events e ON e.id = r.event_id JOIN users u ON u.id = r.user_id`;
/** Each status as users see it, written so the planner can use the status indexes. */
const STATUS_CONDITION = {
    HOLD: `(r.status = 'HOLD' AND r.expires_at > now())`,
    CONFIRMED: `r.status = 'CONFIRMED'`,
    CANCELLED: `r.status = 'CANCELLED'`,
    EXPIRED: `(r.status = 'EXPIRED' OR (r.status = 'HOLD' AND r.expires_at <= now()))`,
};
const ORDER_BY = {
    created_at: 'r.created_at ASC, r.id ASC',
    '-created_at': 'r.created_at DESC, r.id DESC',
    expires_at: 'r.expires_at ASC NULLS LAST, r.id ASC',
    '-expires_at': 'r.expires_at DESC NULLS LAST, r.id DESC',
    quantity: 'r.quantity ASC, r.id ASC',
    '-quantity': 'r.quantity DESC, r.id DESC',
};
/** Rows per round trip of the CSV export: a chunk is all it keeps in memory. */
exports.EXPORT_CHUNK = 1000;
class ReservationSearch {
    sequelize;
    audit;
    constructor(sequelize, audit) {
        this.sequelize = sequelize;
        this.audit = audit;
    }
    async list(filters, page) {
        const pageNo = filters.page ?? 1;
        const { where, replacements } = whereClause(filters);
        const order = ORDER_BY[filters.ordering ?? '-created_at'];
        const [rows, total] = await Promise.all([
            this.sequelize.query(`${SELECT} ${where} ORDER BY ${order} LIMIT :limit OFFSET :offset`, {
                type: sequelize_1.QueryTypes.SELECT,
                replacements: { ...replacements, limit: pagination_1.PAGE_SIZE, offset: (0, pagination_1.pageOffset)(pageNo) },
            }),
            this.sequelize.query(`SELECT count(*) AS n FROM reservations r JOIN events e ON e.id = r.event_id JOIN users u ON u.id = r.user_id ${where}`, { type: sequelize_1.QueryTypes.SELECT, replacements }),
        ]);
        return (0, pagination_1.toPage)({ ...page, page: pageNo, query: filterQuery(filters) }, Number(total[0]?.n ?? 0), rows.map(toDto));
    }
    async get(id) {
        const [rows, history] = await Promise.all([
            this.sequelize.query(`${SELECT} WHERE r.id = :id`, { type: sequelize_1.QueryTypes.SELECT, replacements: { id } }),
            this.audit.history('reservation', id),
        ]);
        const row = rows[0];
        if (!row)
            throw errors_1.AppError.notFound();
        return { ...toDto(row), history };
    }
    /**
     * The export's rows in chunks, walking the primary key (keyset, not OFFSET: every chunk is one index range
     * scan, and memory holds one chunk whatever the total). Ordered by id; `ordering` does not apply to the export.
     */
    async *exportChunks(filters, chunkSize = exports.EXPORT_CHUNK) {
        const { where, replacements } = whereClause(filters);
        const keyset = where ? `${where} AND r.id > :after` : 'WHERE r.id > :after';
        let after = 0;
        for (;;) {
            const rows = await this.sequelize.query(`${SELECT} ${keyset} ORDER BY r.id LIMIT :limit`, {
                type: sequelize_1.QueryTypes.SELECT,
                replacements: { ...replacements, after, limit: chunkSize },
            });
            if (rows.length === 0)
                return;
            yield rows.map(toDto);
            if (rows.length < chunkSize)
                return;
            after = rows[rows.length - 1].id;
        }
    }
}
exports.ReservationSearch = ReservationSearch;
function whereClause(f) {
    const conditions = [];
    const replacements = {};
    if (f.event !== undefined) {
        conditions.push('r.event_id = :event');
        replacements.event = f.event;
    }
    if (f.user !== undefined) {
        conditions.push('r.user_id = :user');
        replacements.user = f.user;
    }
    if (f.status && f.status.length > 0) {
        conditions.push(`(${f.status.map((s) => STATUS_CONDITION[s]).join(' OR ')})`);
    }
    if (f.overdue === true)
        conditions.push(`(r.status = 'HOLD' AND r.expires_at <= now())`);
    if (f.overdue === false)
        conditions.push(`NOT (r.status = 'HOLD' AND r.expires_at <= now())`);
    if (f.q) {
        conditions.push('(u.username ILIKE :q OR e.name ILIKE :q)');
        replacements.q = (0, like_pattern_1.containsPattern)(f.q);
    }
    if (f.created_after) {
        conditions.push('r.created_at >= :createdAfter');
        replacements.createdAfter = f.created_after;
    }
    if (f.created_before) {
        conditions.push('r.created_at <= :createdBefore');
        replacements.createdBefore = f.created_before;
    }
    return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', replacements };
}
/** The filters as query parameters, for the next/previous links. */
function filterQuery(f) {
    return {
        event: f.event?.toString(),
        user: f.user?.toString(),
        // One parameter per link (the record holds one value per key); the schema reads HOLD,CONFIRMED back.
        status: f.status?.join(','),
        overdue: f.overdue === undefined ? undefined : String(f.overdue),
        q: f.q,
        created_after: f.created_after?.toISOString(),
        created_before: f.created_before?.toISOString(),
        ordering: f.ordering,
    };
}
function toDto(r) {
    return {
        id: r.id,
        event: r.event_id,
        event_name: r.event_name,
        user: r.user_id,
        user_username: r.user_username,
        status: r.status,
        quantity: r.quantity,
        expires_at: r.expires_at ? (0, iso_time_1.isoUtc)(new Date(r.expires_at)) : null,
        created_at: (0, iso_time_1.isoUtc)(new Date(r.created_at)),
        updated_at: (0, iso_time_1.isoUtc)(new Date(r.updated_at)),
    };
}
