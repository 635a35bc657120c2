import { z } from 'zod';
import { zId, zInt, zPage } from '../../validation';
import { zPaginated } from '../events/events.schema';
import { RESERVATION_STATUSES } from './reservations.model';

export const ZReservationStatus = z.enum(RESERVATION_STATUSES);

export const ZReservation = z
  .object({
    id: z.number().int(),
    event: z.number().int(),
    event_name: z.string(),
    user: z.number().int(),
    user_username: z.string(),
    status: ZReservationStatus,
    quantity: z.number().int(),
    expires_at: z.string().nullable().meta({ example: '2026-11-25T19:12:13.500628Z' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Reservation' });
export type ReservationDto = z.infer<typeof ZReservation>;

/** tRPC callers pass the idempotency key here; REST callers send the `Idempotency-Key` header. */
const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .meta({ description: 'Same as the Idempotency-Key header: repeats with this key return the first result.' });

export const ZCreateHoldInput = z.strictObject({
  event_id: zInt(1),
  // The configured MAX_HOLD_QUANTITY is enforced by the service; this bound only keeps numbers sane.
  quantity: zInt(1, 1_000_000).default(1),
  idempotency_key: idempotencyKey,
});
export type CreateHoldInput = z.infer<typeof ZCreateHoldInput>;

export const ZConfirmInput = z.strictObject({
  reservation_id: zInt(1),
  idempotency_key: idempotencyKey,
});
export type ConfirmInput = z.infer<typeof ZConfirmInput>;

export const ZCancelInput = z.strictObject({ id: zId, idempotency_key: idempotencyKey });
export type CancelInput = z.infer<typeof ZCancelInput>;

export const ZReservationIdInput = z.strictObject({ id: zId });

export const ZReservationListInput = z.object({ page: zPage.optional() }).optional();

export const ZReservationList = zPaginated(ZReservation);
