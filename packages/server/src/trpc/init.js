"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TRPCError = exports.t = void 0;
exports.describeError = describeError;
// The tRPC instance: context and meta types, and the error formatter — the single place where any error becomes
// the shape both transports send (tRPC clients read `data.appCode`; the REST layer reads `data.rest`).
const server_1 = require("@trpc/server");
Object.defineProperty(exports, "TRPCError", { enumerable: true, get: function () { return server_1.TRPCError; } });
const zod_1 = require("zod");
const errors_1 = require("../errors");
const validation_1 = require("../validation");
const TRPC_TO_APP = {
    BAD_REQUEST: 'BAD_REQUEST',
    PARSE_ERROR: 'BAD_REQUEST',
    UNAUTHORIZED: 'UNAUTHORIZED',
    FORBIDDEN: 'FORBIDDEN',
    NOT_FOUND: 'NOT_FOUND',
    TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
};
function describeError(error, httpStatus) {
    const cause = error.cause;
    if (cause instanceof errors_1.AppError) {
        return {
            appCode: cause.code,
            message: cause.message,
            fieldErrors: cause.fields,
            retryAfter: cause.retryAfter,
            rest: (0, errors_1.restErrorBody)(cause.code, cause.message, cause.rest, cause.fields),
        };
    }
    if (cause instanceof zod_1.ZodError || (error.code === 'BAD_REQUEST' && cause?.name === 'ZodError')) {
        const fieldErrors = (0, validation_1.fieldErrorsFromZod)(cause);
        return { appCode: 'BAD_REQUEST', message: 'Invalid input.', fieldErrors, retryAfter: undefined, rest: fieldErrors };
    }
    // Framework errors (bad JSON, unknown route, oversized body) and bugs: never echo internals.
    const message = (0, errors_1.frameworkErrorMessage)(httpStatus, error.message);
    return {
        appCode: TRPC_TO_APP[error.code] ?? error.code,
        message,
        fieldErrors: undefined,
        retryAfter: undefined,
        rest: { detail: message },
    };
}
exports.t = server_1.initTRPC
    .context()
    .meta()
    .create({
    errorFormatter({ shape, error, ctx }) {
        const d = describeError(error, shape.data.httpStatus);
        const data = {
            code: shape.data.code,
            httpStatus: shape.data.httpStatus,
            path: shape.data.path,
            appCode: d.appCode,
            ...(d.fieldErrors ? { fieldErrors: d.fieldErrors } : {}),
            ...(d.retryAfter !== undefined ? { retryAfter: d.retryAfter } : {}),
            ...(ctx?.transport !== 'trpc' ? { rest: d.rest } : {}),
        };
        return { message: d.message, code: shape.code, data };
    },
});
