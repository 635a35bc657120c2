"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.models = void 0;
const auth_model_1 = require("../modules/auth/auth.model");
const events_model_1 = require("../modules/events/events.model");
const idempotency_model_1 = require("../modules/idempotency/idempotency.model");
const reservations_model_1 = require("../modules/reservations/reservations.model");
exports.models = [auth_model_1.User, auth_model_1.OutstandingToken, auth_model_1.BlacklistedToken, auth_model_1.LoginFailure, events_model_1.Event, reservations_model_1.Reservation, idempotency_model_1.IdempotencyKey];
