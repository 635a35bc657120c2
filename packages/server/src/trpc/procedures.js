"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.authAttemptProcedure = exports.adminProcedure = exports.authedProcedure = exports.publicProcedure = exports.router = void 0;
// The base procedures every router builds on. One middleware turns domain and database errors into TRPCErrors
// (so services never import tRPC); authedProcedure narrows ctx.user; adminProcedure requires a superuser.
const database_errors_1 = require("../db/database-errors");
const errors_1 = require("../errors");
const init_1 = require("./init");
const convertErrors = init_1.t.middleware(async ({ next }) => {
    const result = await next();
    if (!result.ok) {
        const appError = result.error.cause instanceof errors_1.AppError ? result.error.cause : (0, database_errors_1.toAppError)(result.error.cause);
        if (appError)
            throw new init_1.TRPCError({ code: appError.trpcCode, message: appError.message, cause: appError });
    }
    return result;
});
/** The path of the first string holding U+0000 in an input (iterative: inputs can be nested thousands deep). */
function nulCharField(input) {
    const stack = [[input, '']];
    while (stack.length > 0) {
        const [value, path] = stack.pop();
        if (typeof value === 'string') {
            if (value.includes('\u0000'))
                return path || 'non_field_errors';
        }
        else if (value !== null && typeof value === 'object') {
            for (const [key, child] of Object.entries(value))
                stack.push([child, path ? `${path}.${key}` : key]);
        }
    }
    return undefined;
}
/**
 * U+0000 cannot be stored in PostgreSQL text; Sequelize rewrites it to the two characters "\0", which alters the
 * value and can overflow a varchar. Refused like DRF did ("Null characters are not allowed.").
 */
const refuseNulChars = init_1.t.middleware(async ({ getRawInput, next }) => {
    const field = nulCharField(await getRawInput());
    if (field)
        throw errors_1.AppError.validation(Object.fromEntries([[field, ['Null characters are not allowed.']]]));
    return next();
});
exports.router = init_1.t.router;
exports.publicProcedure = init_1.t.procedure.use(convertErrors).use(refuseNulChars);
// GET /api/events/ repeats publicProcedure's and this chain's checks on its REST fast path (http/event-list-fast-path.ts):
// a check added here must be added there too.
exports.authedProcedure = exports.publicProcedure.use(async ({ ctx, next }) => {
    const user = await ctx.services.auth.authenticate(ctx.authorization);
    return next({ ctx: { ...ctx, user } });
});
exports.adminProcedure = exports.authedProcedure.use(({ ctx, meta, next }) => {
    if (!ctx.user.isSuperuser) {
        throw new errors_1.AppError('FORBIDDEN', meta?.forbiddenMessage ?? 'You do not have permission to perform this action.');
    }
    return next({ ctx });
});
/** Sign-in endpoints: a per-IP attempt limit before anything else runs. */
exports.authAttemptProcedure = exports.publicProcedure.use(async ({ ctx, next }) => {
    await ctx.limitAuthAttempt();
    return next();
});
