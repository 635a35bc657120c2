import { BlacklistedToken, OutstandingToken, User } from '../modules/auth/auth.model';
import { Event } from '../modules/events/events.model';
import { IdempotencyKey } from '../modules/idempotency/idempotency.model';
import { Reservation } from '../modules/reservations/reservations.model';

export const models = [User, OutstandingToken, BlacklistedToken, Event, Reservation, IdempotencyKey];
