import { z } from 'zod';
import { zDateOrDateTime, zId, zPage } from '../../validation';
import { zPaginated } from '../events/events.schema';

export const AUDIT_ACTIONS = [
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
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OBJECT_TYPES = ['event', 'reservation', 'user', 'auth'] as const;
export type AuditObjectType = (typeof AUDIT_OBJECT_TYPES)[number];

const zJson = z.record(z.string(), z.unknown()).nullable();

export const ZAuditEntry = z
  .object({
    id: z.number().int(),
    at: z.string().meta({ example: '2026-11-26T19:00:00.123Z' }),
    /** null: the system (the worker, the clock). */
    actor: z.number().int().nullable(),
    actor_username: z.string().nullable(),
    action: z.enum(AUDIT_ACTIONS),
    object_type: z.enum(AUDIT_OBJECT_TYPES),
    object_id: z.number().int().nullable(),
    before: zJson,
    after: zJson,
    reason: z.string().nullable(),
    request_id: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntryDto = z.infer<typeof ZAuditEntry>;

/** Query filters of GET /api/admin/audit/; unknown query parameters are ignored, as DRF did. */
export const ZAuditListInput = z
  .object({
    actor: zId.optional(),
    object_type: z.enum(AUDIT_OBJECT_TYPES).optional(),
    object_id: zId.optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    since: zDateOrDateTime.optional().meta({ description: 'Entries at or after this date/time.' }),
    until: zDateOrDateTime.optional().meta({ description: 'Entries before this date/time.' }),
    page: zPage.optional(),
  })
  .optional();
export type AuditListInput = NonNullable<z.infer<typeof ZAuditListInput>>;

export const ZAuditList = zPaginated(ZAuditEntry);
