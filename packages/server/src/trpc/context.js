"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.requestOrigin = requestOrigin;
exports.contextFactory = contextFactory;
/** scheme://host of a request: the base of the absolute links in paginated lists (both transports, the fast path). */
function requestOrigin(req) {
    return `${req.protocol}://${req.host}`;
}
function contextFactory(services, transport, limiter) {
    return ({ req }) => {
        const key = req.headers['idempotency-key'];
        return {
            services,
            transport,
            authorization: req.headers.authorization,
            user: null,
            ip: req.ip,
            requestId: String(req.id),
            idempotencyKey: typeof key === 'string' && key.length > 0 ? key : undefined,
            origin: requestOrigin(req),
            limitAuthAttempt: () => limiter(req),
        };
    };
}
