"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createServices = createServices;
const audit_service_1 = require("./modules/audit/audit.service");
const auth_service_1 = require("./modules/auth/auth.service");
const user_admin_service_1 = require("./modules/auth/user-admin.service");
const tokens_1 = require("./modules/auth/tokens");
const events_service_1 = require("./modules/events/events.service");
const reservation_search_1 = require("./modules/reservations/reservation-search");
const list_cache_1 = require("./modules/events/list-cache");
const idempotency_service_1 = require("./modules/idempotency/idempotency.service");
const reservations_service_1 = require("./modules/reservations/reservations.service");
function createServices(sequelize, config, overrides = {}) {
    const idempotency = new idempotency_service_1.IdempotencyService(sequelize);
    const clock = overrides.now ? { now: overrides.now } : {};
    const eventListCache = new list_cache_1.EventListCache({ ttlMs: config.eventListCacheMs, ...clock });
    const audit = new audit_service_1.AuditLog(sequelize, {
        enabled: overrides.audit?.enabled ?? true,
        retentionDays: config.auditRetentionDays,
    });
    const auth = new auth_service_1.AuthService(sequelize, {
        key: (0, tokens_1.hs256Key)(config.jwtSecret),
        accessTtlSeconds: config.accessTokenTtlSeconds,
        refreshTtlSeconds: config.refreshTokenTtlSeconds,
        bcryptCost: config.bcryptCost,
        loginMaxFailures: config.loginMaxFailures,
        loginFailureWindowSeconds: config.loginFailureWindowSeconds,
        userCacheMs: config.authUserCacheMs,
        ...clock,
    }, audit);
    return {
        auth,
        users: new user_admin_service_1.UserAdminService(sequelize, auth, audit),
        reservationSearch: new reservation_search_1.ReservationSearch(sequelize, audit),
        events: new events_service_1.EventsService(sequelize, eventListCache, audit),
        reservations: new reservations_service_1.ReservationsService(sequelize, idempotency, {
            holdTtlSeconds: config.holdTtlSeconds,
            maxHoldQuantity: config.maxHoldQuantity,
            maxActiveHoldsPerUser: config.maxActiveHoldsPerUser,
            ...overrides.reservations,
        }, eventListCache, audit),
        idempotency,
        audit,
        eventListCache,
    };
}
