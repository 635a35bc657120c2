"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ZAuditList = exports.ZAuditListInput = exports.ZAuditEntry = exports.AUDIT_OBJECT_TYPES = exports.AUDIT_ACTIONS = void 0;
const zod_1 = require("zod");
const validation_1 = require("../../validation");
const events_schema_1 = require("../events/events.schema");
exports.AUDIT_ACTIONS = [
    'event.create',
    'event.update',
    'event.delete',
    'reservation.hold',
    'reservation.confirm',
    'reservation.cancel',
    'reservation.expire',
    'reservation.extend',
    'user.register',
    'user.update',
    'user.set_password',
    'auth.lockout',
    'auth.refresh_reuse',
];
exports.AUDIT_OBJECT_TYPES = ['event', 'reservation', 'user', 'auth'];
const zJson = zod_1.z.record(zod_1.z.string(), zod_1.z.unknown()).nullable();
exports.ZAuditEntry = zod_1.z
    .object({
    id: zod_1.z.number().int(),
    at: zod_1.z.string().meta({ example: '2026-11-26T19:00:00.123Z' }),
    /** null: the system (the worker, the clock). */
    actor: zod_1.z.number().int().nullable(),
    actor_username: zod_1.z.string().nullable(),
    action: zod_1.z.enum(exports.AUDIT_ACTIONS),
    object_type: zod_1.z.enum(exports.AUDIT_OBJECT_TYPES),
    object_id: zod_1.z.number().int().nullable(),
    before: zJson,
    after: zJson,
    reason: zod_1.z.string().nullable(),
    request_id: zod_1.z.string().nullable(),
})
    .meta({ id: 'AuditEntry' });
/** Query filters of GET /api/admin/audit/; unknown query parameters are ignored, as DRF did. */
exports.ZAuditListInput = zod_1.z
    .object({
    actor: validation_1.zId.optional(),
    object_type: zod_1.z.enum(exports.AUDIT_OBJECT_TYPES).optional(),
    object_id: validation_1.zId.optional(),
    action: zod_1.z.enum(exports.AUDIT_ACTIONS).optional(),
    since: validation_1.zDateOrDateTime.optional().meta({ description: 'Entries at or after this date/time.' }),
    until: validation_1.zDateOrDateTime.optional().meta({ description: 'Entries before this date/time.' }),
    page: validation_1.zPage.optional(),
})
    .optional();
exports.ZAuditList = (0, events_schema_1.zPaginated)(exports.ZAuditEntry);
