"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.appRouter = void 0;
// The one router: the single source of truth for both transports (tRPC at /trpc, REST at /api).
const admin_router_1 = require("./modules/admin/admin.router");
const auth_router_1 = require("./modules/auth/auth.router");
const events_router_1 = require("./modules/events/events.router");
const reservations_router_1 = require("./modules/reservations/reservations.router");
const procedures_1 = require("./trpc/procedures");
exports.appRouter = (0, procedures_1.router)({
    auth: auth_router_1.authRouter,
    events: events_router_1.eventsRouter,
    reservations: reservations_router_1.reservationsRouter,
    admin: admin_router_1.adminRouter,
});
