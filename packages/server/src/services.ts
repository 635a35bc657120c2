// The service layer, built once per process from the database and config. Both transports and the worker
// reach the domain only through these objects.
import type { Sequelize } from 'sequelize';
import type { Config } from './config';
import { AuthService } from './modules/auth/auth.service';
import { hs256Key } from './modules/auth/tokens';
import { EventsService } from './modules/events/events.service';
import { IdempotencyService } from './modules/idempotency/idempotency.service';
import { ReservationsService, type ReservationSettings } from './modules/reservations/reservations.service';

export interface Services {
  auth: AuthService;
  events: EventsService;
  reservations: ReservationsService;
  idempotency: IdempotencyService;
}

export interface ServiceOverrides {
  /** Test-only knobs (e.g. the negative-control lock switch). */
  reservations?: Partial<ReservationSettings>;
}

export function createServices(
  sequelize: Sequelize,
  config: Config & { jwtSecret: string },
  overrides: ServiceOverrides = {},
): Services {
  const idempotency = new IdempotencyService(sequelize);
  return {
    auth: new AuthService(sequelize, {
      key: hs256Key(config.jwtSecret),
      accessTtlSeconds: config.accessTokenTtlSeconds,
      refreshTtlSeconds: config.refreshTokenTtlSeconds,
      bcryptCost: config.bcryptCost,
      loginMaxFailures: config.loginMaxFailures,
      loginFailureWindowSeconds: config.loginFailureWindowSeconds,
    }),
    events: new EventsService(sequelize),
    reservations: new ReservationsService(sequelize, idempotency, {
      holdTtlSeconds: config.holdTtlSeconds,
      maxHoldQuantity: config.maxHoldQuantity,
      maxActiveHoldsPerUser: config.maxActiveHoldsPerUser,
      ...overrides.reservations,
    }),
    idempotency,
  };
}
