"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.zDateOrDateTime = exports.zDateTime = exports.zQueryBool = exports.zPage = exports.zId = void 0;
exports.zInt = zInt;
exports.zBool = zBool;
exports.fieldErrorsFromZod = fieldErrorsFromZod;
// Shared zod building blocks and the one error map that gives validation failures DRF's wording, so REST clients
// of the old system see the same field messages ("This field is required.", "A valid integer is required.").
const zod_1 = require("zod");
const PG_INT_MAX = 2_147_483_647;
zod_1.z.config({
    customError: (issue) => {
        switch (issue.code) {
            case 'invalid_type':
                if (issue.input === undefined)
                    return 'This field is required.';
                if (issue.input === null)
                    return 'This field may not be null.';
                switch (issue.expected) {
                    case 'number':
                    case 'int':
                        return 'A valid integer is required.';
                    case 'string':
                        return 'Not a valid string.';
                    case 'boolean':
                        return 'Must be a valid boolean.';
                    case 'object':
                        return 'Invalid data. Expected a dictionary.';
                    default:
                        return `Expected ${issue.expected}.`;
                }
            case 'too_small':
                if (issue.origin === 'string') {
                    return issue.minimum === 1
                        ? 'This field may not be blank.'
                        : `Ensure this field has at least ${issue.minimum} characters.`;
                }
                return `Ensure this value is greater than or equal to ${issue.minimum}.`;
            case 'too_big':
                if (issue.origin === 'string')
                    return `Ensure this field has no more than ${issue.maximum} characters.`;
                return `Ensure this value is less than or equal to ${issue.maximum}.`;
            case 'invalid_format':
                if (issue.format === 'email')
                    return 'Enter a valid email address.';
                if (issue.format === 'datetime' || issue.format === 'date') {
                    return 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
                }
                return 'Enter a valid value.';
            case 'invalid_value':
                return 'Not a valid choice.';
            default:
                return undefined;
        }
    },
});
/**
 * A positive database id. Accepts a number or a string of digits, because REST path and query parameters
 * arrive as strings (and the REST adapter only coerces plain number schemas, which would also accept `true`).
 */
exports.zId = zod_1.z
    .union([zod_1.z.number(), zod_1.z.string().regex(/^\d{1,10}$/, { error: 'A valid integer is required.' })], {
    error: 'A valid integer is required.',
})
    .pipe(zod_1.z.coerce.number().int().min(1).max(PG_INT_MAX));
/** A strict JSON integer for request bodies: no strings, booleans or floats. */
function zInt(min, max = PG_INT_MAX) {
    return zod_1.z.number().int().min(min).max(max).pipe(zod_1.z.number());
}
/**
 * A strict JSON boolean for request bodies. The pipe keeps trpc-to-openapi from switching on coercion: it sets
 * `coerce` on plain z.boolean() schemas (shared with the tRPC transport), and Boolean("false") is true.
 */
function zBool() {
    return zod_1.z.boolean().pipe(zod_1.z.boolean());
}
/** A page number from a query string or a typed client. */
exports.zPage = zod_1.z
    .union([zod_1.z.number(), zod_1.z.string().regex(/^\d{1,9}$/, { error: 'A valid integer is required.' })], {
    error: 'A valid integer is required.',
})
    .pipe(zod_1.z.coerce.number().int().min(1));
/** A boolean from a query string ("true"/"false", as DRF's filter accepted) or a typed client. */
exports.zQueryBool = zod_1.z
    .union([zod_1.z.boolean(), zod_1.z.enum(['true', 'false', 'True', 'False', '1', '0'])], { error: 'Must be a valid boolean.' })
    .pipe(zod_1.z.transform((v) => v === true || v === 'true' || v === 'True' || v === '1'));
/** Years 1-9999 (DRF's range); PostgreSQL rejects year 0, which ISO-8601 strings can name. */
const zStorableDate = zod_1.z.date().refine((d) => d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999, {
    error: 'Ensure the date is between 0001-01-01 and 9999-12-31 (UTC).',
});
/** ISO-8601 timestamp; one without an offset is read as UTC (the old system's TIME_ZONE). */
exports.zDateTime = zod_1.z.iso
    .datetime({ offset: true, local: true })
    .pipe(zod_1.z.transform((s) => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`)))
    .pipe(zStorableDate);
/** A date (midnight UTC) or a timestamp, for list filters. */
exports.zDateOrDateTime = zod_1.z
    .union([zod_1.z.iso.date(), zod_1.z.iso.datetime({ offset: true, local: true })], {
    error: 'Enter a valid date or datetime.',
})
    .pipe(zod_1.z.transform((s) => new Date(s.length === 10 || /[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`)))
    .pipe(zStorableDate);
/** ZodError → DRF field map; an unknown body field is reported under its own name. */
function fieldErrorsFromZod(error) {
    // A Map, not an object: a field named "toString", "constructor" or "__proto__" must not meet Object.prototype.
    const fields = new Map();
    const add = (key, message) => {
        const list = fields.get(key) ?? [];
        if (!list.includes(message))
            list.push(message);
        fields.set(key, list);
    };
    for (const issue of error.issues) {
        if (issue.code === 'unrecognized_keys') {
            for (const key of issue.keys)
                add([...issue.path, key].join('.'), 'Unknown field.');
            continue;
        }
        add(issue.path.length > 0 ? issue.path.join('.') : 'non_field_errors', issue.message);
    }
    return Object.fromEntries(fields);
}
