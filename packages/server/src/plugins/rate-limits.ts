// Per-client-IP limits on sign-in and registration attempts (@fastify/rate-limit's store, used on demand, not as a
// global hook). The procedures call the limiter through their context, so it is decorated on the app for both
// transports to hand to their context factory.
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { AuthAttemptLimiter } from '../trpc/context';

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts one sign-in or registration attempt of a request's client IP; throws 429 past the limits. */
    authAttemptLimiter: AuthAttemptLimiter;
  }
}

export interface RateLimitOptions {
  loginIpMaxPerMinute: Config['loginIpMaxPerMinute'];
  registrationsPerIpPerHour: Config['registrationsPerIpPerHour'];
}

export const rateLimitsPlugin = fp<RateLimitOptions>(
  async (app, opts) => {
    await app.register(rateLimit, { global: false });
    const checkAttempt = app.createRateLimit({
      max: opts.loginIpMaxPerMinute,
      timeWindow: 60_000,
      keyGenerator: (req) => `auth:${req.ip}`,
    });
    // Accounts are free to create, and each may hold seats: new accounts per client IP are limited on their own.
    const checkRegistration = app.createRateLimit({
      max: opts.registrationsPerIpPerHour,
      timeWindow: 3_600_000,
      keyGenerator: (req) => `register:${req.ip}`,
    });
    const limiter: AuthAttemptLimiter = async (req, kind) => {
      for (const check of kind === 'registration' ? [checkAttempt, checkRegistration] : [checkAttempt]) {
        const verdict = await check(req);
        if (!verdict.isAllowed && verdict.isExceeded) {
          const retryAfter = Math.max(verdict.ttlInSeconds, 1);
          throw new AppError(
            'TOO_MANY_REQUESTS',
            `Request was throttled. Expected available in ${retryAfter} seconds.`,
            {
              retryAfter,
            },
          );
        }
      }
    };
    app.decorate('authAttemptLimiter', limiter);
  },
  { name: 'rate-limits' },
);
