import { z } from 'zod';
import { zBool, zDateOrDateTime, zDateTime, zId, zInt, zPage, zQueryBool } from '../../validation';

export const MAX_CAPACITY = 1_000_000;

export const ZEvent = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    capacity: z.number().int(),
    available_capacity: z.number().int(),
    hold_count: z.number().int(),
    confirmed_count: z.number().int(),
    start_time: z.string().meta({ example: '2026-11-26T19:00:00Z' }),
    end_time: z.string().meta({ example: '2026-11-26T22:00:00Z' }),
    is_active: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Event' });
export type EventDto = z.infer<typeof ZEvent>;

const writable = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(10_000),
  capacity: zInt(1, MAX_CAPACITY),
  start_time: zDateTime,
  end_time: zDateTime,
  is_active: zBool(),
};

function endAfterStart(v: { start_time?: Date; end_time?: Date }, ctx: z.RefinementCtx) {
  // Object refinements also run when a field failed: then the field holds the raw input, not a Date.
  if (v.start_time instanceof Date && v.end_time instanceof Date && v.end_time.getTime() <= v.start_time.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'End time must be after start time.' });
  }
}

/** The fields of a new event: required ones plus description and is_active, which have defaults. */
const eventFields = {
  name: writable.name,
  description: writable.description.optional(),
  capacity: writable.capacity,
  start_time: writable.start_time,
  end_time: writable.end_time,
  is_active: writable.is_active.optional(),
};

export const ZEventCreateInput = z.strictObject(eventFields).superRefine(endAfterStart);
export type EventCreateInput = z.infer<typeof ZEventCreateInput>;

/**
 * The Event's read-only fields as GET returns them. A PUT or PATCH may carry them back (a GET → edit → PUT round trip,
 * as DRF allowed); they are checked for their type and then dropped, never written. Any other unknown field is still
 * refused. (`id` is the target itself: over REST the path's, which a body `id` must match — see transports/path-body-agreement.ts.)
 */
const ignored = <T extends z.ZodType>(field: T) =>
  field.optional().meta({ description: 'Read-only: accepted as GET returned it, and ignored.' });
// Schemas of their own, not ZEvent's: the REST adapter switches on coercion in the plain number schemas it is given
// (shared with tRPC, so "1.0" would pass as 1); the pipe keeps it off, as zInt does.
const ignoredCount = () => ignored(z.number().int().pipe(z.number()));
const ignoredTimestamp = () => ignored(z.string());
const ignoredReadOnly = {
  available_capacity: ignoredCount(),
  hold_count: ignoredCount(),
  confirmed_count: ignoredCount(),
  created_at: ignoredTimestamp(),
  updated_at: ignoredTimestamp(),
};
export const READ_ONLY_EVENT_FIELDS = Object.keys(ignoredReadOnly) as (keyof typeof ignoredReadOnly)[];

function withoutReadOnly<T extends Partial<Record<keyof typeof ignoredReadOnly, unknown>>>(
  input: T,
): Omit<T, keyof typeof ignoredReadOnly> {
  const changes = { ...input };
  for (const key of READ_ONLY_EVENT_FIELDS) delete changes[key];
  return changes;
}

/** PUT: every required field again (a full replace); optional ones keep their value when left out. */
export const ZEventUpdateInput = z
  .strictObject({ id: zId, ...eventFields, ...ignoredReadOnly })
  .superRefine(endAfterStart)
  .transform(withoutReadOnly);

export const ZEventPatchInput = z
  .strictObject({
    id: zId,
    name: writable.name.optional(),
    description: writable.description.optional(),
    capacity: writable.capacity.optional(),
    start_time: writable.start_time.optional(),
    end_time: writable.end_time.optional(),
    is_active: writable.is_active.optional(),
    ...ignoredReadOnly,
  })
  .superRefine(endAfterStart)
  .transform(withoutReadOnly);
export type EventChanges = Omit<z.output<typeof ZEventPatchInput>, 'id'>;

export const ZEventIdInput = z.strictObject({ id: zId });

/** Query filters; unknown query parameters are ignored, as DRF did. */
export const ZEventListInput = z
  .object({
    is_active: zQueryBool.optional(),
    start_date: zDateOrDateTime.optional().meta({ description: 'Events starting at or after this date/time.' }),
    end_date: zDateOrDateTime.optional().meta({ description: 'Events ending at or before this date/time.' }),
    page: zPage.optional(),
  })
  .optional();
export type EventListInput = NonNullable<z.infer<typeof ZEventListInput>>;

export function zPaginated<T extends z.ZodType>(item: T) {
  return z.object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(item),
  });
}

export const ZEventList = zPaginated(ZEvent);
export const ZEventDeleted = z.object({ message: z.string() });
