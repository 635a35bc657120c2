// Security headers (helmet) and CORS on every response. App-wide (fastify-plugin): a header missing from one route
// would be a hole, not a style choice.
import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { Config } from '../config';

export interface SecurityOptions {
  corsOrigins: Config['corsOrigins'];
}

export const securityPlugin = fp<SecurityOptions>(
  async (app, opts) => {
    // Built once: @fastify/helmet rebuilds the middleware (parsing the CSP) on every request, which was 8-10 % of
    // the CPU of every route under load.
    const securityHeaders = helmet({
      // The docs page loads its own scripts and styles from this origin only.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
        },
      },
    });
    app.addHook('onRequest', (request, reply, done) => {
      securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
    });
    await app.register(cors, {
      origin: opts.corsOrigins === '*' ? true : [...opts.corsOrigins],
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'trpc-accept'],
      exposedHeaders: ['Retry-After', 'X-Request-Id'],
    });
  },
  { name: 'security' },
);
