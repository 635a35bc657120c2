// buildApp: a ready Fastify instance — tRPC at /trpc, REST at /api, docs, health, metrics, the back office — built
// from one named plugin per concern. No listening here (serve.ts does that), so tests build it in-process.
//
// The order of registration is the order of the hooks every request runs through, so it matters:
//  - security headers, then the method guard: even a refused method gets the headers, and a 405 is answered before
//    any body is read or any route runs;
//  - rate limits before the transports: their context factories take the limiter the plugin decorates;
//  - request id, drain, metrics and the request log before any route: their hooks must see every response;
//  - the live-availability listener before the routes that stream from it;
//  - error handling before the routes, so plugins registered after it inherit the handlers;
//  - routes last; among them the CSV export and the SSE stream before the REST adapter's /api/* catch-all (a
//    static route wins over it either way; this keeps it readable).
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Sequelize } from 'sequelize';
import type { Config } from './config';
import { docsPlugin } from './plugins/docs';
import { drainPlugin } from './plugins/drain';
import { errorHandlingPlugin } from './plugins/error-handling';
import { healthPlugin } from './plugins/health';
import { jsonBodyPlugin } from './plugins/json-body';
import { liveAvailabilityPlugin } from './plugins/live-availability';
import { methodGuardPlugin } from './plugins/method-guard';
import { metricsPlugin } from './plugins/metrics';
import { rateLimitsPlugin } from './plugins/rate-limits';
import { requestIdPlugin } from './plugins/request-id';
import { requestLogPlugin } from './plugins/request-log';
import { securityPlugin } from './plugins/security';
import { adminExportPlugin } from './routes/admin-export';
import { adminUiPlugin } from './routes/admin-ui';
import { availabilityStreamPlugin } from './routes/availability-stream';
import { createServer } from './server-options';
import type { Services } from './services';
import { restTransport } from './transports/rest';
import { trpcTransport } from './transports/trpc';

export interface AppDeps {
  config: Config;
  services: Services;
  sequelize: Sequelize;
  /** The database URL (Runtime has it); the live-availability listener opens its own connection with it. */
  databaseUrl?: string;
}

export interface AppOptions {
  /** Replaces the pino logger settings (tests pass a stream to capture logs). */
  logger?: FastifyServerOptions['logger'];
  /** Reconnect backoff of the live-availability listener (tests shorten it). */
  liveBackoffMs?: { min: number; max: number };
}

export async function buildApp(deps: AppDeps, opts: AppOptions = {}): Promise<FastifyInstance> {
  const { config, services, sequelize } = deps;
  const linkBase = config.publicUrl ?? '';
  const app = createServer(config, opts.logger);

  await app.register(jsonBodyPlugin);
  await app.register(securityPlugin, { corsOrigins: config.corsOrigins });
  await app.register(methodGuardPlugin);
  await app.register(rateLimitsPlugin, {
    loginIpMaxPerMinute: config.loginIpMaxPerMinute,
    registrationsPerIpPerHour: config.registrationsPerIpPerHour,
  });
  await app.register(requestIdPlugin);
  await app.register(drainPlugin);
  await app.register(metricsPlugin, { env: config.env, metricsToken: config.metricsToken, sequelize });
  await app.register(requestLogPlugin);
  await app.register(liveAvailabilityPlugin, {
    services,
    sequelize,
    databaseUrl: deps.databaseUrl,
    backoffMs: opts.liveBackoffMs,
  });
  await app.register(errorHandlingPlugin);

  await app.register(healthPlugin, { sequelize });
  await app.register(trpcTransport, { services, linkBase });
  await app.register(docsPlugin, { maxHoldQuantity: config.maxHoldQuantity });
  await app.register(adminUiPlugin, { dir: config.adminUiDir });
  await app.register(adminExportPlugin, { services });
  await app.register(availabilityStreamPlugin, { services });
  await app.register(restTransport, { prefix: '/api', services, bodyLimit: config.bodyLimitBytes, linkBase });
  return app;
}
