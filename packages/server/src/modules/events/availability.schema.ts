import { z } from 'zod';
import { zId } from '../../validation';

/** The most events one live subscription may watch (API.md "Live availability"). */
export const MAX_AVAILABILITY_EVENTS = 100;

export const ZAvailability = z
  .object({
    id: z.number().int(),
    capacity: z.number().int(),
    available_capacity: z.number().int(),
    hold_count: z.number().int(),
    confirmed_count: z.number().int(),
    is_active: z.boolean(),
    /** When the database produced this reading (ISO-8601 UTC). */
    at: z.string(),
  })
  .meta({ id: 'Availability' });
export type Availability = z.infer<typeof ZAvailability>;

export const ZAvailabilityInput = z.strictObject({
  event_ids: z
    .array(zId)
    .min(1)
    .max(MAX_AVAILABILITY_EVENTS)
    .transform((ids) => [...new Set(ids)]),
});
export type AvailabilityInput = z.infer<typeof ZAvailabilityInput>;
