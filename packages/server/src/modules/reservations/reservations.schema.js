"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ZReservationList = exports.ZReservationListInput = exports.ZReservationIdInput = exports.ZCancelInput = exports.ZConfirmInput = exports.ZCreateHoldInput = exports.ZReservation = exports.ZReservationStatus = void 0;
const zod_1 = require("zod");
const validation_1 = require("../../validation");
const events_schema_1 = require("../events/events.schema");
const reservations_model_1 = require("./reservations.model");
exports.ZReservationStatus = zod_1.z.enum(reservations_model_1.RESERVATION_STATUSES);
exports.ZReservation = zod_1.z
    .object({
    id: zod_1.z.number().int(),
    event: zod_1.z.number().int(),
    event_name: zod_1.z.string(),
    user: zod_1.z.number().int(),
    user_username: zod_1.z.string(),
    status: exports.ZReservationStatus,
    quantity: zod_1.z.number().int(),
    expires_at: zod_1.z.string().nullable().meta({ example: '2026-11-25T19:12:13.500628Z' }),
    created_at: zod_1.z.string(),
    updated_at: zod_1.z.string(),
})
    .meta({ id: 'Reservation' });
/** tRPC callers pass the idempotency key here; REST callers send the `Idempotency-Key` header. */
const idempotencyKey = zod_1.z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({ description: 'Same as the Idempotency-Key header: repeats with this key return the first result.' });
exports.ZCreateHoldInput = zod_1.z.strictObject({
    event_id: (0, validation_1.zInt)(1),
    // The configured MAX_HOLD_QUANTITY is enforced by the service; this bound only keeps numbers sane.
    quantity: (0, validation_1.zInt)(1, 1_000_000).default(1),
    idempotency_key: idempotencyKey,
});
exports.ZConfirmInput = zod_1.z.strictObject({
    reservation_id: (0, validation_1.zInt)(1),
    idempotency_key: idempotencyKey,
});
exports.ZCancelInput = zod_1.z.strictObject({ id: validation_1.zId, idempotency_key: idempotencyKey });
exports.ZReservationIdInput = zod_1.z.strictObject({ id: validation_1.zId });
exports.ZReservationListInput = zod_1.z.object({ page: validation_1.zPage.optional() }).optional();
exports.ZReservationList = (0, events_schema_1.zPaginated)(exports.ZReservation);
