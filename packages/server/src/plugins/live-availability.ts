// Live availability: one LISTEN connection per process, started with the app. Its streams are closed before the
// server stops accepting (preClose), or app.close() would wait forever for them; a SIGTERM drain gets this through
// app.close().
import fp from 'fastify-plugin';
import type { ClientConfig } from 'pg';
import type { Sequelize } from 'sequelize';
import type { Services } from '../services';

export interface LiveAvailabilityOptions {
  services: Services;
  sequelize: Sequelize;
  /** The database URL, when known; else the pool's settings are used. */
  databaseUrl: string | undefined;
  /** Reconnect backoff of the listener (tests shorten it). */
  backoffMs: { min: number; max: number } | undefined;
}

/** Where the dedicated LISTEN connection goes: the same database as the pool, outside the pool. */
function listenerConnection(opts: LiveAvailabilityOptions): ClientConfig {
  if (opts.databaseUrl) return { connectionString: opts.databaseUrl };
  const c = opts.sequelize.config;
  return {
    host: c.host,
    port: Number(c.port),
    user: c.username,
    database: c.database,
    ...(c.password ? { password: c.password } : {}),
  };
}

export const liveAvailabilityPlugin = fp<LiveAvailabilityOptions>(
  async (app, opts) => {
    const { availability } = opts.services;
    await availability.start({
      connection: listenerConnection(opts),
      log: app.log,
      ...(opts.backoffMs ? { minBackoffMs: opts.backoffMs.min, maxBackoffMs: opts.backoffMs.max } : {}),
    });
    app.addHook('preClose', async () => availability.close());
  },
  { name: 'live-availability' },
);
