"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ZAdminMessage = exports.ZAdminSetPasswordInput = exports.ZAdminUserUpdateInput = exports.ZAdminUserList = exports.ZAdminUserListInput = exports.ZAdminUser = exports.ZEventStats = exports.ZAdminEventList = exports.ZAdminEventListInput = exports.EVENT_ORDERINGS = exports.ZBulkCancelOutput = exports.ZBulkCancelInput = exports.BULK_CANCELLABLE = exports.ZAdminExpireInput = exports.ZAdminExtendInput = exports.ZAdminCancelInput = exports.ZAdminReservationDetail = exports.ZAdminReservationIdInput = exports.ZAdminReservationList = exports.ZAdminReservationListInput = exports.ZAdminReservationFilters = exports.reservationFilterFields = exports.RESERVATION_ORDERINGS = void 0;
// Inputs and outputs of the back office (API.md "Back office"). Query filters ignore unknown parameters, as DRF
// did; bodies are strict (an unknown field is a 400, never applied).
const zod_1 = require("zod");
const validation_1 = require("../../validation");
const auth_schema_1 = require("../auth/auth.schema");
const audit_schema_1 = require("../audit/audit.schema");
const events_schema_1 = require("../events/events.schema");
const reservations_model_1 = require("../reservations/reservations.model");
const reservations_schema_1 = require("../reservations/reservations.schema");
// ---- reservations ---------------------------------------------------------------------------------------------
exports.RESERVATION_ORDERINGS = [
    'created_at',
    '-created_at',
    'expires_at',
    '-expires_at',
    'quantity',
    '-quantity',
];
/**
 * `?status=HOLD&status=CONFIRMED` arrives as an array, `?status=HOLD` as a string; `HOLD,CONFIRMED` (the form the
 * next/previous links use) is accepted too. All become an array of distinct statuses.
 */
const zStatuses = zod_1.z
    .union([zod_1.z.string(), zod_1.z.array(zod_1.z.string()).max(reservations_model_1.RESERVATION_STATUSES.length)], { error: 'Not a valid choice.' })
    .pipe(zod_1.z.transform((v) => [...new Set((Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')))]))
    .pipe(zod_1.z.array(reservations_schema_1.ZReservationStatus).min(1));
/** The filters of the admin list, shared with the CSV export. */
exports.reservationFilterFields = {
    event: validation_1.zId.optional(),
    user: validation_1.zId.optional(),
    status: zStatuses.optional().meta({ description: 'Repeatable: ?status=HOLD&status=CONFIRMED.' }),
    overdue: validation_1.zQueryBool.optional().meta({ description: 'true: HOLDs past expires_at (not yet marked EXPIRED).' }),
    q: zod_1.z.string().trim().max(200).optional().meta({ description: 'Username or event name, case-insensitive.' }),
    created_after: validation_1.zDateOrDateTime.optional(),
    created_before: validation_1.zDateOrDateTime.optional(),
    ordering: zod_1.z.enum(exports.RESERVATION_ORDERINGS).optional().meta({ description: 'Default -created_at.' }),
};
exports.ZAdminReservationFilters = zod_1.z.object(exports.reservationFilterFields);
exports.ZAdminReservationListInput = zod_1.z.object({ ...exports.reservationFilterFields, page: validation_1.zPage.optional() }).optional();
exports.ZAdminReservationList = (0, events_schema_1.zPaginated)(reservations_schema_1.ZReservation);
exports.ZAdminReservationIdInput = zod_1.z.strictObject({ id: validation_1.zId });
exports.ZAdminReservationDetail = reservations_schema_1.ZReservation.extend({ history: zod_1.z.array(audit_schema_1.ZAuditEntry) }).meta({
    id: 'AdminReservation',
});
const zReason = zod_1.z.string().trim().min(1).max(500);
exports.ZAdminCancelInput = zod_1.z.strictObject({ id: validation_1.zId, reason: zReason });
exports.ZAdminExtendInput = zod_1.z.strictObject({ id: validation_1.zId, minutes: (0, validation_1.zInt)(1, 60) });
exports.ZAdminExpireInput = zod_1.z.strictObject({ id: validation_1.zId });
exports.BULK_CANCELLABLE = ['HOLD', 'CONFIRMED'];
exports.ZBulkCancelInput = zod_1.z.strictObject({
    event: (0, validation_1.zInt)(1),
    status: zod_1.z.array(zod_1.z.enum(exports.BULK_CANCELLABLE)).min(1).max(2),
    reason: zReason,
    dry_run: (0, validation_1.zBool)().optional(),
});
exports.ZBulkCancelOutput = zod_1.z.object({ matched: zod_1.z.number().int(), cancelled: zod_1.z.number().int() });
// ---- events ---------------------------------------------------------------------------------------------------
exports.EVENT_ORDERINGS = [
    'start_time',
    '-start_time',
    'end_time',
    '-end_time',
    'name',
    '-name',
    'capacity',
    '-capacity',
    'created_at',
    '-created_at',
    'id',
    '-id',
];
exports.ZAdminEventListInput = zod_1.z
    .object({
    is_active: validation_1.zQueryBool.optional(),
    start_date: validation_1.zDateOrDateTime.optional().meta({ description: 'Events starting at or after this date/time.' }),
    end_date: validation_1.zDateOrDateTime.optional().meta({ description: 'Events ending at or before this date/time.' }),
    q: zod_1.z.string().trim().max(200).optional().meta({ description: 'Name or description, case-insensitive.' }),
    ordering: zod_1.z.enum(exports.EVENT_ORDERINGS).optional().meta({ description: 'Default start_time (then id).' }),
    page: validation_1.zPage.optional(),
})
    .optional();
exports.ZAdminEventList = (0, events_schema_1.zPaginated)(events_schema_1.ZEvent);
exports.ZEventStats = events_schema_1.ZEvent.extend({
    reservations_by_status: zod_1.z.object({
        HOLD: zod_1.z.number().int(),
        CONFIRMED: zod_1.z.number().int(),
        CANCELLED: zod_1.z.number().int(),
        EXPIRED: zod_1.z.number().int(),
    }),
    holds_expiring_within_60s: zod_1.z.number().int(),
}).meta({ id: 'EventStats' });
// ---- users ----------------------------------------------------------------------------------------------------
exports.ZAdminUser = auth_schema_1.ZUser.extend({
    is_active: zod_1.z.boolean(),
    is_superuser: zod_1.z.boolean(),
    last_login: zod_1.z.string().nullable(),
}).meta({ id: 'AdminUser' });
exports.ZAdminUserListInput = zod_1.z
    .object({
    q: zod_1.z.string().trim().max(200).optional().meta({ description: 'Username, email or names, case-insensitive.' }),
    is_active: validation_1.zQueryBool.optional(),
    is_superuser: validation_1.zQueryBool.optional(),
    page: validation_1.zPage.optional(),
})
    .optional();
exports.ZAdminUserList = (0, events_schema_1.zPaginated)(exports.ZAdminUser);
exports.ZAdminUserUpdateInput = zod_1.z.strictObject({
    id: validation_1.zId,
    is_active: (0, validation_1.zBool)().optional(),
    is_superuser: (0, validation_1.zBool)().optional(),
    email: zod_1.z.email().max(254).optional(),
    first_name: zod_1.z.string().max(150).optional(),
    last_name: zod_1.z.string().max(150).optional(),
});
exports.ZAdminSetPasswordInput = zod_1.z.strictObject({ id: validation_1.zId, password: zod_1.z.string().max(128) });
exports.ZAdminMessage = zod_1.z.object({ message: zod_1.z.string() });
