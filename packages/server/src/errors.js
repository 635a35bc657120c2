"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.AppError = exports.APP_ERROR_CODES = void 0;
exports.restErrorBody = restErrorBody;
exports.frameworkErrorMessage = frameworkErrorMessage;
const CODES = {
    BAD_REQUEST: { trpc: 'BAD_REQUEST', status: 400, rest: 'error' },
    UNAUTHORIZED: { trpc: 'UNAUTHORIZED', status: 401, rest: 'detail' },
    FORBIDDEN: { trpc: 'FORBIDDEN', status: 403, rest: 'error+code' },
    NOT_FOUND: { trpc: 'NOT_FOUND', status: 404, rest: 'detail' },
    INSUFFICIENT_CAPACITY: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
    TOO_MANY_ACTIVE_HOLDS: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
    EVENT_HAS_RESERVATIONS: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
    CAPACITY_BELOW_RESERVED: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
    EVENT_NOT_ACTIVE: { trpc: 'BAD_REQUEST', status: 400, rest: 'error+code' },
    EVENT_ENDED: { trpc: 'BAD_REQUEST', status: 400, rest: 'error+code' },
    INVALID_STATUS: { trpc: 'BAD_REQUEST', status: 400, rest: 'error+code' },
    RESERVATION_EXPIRED: { trpc: 'BAD_REQUEST', status: 400, rest: 'error+code' },
    LAST_SUPERUSER: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
    CANNOT_CHANGE_OWN_ACCESS: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
    IDEMPOTENCY_KEY_REUSED: { trpc: 'UNPROCESSABLE_CONTENT', status: 422, rest: 'error+code' },
    TOO_MANY_REQUESTS: { trpc: 'TOO_MANY_REQUESTS', status: 429, rest: 'detail' },
    BUSY: { trpc: 'SERVICE_UNAVAILABLE', status: 503, rest: 'error+code' },
};
exports.APP_ERROR_CODES = Object.keys(CODES);
class AppError extends Error {
    code;
    name = 'AppError';
    fields;
    retryAfter;
    rest;
    constructor(code, message, options = {}) {
        super(message, { cause: options.cause });
        this.code = code;
        this.fields = options.fields;
        this.retryAfter = options.retryAfter;
        this.rest = options.rest ?? CODES[code].rest;
    }
    get status() {
        return CODES[this.code].status;
    }
    get trpcCode() {
        return CODES[this.code].trpc;
    }
    static notFound(message = 'Not found.') {
        return new AppError('NOT_FOUND', message, { rest: message === 'Not found.' ? 'detail' : 'error+code' });
    }
    static validation(fields) {
        return new AppError('BAD_REQUEST', 'Invalid input.', { fields });
    }
    static tokenNotValid(message = 'Given token not valid for any token type') {
        return new AppError('UNAUTHORIZED', message, { rest: 'token' });
    }
}
exports.AppError = AppError;
/** The REST body API.md prescribes for an error. */
function restErrorBody(code, message, shape, fields) {
    if (fields)
        return fields;
    switch (shape) {
        case 'error+code':
            return { error: message, code };
        case 'error':
            return { error: message };
        case 'token':
            return { detail: message, code: 'token_not_valid' };
        case 'detail':
            return { detail: message };
    }
}
/** DRF-style bodies for errors born outside our code (framework and adapter errors), by HTTP status. */
function frameworkErrorMessage(status, fallback) {
    switch (status) {
        case 404:
            return 'Not found.';
        case 405:
            return 'Method not allowed.';
        case 413:
            return 'Request body is too large.';
        case 415:
            return 'Unsupported media type in request; send application/json.';
        case 408:
            return 'Request timed out.';
        default:
            return status >= 500 ? 'A server error occurred.' : fallback;
    }
}
