"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.responseMetaFor = responseMetaFor;
const errors_1 = require("../errors");
function responseMetaFor(router, opts) {
    const procedures = router._def.procedures;
    return ({ paths, errors }) => {
        if (errors.length > 0) {
            const retryAfter = errors
                .map((e) => (e.cause instanceof errors_1.AppError ? e.cause.retryAfter : undefined))
                .find((s) => s !== undefined);
            return retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {};
        }
        // Only single (unbatched) calls change the status; a batch keeps 200.
        if (opts.successStatus && paths?.length === 1 && paths[0]) {
            const status = procedures[paths[0]]?._def.meta?.successStatus;
            if (status)
                return { status };
        }
        return {};
    };
}
