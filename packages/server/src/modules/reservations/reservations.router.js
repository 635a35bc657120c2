"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.reservationsRouter = void 0;
const zod_1 = require("zod");
const procedures_1 = require("../../trpc/procedures");
const reservations_schema_1 = require("./reservations.schema");
const tags = ['reservations'];
const requestHeaders = zod_1.z.object({
    'idempotency-key': zod_1.z
        .string()
        .max(255)
        .optional()
        .meta({ description: 'Repeats with the same key within 24 h return the first result without acting again.' }),
});
exports.reservationsRouter = (0, procedures_1.router)({
    list: procedures_1.authedProcedure
        .meta({
        openapi: {
            method: 'GET',
            path: '/reservations/',
            tags,
            protect: true,
            summary: 'My reservations, newest first.',
        },
    })
        .input(reservations_schema_1.ZReservationListInput)
        .output(reservations_schema_1.ZReservationList)
        .query(({ ctx, input }) => ctx.services.reservations.list(ctx.user, input?.page ?? 1, { listUrl: `${ctx.origin}/api/reservations/` })),
    byId: procedures_1.authedProcedure
        .meta({
        openapi: { method: 'GET', path: '/reservations/{id}/', tags, protect: true, summary: 'One of my reservations.' },
    })
        .input(reservations_schema_1.ZReservationIdInput)
        .output(reservations_schema_1.ZReservation)
        .query(({ ctx, input }) => ctx.services.reservations.get(ctx.user, input.id)),
    createHold: procedures_1.authedProcedure
        .meta({
        openapi: {
            method: 'POST',
            path: '/reservations/create_hold/',
            requestHeaders,
            tags,
            protect: true,
            summary: 'Hold seats for HOLD_TTL_SECONDS (default 5 minutes).',
        },
        successStatus: 201,
    })
        .input(reservations_schema_1.ZCreateHoldInput)
        .output(reservations_schema_1.ZReservation)
        .mutation(({ ctx, input }) => ctx.services.reservations.createHold(ctx.user, input, input.idempotency_key ?? ctx.idempotencyKey, {
        requestId: ctx.requestId,
    })),
    confirm: procedures_1.authedProcedure
        .meta({
        openapi: {
            method: 'POST',
            path: '/reservations/confirm/',
            requestHeaders,
            tags,
            protect: true,
            summary: 'Make a hold permanent.',
        },
    })
        .input(reservations_schema_1.ZConfirmInput)
        .output(reservations_schema_1.ZReservation)
        .mutation(({ ctx, input }) => ctx.services.reservations.confirm(ctx.user, input, input.idempotency_key ?? ctx.idempotencyKey, {
        requestId: ctx.requestId,
    })),
    cancel: procedures_1.authedProcedure
        .meta({
        openapi: {
            method: 'POST',
            path: '/reservations/{id}/cancel/',
            requestHeaders,
            tags,
            protect: true,
            summary: 'Cancel a hold or a confirmed reservation; frees its seats.',
        },
    })
        .input(reservations_schema_1.ZCancelInput)
        .output(reservations_schema_1.ZReservation)
        .mutation(({ ctx, input }) => ctx.services.reservations.cancel(ctx.user, input, input.idempotency_key ?? ctx.idempotencyKey, {
        requestId: ctx.requestId,
    })),
});
