"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.AuditLog = exports.SYSTEM = void 0;
exports.toAuditEntryDto = toAuditEntryDto;
// The audit log: one row per state change, written by the service that makes the change, inside the same
// transaction (a change that rolls back leaves no entry; a committed one always has one). The table refuses
// UPDATE and DELETE (migration 0004); purgeExpired() is the one way rows leave it.
const sequelize_1 = require("sequelize");
const iso_time_1 = require("../../iso-time");
const pagination_1 = require("../../pagination");
exports.SYSTEM = Object.freeze({ actorId: null });
const ENTRY_SELECT = `SELECT a.id, a.at, a.actor_id, u.username AS actor_username, a.action, a.object_type,
  a.object_id, a.before, a.after, a.reason, a.request_id
  FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id`;
class AuditLog {
    sequelize;
    settings;
    constructor(sequelize, settings) {
        this.sequelize = sequelize;
        this.settings = settings;
    }
    get enabled() {
        return this.settings.enabled;
    }
    /** Appends one entry inside the caller's transaction. */
    async record(entry, transaction) {
        if (!this.settings.enabled)
            return;
        await this.sequelize.query(`INSERT INTO audit_log (actor_id, action, object_type, object_id, before, after, reason, request_id)
       VALUES (:actorId, :action, :objectType, :objectId, :before::jsonb, :after::jsonb, :reason, :requestId)`, {
            replacements: {
                actorId: entry.actorId,
                action: entry.action,
                objectType: entry.objectType,
                objectId: entry.objectId,
                before: entry.before ? JSON.stringify(entry.before) : null,
                after: entry.after ? JSON.stringify(entry.after) : null,
                reason: entry.reason ?? null,
                requestId: entry.requestId ?? null,
            },
            transaction,
        });
    }
    /** Newest first, with the filters of GET /api/admin/audit/. */
    async list(filters, page) {
        const pageNo = filters.page ?? 1;
        const where = [];
        const replacements = {};
        if (filters.actor !== undefined) {
            where.push('a.actor_id = :actor');
            replacements.actor = filters.actor;
        }
        if (filters.object_type !== undefined) {
            where.push('a.object_type = :objectType');
            replacements.objectType = filters.object_type;
        }
        if (filters.object_id !== undefined) {
            where.push('a.object_id = :objectId');
            replacements.objectId = filters.object_id;
        }
        if (filters.action !== undefined) {
            where.push('a.action = :action');
            replacements.action = filters.action;
        }
        if (filters.since) {
            where.push('a.at >= :since');
            replacements.since = filters.since;
        }
        if (filters.until) {
            where.push('a.at < :until');
            replacements.until = filters.until;
        }
        const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
        const [rows, total] = await Promise.all([
            this.sequelize.query(`${ENTRY_SELECT} ${clause} ORDER BY a.id DESC LIMIT :limit OFFSET :offset`, {
                type: sequelize_1.QueryTypes.SELECT,
                replacements: { ...replacements, limit: pagination_1.PAGE_SIZE, offset: (0, pagination_1.pageOffset)(pageNo) },
            }),
            this.sequelize.query(`SELECT count(*) AS n FROM audit_log a ${clause}`, {
                type: sequelize_1.QueryTypes.SELECT,
                replacements,
            }),
        ]);
        return (0, pagination_1.toPage)({
            ...page,
            page: pageNo,
            query: {
                actor: filters.actor?.toString(),
                object_type: filters.object_type,
                object_id: filters.object_id?.toString(),
                action: filters.action,
                since: filters.since?.toISOString(),
                until: filters.until?.toISOString(),
            },
        }, Number(total[0]?.n ?? 0), rows.map(toAuditEntryDto));
    }
    /** One object's entries, oldest first (a reservation's history), at most `limit` of the newest. */
    async history(objectType, objectId, limit = 500) {
        const rows = await this.sequelize.query(`SELECT * FROM (${ENTRY_SELECT} WHERE a.object_type = :objectType AND a.object_id = :objectId
        ORDER BY a.id DESC LIMIT :limit) newest ORDER BY id`, { type: sequelize_1.QueryTypes.SELECT, replacements: { objectType, objectId, limit } });
        return rows.map(toAuditEntryDto);
    }
    /** The retention clean-up (worker): removes entries older than AUDIT_RETENTION_DAYS; returns how many. */
    async purgeExpired() {
        const rows = await this.sequelize.query('SELECT audit_log_purge(:days) AS removed', {
            type: sequelize_1.QueryTypes.SELECT,
            replacements: { days: this.settings.retentionDays },
        });
        return Number(rows[0]?.removed ?? 0);
    }
}
exports.AuditLog = AuditLog;
function toAuditEntryDto(r) {
    return {
        id: Number(r.id),
        at: (0, iso_time_1.isoUtc)(new Date(r.at)),
        actor: r.actor_id,
        actor_username: r.actor_username,
        action: r.action,
        object_type: r.object_type,
        object_id: r.object_id,
        before: r.before,
        after: r.after,
        reason: r.reason,
        request_id: r.request_id,
    };
}
