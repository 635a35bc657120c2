// Liveness and readiness: /healthz answers while the process runs; /readyz only while it should get traffic
// (not draining, database reachable), so a load balancer takes it out of rotation otherwise.
import type { FastifyPluginAsync } from 'fastify';
import type { Sequelize } from 'sequelize';
import { pingDatabase } from '../db/database';

export const healthPlugin: FastifyPluginAsync<{ sequelize: Sequelize }> = async (app, opts) => {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (app.drain.draining) return reply.status(503).send({ status: 'draining' });
    const ok = await pingDatabase(opts.sequelize);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', database: ok ? 'up' : 'down' });
  });
};
