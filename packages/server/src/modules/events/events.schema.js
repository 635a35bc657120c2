"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ZEventDeleted = exports.ZEventList = exports.ZEventListInput = exports.ZEventIdInput = exports.ZEventPatchInput = exports.ZEventUpdateInput = exports.ZEventCreateInput = exports.ZEvent = exports.MAX_CAPACITY = void 0;
exports.zPaginated = zPaginated;
const zod_1 = require("zod");
const validation_1 = require("../../validation");
exports.MAX_CAPACITY = 1_000_000;
exports.ZEvent = zod_1.z
    .object({
    id: zod_1.z.number().int(),
    name: zod_1.z.string(),
    description: zod_1.z.string(),
    capacity: zod_1.z.number().int(),
    available_capacity: zod_1.z.number().int(),
    hold_count: zod_1.z.number().int(),
    confirmed_count: zod_1.z.number().int(),
    start_time: zod_1.z.string().meta({ example: '2026-11-26T19:00:00Z' }),
    end_time: zod_1.z.string().meta({ example: '2026-11-26T22:00:00Z' }),
    is_active: zod_1.z.boolean(),
    created_at: zod_1.z.string(),
    updated_at: zod_1.z.string(),
})
    .meta({ id: 'Event' });
const writable = {
    name: zod_1.z.string().trim().min(1).max(200),
    description: zod_1.z.string().max(10_000),
    capacity: (0, validation_1.zInt)(1, exports.MAX_CAPACITY),
    start_time: validation_1.zDateTime,
    end_time: validation_1.zDateTime,
    is_active: (0, validation_1.zBool)(),
};
function endAfterStart(v, ctx) {
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
exports.ZEventCreateInput = zod_1.z.strictObject(eventFields).superRefine(endAfterStart);
/** PUT: every required field again (a full replace); optional ones keep their value when left out. */
exports.ZEventUpdateInput = zod_1.z.strictObject({ id: validation_1.zId, ...eventFields }).superRefine(endAfterStart);
exports.ZEventPatchInput = zod_1.z
    .strictObject({
    id: validation_1.zId,
    name: writable.name.optional(),
    description: writable.description.optional(),
    capacity: writable.capacity.optional(),
    start_time: writable.start_time.optional(),
    end_time: writable.end_time.optional(),
    is_active: writable.is_active.optional(),
})
    .superRefine(endAfterStart);
exports.ZEventIdInput = zod_1.z.strictObject({ id: validation_1.zId });
/** Query filters; unknown query parameters are ignored, as DRF did. */
exports.ZEventListInput = zod_1.z
    .object({
    is_active: validation_1.zQueryBool.optional(),
    start_date: validation_1.zDateOrDateTime.optional().meta({ description: 'Events starting at or after this date/time.' }),
    end_date: validation_1.zDateOrDateTime.optional().meta({ description: 'Events ending at or before this date/time.' }),
    page: validation_1.zPage.optional(),
})
    .optional();
function zPaginated(item) {
    return zod_1.z.object({
        count: zod_1.z.number().int(),
        next: zod_1.z.string().nullable(),
        previous: zod_1.z.string().nullable(),
        results: zod_1.z.array(item),
    });
}
exports.ZEventList = zPaginated(exports.ZEvent);
exports.ZEventDeleted = zod_1.z.object({ message: zod_1.z.string() });
