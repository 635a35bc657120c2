// Prometheus: every response observed in holdfast_http_request_duration_seconds (labelled by registered route, never
// by a client's path), the database pool watched, and GET /metrics. App-wide (fastify-plugin): every route is timed.
//
// /metrics tells anyone who reads it about traffic, errors and capacity: with METRICS_TOKEN set it needs
// `Authorization: Bearer <METRICS_TOKEN>`; without, it is open in development and test and off in production.
// Refusals look like any unknown path (404), so the endpoint is not advertised.
import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { sendNotFound } from '../errors';
import { httpDuration, registry, watchPool } from '../metrics';
import { routeLabelOf } from '../transports/route-table';

export interface MetricsOptions {
  env: Config['env'];
  metricsToken: Config['metricsToken'];
  sequelize: Sequelize;
}

function metricsReadableBy(opts: MetricsOptions, authorization: string | undefined): boolean {
  if (opts.metricsToken === undefined) return opts.env !== 'production';
  const expected = Buffer.from(`Bearer ${opts.metricsToken}`);
  const given = Buffer.from(authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const metricsPlugin = fp<MetricsOptions>(
  async (app, opts) => {
    // The REST adapter rewrites request.url (it strips /api); originalUrl is captured on first read, so read it now.
    app.addHook('onRequest', async (request) => {
      void request.originalUrl;
    });
    app.addHook('onResponse', async (request, reply) => {
      httpDuration.observe(
        {
          method: request.method,
          route: routeLabelOf(
            request.originalUrl.split('?')[0] ?? '',
            request.is404 ? undefined : request.routeOptions.url,
          ),
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
    const unwatchPool = watchPool(opts.sequelize);
    app.addHook('onClose', async () => unwatchPool());

    app.get('/metrics', async (request, reply) => {
      if (!metricsReadableBy(opts, request.headers.authorization)) return sendNotFound(reply);
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  },
  { name: 'metrics' },
);
