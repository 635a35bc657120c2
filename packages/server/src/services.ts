// The service layer, built once per process from the database and config. Both transports and the worker
// reach the domain only through these objects.
import type { Sequelize } from 'sequelize';
import type { Config } from './config';
import { AuditLog } from './modules/audit/audit.service';
import { AuthService } from './modules/auth/auth.service';
import { UserAdminService } from './modules/auth/user-admin.service';
import { hs256Key } from './modules/auth/tokens';
import { availabilityReader } from './modules/events/availability.reader';
import { EventsService } from './modules/events/events.service';
import { ReservationSearch } from './modules/reservations/reservation-search';
import { EventListCache } from './modules/events/list-cache';
import { IdempotencyService } from './modules/idempotency/idempotency.service';
import { HoldLedger, type EventLocking } from './modules/reservations/hold-ledger';
import { ReservationsService, type ReservationSettings } from './modules/reservations/reservations.service';
import { LiveAvailability } from './live/live-availability';

export interface Services {
  auth: AuthService;
  events: EventsService;
  reservations: ReservationsService;
  idempotency: IdempotencyService;
  audit: AuditLog;
  /** The back office's user management. */
  users: UserAdminService;
  /** The back office's reservation search and CSV export. */
  reservationSearch: ReservationSearch;
  /** The events list cache (EventsService and ReservationsService clear it after their writes). */
  eventListCache: EventListCache;
  /** Live availability streams; idle until buildApp starts its listening connection. */
  availability: LiveAvailability;
}

// Procedures reach these through ctx.services: Context (trpc/context.ts) declares an empty ContextServices that this
// fills in, so the router's published type never names the service classes.
declare module './trpc/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the members in, adds none
  interface ContextServices extends Services {}
}

export interface ServiceOverrides {
  /** Test-only knobs (caps and limits beside the environment's). */
  reservations?: Partial<ReservationSettings>;
  /** Test-only: how the ledger locks event rows, for the negative controls (test/support/event-locking.ts). */
  eventLocking?: EventLocking;
  /** Test-only: the clock of the read caches' TTLs, in ms, so tests step time instead of sleeping. */
  now?: () => number;
  /** Bench-only: run without the audit log, for the A/B of its cost on the hot hold path. */
  audit?: { enabled: false };
}

export function createServices(
  sequelize: Sequelize,
  config: Config & { jwtSecret: string },
  overrides: ServiceOverrides = {},
): Services {
  const idempotency = new IdempotencyService(sequelize);
  const clock = overrides.now ? { now: overrides.now } : {};
  const eventListCache = new EventListCache({ ttlMs: config.eventListCacheMs, ...clock });
  const audit = new AuditLog(sequelize, {
    enabled: overrides.audit?.enabled ?? true,
    retentionDays: config.auditRetentionDays,
  });
  const auth = new AuthService(
    sequelize,
    {
      key: hs256Key(config.jwtSecret),
      accessTtlSeconds: config.accessTokenTtlSeconds,
      refreshTtlSeconds: config.refreshTokenTtlSeconds,
      bcryptCost: config.bcryptCost,
      loginMaxFailures: config.loginMaxFailures,
      loginFailureWindowSeconds: config.loginFailureWindowSeconds,
      loginAccountMaxFailures: config.loginAccountMaxFailures,
      userCacheMs: config.authUserCacheMs,
      refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
      ...clock,
    },
    audit,
  );
  const reservationSettings: ReservationSettings = {
    holdTtlSeconds: config.holdTtlSeconds,
    maxHoldQuantity: config.maxHoldQuantity,
    maxActiveHoldsPerUser: config.maxActiveHoldsPerUser,
    maxHeldSeatsPerUser: config.maxHeldSeatsPerUser,
    maxHoldStatementsInFlight: Math.max(1, Math.floor(config.databasePoolMax / 2)),
    ...overrides.reservations,
  };
  const ledger = new HoldLedger(
    sequelize,
    {
      holdTtlSeconds: reservationSettings.holdTtlSeconds,
      maxActiveHoldsPerUser: reservationSettings.maxActiveHoldsPerUser,
      maxHeldSeatsPerUser: reservationSettings.maxHeldSeatsPerUser,
      audit: audit.enabled,
    },
    overrides.eventLocking,
  );
  return {
    auth,
    users: new UserAdminService(sequelize, auth, audit),
    reservationSearch: new ReservationSearch(sequelize, audit),
    events: new EventsService(sequelize, eventListCache, audit, ledger),
    reservations: new ReservationsService(sequelize, idempotency, reservationSettings, eventListCache, audit, ledger),
    idempotency,
    audit,
    eventListCache,
    availability: new LiveAvailability(
      availabilityReader(sequelize),
      {
        maxSubscriptions: config.liveMaxSubscriptions,
        coalesceMs: config.liveCoalesceMs,
        slowClientMs: config.liveSlowClientMs,
        heartbeatMs: config.liveHeartbeatMs,
      },
      eventListCache,
    ),
  };
}
