"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.adminRouter = void 0;
const procedures_1 = require("../../trpc/procedures");
const audit_schema_1 = require("../audit/audit.schema");
const events_schema_1 = require("../events/events.schema");
const reservations_schema_1 = require("../reservations/reservations.schema");
const admin_schema_1 = require("./admin.schema");
const tags = ['admin'];
/** Meta of a REST-exposed admin procedure; `path` is under /api/admin. */
const openapi = (method, path, summary) => ({
    openapi: { method, path: `/admin${path}`, tags, protect: true, summary },
});
const reservationsAdminRouter = (0, procedures_1.router)({
    list: procedures_1.adminProcedure
        .meta(openapi('GET', '/reservations/', "Every user's reservations, filtered and ordered, 20 a page."))
        .input(admin_schema_1.ZAdminReservationListInput)
        .output(admin_schema_1.ZAdminReservationList)
        .query(({ ctx, input }) => ctx.services.reservationSearch.list(input ?? {}, { listUrl: `${ctx.origin}/api/admin/reservations/` })),
    byId: procedures_1.adminProcedure
        .meta(openapi('GET', '/reservations/{id}/', 'One reservation with its audit history.'))
        .input(admin_schema_1.ZAdminReservationIdInput)
        .output(admin_schema_1.ZAdminReservationDetail)
        .query(({ ctx, input }) => ctx.services.reservationSearch.get(input.id)),
    cancel: procedures_1.adminProcedure
        .meta(openapi('POST', '/reservations/{id}/cancel/', "Cancel anyone's reservation, with a reason; frees its seats."))
        .input(admin_schema_1.ZAdminCancelInput)
        .output(reservations_schema_1.ZReservation)
        .mutation(({ ctx, input }) => ctx.services.reservations.adminCancel(ctx.user, input, { requestId: ctx.requestId })),
    extend: procedures_1.adminProcedure
        .meta(openapi('POST', '/reservations/{id}/extend/', 'Give a live hold 1-60 more minutes.'))
        .input(admin_schema_1.ZAdminExtendInput)
        .output(reservations_schema_1.ZReservation)
        .mutation(({ ctx, input }) => ctx.services.reservations.extendHold(ctx.user, input, { requestId: ctx.requestId })),
    expire: procedures_1.adminProcedure
        .meta(openapi('POST', '/reservations/{id}/expire/', 'Expire a live hold now; frees its seats.'))
        .input(admin_schema_1.ZAdminExpireInput)
        .output(reservations_schema_1.ZReservation)
        .mutation(({ ctx, input }) => ctx.services.reservations.expireHold(ctx.user, input, { requestId: ctx.requestId })),
    bulkCancel: procedures_1.adminProcedure
        .meta(openapi('POST', '/reservations/bulk_cancel/', "Cancel an event's reservations by status (dry_run counts)."))
        .input(admin_schema_1.ZBulkCancelInput)
        .output(admin_schema_1.ZBulkCancelOutput)
        .mutation(({ ctx, input }) => ctx.services.reservations.bulkCancel(ctx.user, input, { requestId: ctx.requestId })),
});
const eventsAdminRouter = (0, procedures_1.router)({
    list: procedures_1.adminProcedure
        .meta(openapi('GET', '/events/', 'Events with search (q) and ordering, 20 a page.'))
        .input(admin_schema_1.ZAdminEventListInput)
        .output(admin_schema_1.ZAdminEventList)
        .query(({ ctx, input }) => ctx.services.events.adminList(input ?? {}, { listUrl: `${ctx.origin}/api/admin/events/` })),
    stats: procedures_1.adminProcedure
        .meta(openapi('GET', '/events/{id}/stats/', 'An event with its reservations counted by status.'))
        .input(events_schema_1.ZEventIdInput)
        .output(admin_schema_1.ZEventStats)
        .query(({ ctx, input }) => ctx.services.events.stats(input.id)),
});
const usersAdminRouter = (0, procedures_1.router)({
    list: procedures_1.adminProcedure
        .meta(openapi('GET', '/users/', 'Users, searchable and filtered, 20 a page.'))
        .input(admin_schema_1.ZAdminUserListInput)
        .output(admin_schema_1.ZAdminUserList)
        .query(({ ctx, input }) => ctx.services.users.list(input ?? {}, { listUrl: `${ctx.origin}/api/admin/users/` })),
    update: procedures_1.adminProcedure
        .meta(openapi('PATCH', '/users/{id}/', 'Activate, deactivate, promote, demote or edit a user.'))
        .input(admin_schema_1.ZAdminUserUpdateInput)
        .output(admin_schema_1.ZAdminUser)
        .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.users.update(ctx.user, id, changes, { requestId: ctx.requestId })),
    setPassword: procedures_1.adminProcedure
        .meta(openapi('POST', '/users/{id}/set_password/', "Set a user's password; ends their sessions."))
        .input(admin_schema_1.ZAdminSetPasswordInput)
        .output(admin_schema_1.ZAdminMessage)
        .mutation(({ ctx, input }) => ctx.services.users.setPassword(ctx.user, input.id, input.password, { requestId: ctx.requestId })),
});
const auditAdminRouter = (0, procedures_1.router)({
    list: procedures_1.adminProcedure
        .meta(openapi('GET', '/audit/', 'The audit log, newest first, 20 a page.'))
        .input(audit_schema_1.ZAuditListInput)
        .output(audit_schema_1.ZAuditList)
        .query(({ ctx, input }) => ctx.services.audit.list(input ?? {}, { listUrl: `${ctx.origin}/api/admin/audit/` })),
});
exports.adminRouter = (0, procedures_1.router)({
    reservations: reservationsAdminRouter,
    events: eventsAdminRouter,
    users: usersAdminRouter,
    audit: auditAdminRouter,
});
