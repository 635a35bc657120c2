// The back office (API.md "Back office"): superuser-only procedures over the same services as the public API.
// Every write passes the admin as actor and the request id, so its audit entry says who did it and from where.
import type { Meta } from '../../trpc/init';
import { adminProcedure, router } from '../../trpc/procedures';
import { ZAuditList, ZAuditListInput } from '../audit/audit.schema';
import { ZEventIdInput } from '../events/events.schema';
import { ZReservation } from '../reservations/reservations.schema';
import {
  ZAdminCancelInput,
  ZAdminEventList,
  ZAdminEventListInput,
  ZAdminExpireInput,
  ZAdminExtendInput,
  ZAdminMessage,
  ZAdminReservationDetail,
  ZAdminReservationIdInput,
  ZAdminReservationList,
  ZAdminReservationListInput,
  ZAdminSetPasswordInput,
  ZAdminUser,
  ZAdminUserList,
  ZAdminUserListInput,
  ZAdminUserUpdateInput,
  ZBulkCancelInput,
  ZBulkCancelOutput,
  ZEventStats,
} from './admin.schema';

const tags = ['admin'];
/** Meta of a REST-exposed admin procedure; `path` is under /api/admin. */
const openapi = (method: 'GET' | 'POST' | 'PATCH', path: `/${string}`, summary: string): Meta => ({
  openapi: { method, path: `/admin${path}`, tags, protect: true, summary },
});

const reservationsAdminRouter = router({
  list: adminProcedure
    .meta(openapi('GET', '/reservations/', "Every user's reservations, filtered and ordered, 20 a page."))
    .input(ZAdminReservationListInput)
    .output(ZAdminReservationList)
    .query(({ ctx, input }) =>
      ctx.services.reservationSearch.list(input ?? {}, { listUrl: `${ctx.linkBase}/api/admin/reservations/` }),
    ),

  byId: adminProcedure
    .meta(openapi('GET', '/reservations/{id}/', 'One reservation with its audit history.'))
    .input(ZAdminReservationIdInput)
    .output(ZAdminReservationDetail)
    .query(({ ctx, input }) => ctx.services.reservationSearch.get(input.id)),

  cancel: adminProcedure
    .meta(openapi('POST', '/reservations/{id}/cancel/', "Cancel anyone's reservation, with a reason; frees its seats."))
    .input(ZAdminCancelInput)
    .output(ZReservation)
    .mutation(({ ctx, input }) => ctx.services.reservations.adminCancel(ctx.user, input, { requestId: ctx.requestId })),

  extend: adminProcedure
    .meta(openapi('POST', '/reservations/{id}/extend/', 'Give a live hold 1-60 more minutes.'))
    .input(ZAdminExtendInput)
    .output(ZReservation)
    .mutation(({ ctx, input }) => ctx.services.reservations.extendHold(ctx.user, input, { requestId: ctx.requestId })),

  expire: adminProcedure
    .meta(openapi('POST', '/reservations/{id}/expire/', 'Expire a live hold now; frees its seats.'))
    .input(ZAdminExpireInput)
    .output(ZReservation)
    .mutation(({ ctx, input }) => ctx.services.reservations.expireHold(ctx.user, input, { requestId: ctx.requestId })),

  bulkCancel: adminProcedure
    .meta(openapi('POST', '/reservations/bulk_cancel/', "Cancel an event's reservations by status (dry_run counts)."))
    .input(ZBulkCancelInput)
    .output(ZBulkCancelOutput)
    .mutation(({ ctx, input }) => ctx.services.reservations.bulkCancel(ctx.user, input, { requestId: ctx.requestId })),
});

const eventsAdminRouter = router({
  list: adminProcedure
    .meta(openapi('GET', '/events/', 'Events with search (q) and ordering, 20 a page.'))
    .input(ZAdminEventListInput)
    .output(ZAdminEventList)
    .query(({ ctx, input }) =>
      ctx.services.events.adminList(input ?? {}, { listUrl: `${ctx.linkBase}/api/admin/events/` }),
    ),

  stats: adminProcedure
    .meta(openapi('GET', '/events/{id}/stats/', 'An event with its reservations counted by status.'))
    .input(ZEventIdInput)
    .output(ZEventStats)
    .query(({ ctx, input }) => ctx.services.events.stats(input.id)),
});

const usersAdminRouter = router({
  list: adminProcedure
    .meta(openapi('GET', '/users/', 'Users, searchable and filtered, 20 a page.'))
    .input(ZAdminUserListInput)
    .output(ZAdminUserList)
    .query(({ ctx, input }) => ctx.services.users.list(input ?? {}, { listUrl: `${ctx.linkBase}/api/admin/users/` })),

  update: adminProcedure
    .meta(openapi('PATCH', '/users/{id}/', 'Activate, deactivate, promote, demote or edit a user.'))
    .input(ZAdminUserUpdateInput)
    .output(ZAdminUser)
    .mutation(({ ctx, input: { id, ...changes } }) =>
      ctx.services.users.update(ctx.user, id, changes, { requestId: ctx.requestId }),
    ),

  setPassword: adminProcedure
    .meta(openapi('POST', '/users/{id}/set_password/', "Set a user's password; ends their sessions."))
    .input(ZAdminSetPasswordInput)
    .output(ZAdminMessage)
    .mutation(({ ctx, input }) =>
      ctx.services.users.setPassword(ctx.user, input.id, input.password, { requestId: ctx.requestId }),
    ),
});

const auditAdminRouter = router({
  list: adminProcedure
    .meta(openapi('GET', '/audit/', 'The audit log, newest first, 20 a page.'))
    .input(ZAuditListInput)
    .output(ZAuditList)
    .query(({ ctx, input }) => ctx.services.audit.list(input ?? {}, { listUrl: `${ctx.linkBase}/api/admin/audit/` })),
});

export const adminRouter = router({
  reservations: reservationsAdminRouter,
  events: eventsAdminRouter,
  users: usersAdminRouter,
  audit: auditAdminRouter,
});
