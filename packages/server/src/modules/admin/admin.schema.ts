// Inputs and outputs of the back office (API.md "Back office"). Query filters ignore unknown parameters, as DRF
// did; bodies are strict (an unknown field is a 400, never applied).
import { z } from 'zod';
import { zBool, zDateOrDateTime, zId, zInt, zPage, zQueryBool } from '../../validation';
import { ZUser } from '../auth/auth.schema';
import { ZAuditEntry } from '../audit/audit.schema';
import { ZEvent, zPaginated } from '../events/events.schema';
import { RESERVATION_STATUSES } from '../reservations/reservations.model';
import { ZReservation, ZReservationStatus } from '../reservations/reservations.schema';

// ---- reservations ---------------------------------------------------------------------------------------------

export const RESERVATION_ORDERINGS = [
  'created_at',
  '-created_at',
  'expires_at',
  '-expires_at',
  'quantity',
  '-quantity',
] as const;
export type ReservationOrdering = (typeof RESERVATION_ORDERINGS)[number];

/** `?status=HOLD&status=CONFIRMED` arrives as an array, `?status=HOLD` as a string; both become an array. */
const zStatuses = z
  .union([ZReservationStatus, z.array(ZReservationStatus).min(1).max(RESERVATION_STATUSES.length)], {
    error: 'Select valid choices: HOLD, CONFIRMED, CANCELLED, EXPIRED.',
  })
  .pipe(z.transform((v) => [...new Set(Array.isArray(v) ? v : [v])]));

/** The filters of the admin list, shared with the CSV export. */
export const reservationFilterFields = {
  event: zId.optional(),
  user: zId.optional(),
  status: zStatuses.optional().meta({ description: 'Repeatable: ?status=HOLD&status=CONFIRMED.' }),
  overdue: zQueryBool.optional().meta({ description: 'true: HOLDs past expires_at (not yet marked EXPIRED).' }),
  q: z.string().trim().max(200).optional().meta({ description: 'Username or event name, case-insensitive.' }),
  created_after: zDateOrDateTime.optional(),
  created_before: zDateOrDateTime.optional(),
  ordering: z.enum(RESERVATION_ORDERINGS).optional().meta({ description: 'Default -created_at.' }),
};
export const ZAdminReservationFilters = z.object(reservationFilterFields);
export type AdminReservationFilters = z.infer<typeof ZAdminReservationFilters>;

export const ZAdminReservationListInput = z.object({ ...reservationFilterFields, page: zPage.optional() }).optional();
export type AdminReservationListInput = NonNullable<z.infer<typeof ZAdminReservationListInput>>;

export const ZAdminReservationList = zPaginated(ZReservation);

export const ZAdminReservationIdInput = z.strictObject({ id: zId });

export const ZAdminReservationDetail = ZReservation.extend({ history: z.array(ZAuditEntry) }).meta({
  id: 'AdminReservation',
});
export type AdminReservationDetail = z.infer<typeof ZAdminReservationDetail>;

const zReason = z.string().trim().min(1).max(500);

export const ZAdminCancelInput = z.strictObject({ id: zId, reason: zReason });
export const ZAdminExtendInput = z.strictObject({ id: zId, minutes: zInt(1, 60) });
export const ZAdminExpireInput = z.strictObject({ id: zId });

export const BULK_CANCELLABLE = ['HOLD', 'CONFIRMED'] as const;
export const ZBulkCancelInput = z.strictObject({
  event: zInt(1),
  status: z.array(z.enum(BULK_CANCELLABLE)).min(1).max(2),
  reason: zReason,
  dry_run: zBool().optional(),
});
export type BulkCancelInput = z.infer<typeof ZBulkCancelInput>;

export const ZBulkCancelOutput = z.object({ matched: z.number().int(), cancelled: z.number().int() });
export type BulkCancelOutput = z.infer<typeof ZBulkCancelOutput>;

// ---- events ---------------------------------------------------------------------------------------------------

export const EVENT_ORDERINGS = [
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
] as const;
export type EventOrdering = (typeof EVENT_ORDERINGS)[number];

export const ZAdminEventListInput = z
  .object({
    is_active: zQueryBool.optional(),
    start_date: zDateOrDateTime.optional().meta({ description: 'Events starting at or after this date/time.' }),
    end_date: zDateOrDateTime.optional().meta({ description: 'Events ending at or before this date/time.' }),
    q: z.string().trim().max(200).optional().meta({ description: 'Name or description, case-insensitive.' }),
    ordering: z.enum(EVENT_ORDERINGS).optional().meta({ description: 'Default start_time (then id).' }),
    page: zPage.optional(),
  })
  .optional();
export type AdminEventListInput = NonNullable<z.infer<typeof ZAdminEventListInput>>;

export const ZAdminEventList = zPaginated(ZEvent);

export const ZEventStats = ZEvent.extend({
  reservations_by_status: z.object({
    HOLD: z.number().int(),
    CONFIRMED: z.number().int(),
    CANCELLED: z.number().int(),
    EXPIRED: z.number().int(),
  }),
  holds_expiring_within_60s: z.number().int(),
}).meta({ id: 'EventStats' });
export type EventStatsDto = z.infer<typeof ZEventStats>;

// ---- users ----------------------------------------------------------------------------------------------------

export const ZAdminUser = ZUser.extend({
  is_active: z.boolean(),
  is_superuser: z.boolean(),
  last_login: z.string().nullable(),
}).meta({ id: 'AdminUser' });
export type AdminUserDto = z.infer<typeof ZAdminUser>;

export const ZAdminUserListInput = z
  .object({
    q: z.string().trim().max(200).optional().meta({ description: 'Username, email or names, case-insensitive.' }),
    is_active: zQueryBool.optional(),
    is_superuser: zQueryBool.optional(),
    page: zPage.optional(),
  })
  .optional();
export type AdminUserListInput = NonNullable<z.infer<typeof ZAdminUserListInput>>;

export const ZAdminUserList = zPaginated(ZAdminUser);

export const ZAdminUserUpdateInput = z.strictObject({
  id: zId,
  is_active: zBool().optional(),
  is_superuser: zBool().optional(),
  email: z.email().max(254).optional(),
  first_name: z.string().max(150).optional(),
  last_name: z.string().max(150).optional(),
});
export type AdminUserChanges = Omit<z.infer<typeof ZAdminUserUpdateInput>, 'id'>;

export const ZAdminSetPasswordInput = z.strictObject({ id: zId, password: z.string().max(128) });

export const ZAdminMessage = z.object({ message: z.string() });
