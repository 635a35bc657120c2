// Per-request context, built the same way for both transports. It only extracts what the request carries;
// verifying the token and loading the user happen in authedProcedure, so public procedures pay nothing.
import type { FastifyRequest } from 'fastify';
import type { Services } from '../services';

import type { AuthUser } from '../modules/auth/auth-user';
import type { AccessSession } from '../modules/auth/auth.service';

export type { AuthUser };

export interface Context {
  services: Services;
  transport: 'trpc' | 'rest';
  /** The raw `Authorization` header value, if any. */
  authorization: string | undefined;
  user: AuthUser | null;
  /** The access token the request was authenticated with (set with user by authedProcedure). */
  session: AccessSession | null;
  ip: string;
  requestId: string;
  /** From the `Idempotency-Key` header (REST; tRPC may pass it as an input field instead). */
  idempotencyKey: string | undefined;
  /** scheme://host of this request, for the absolute links of paginated lists. */
  origin: string;
  /** Counts one sign-in (or registration) attempt from this client IP; throws 429 past the per-IP limits. */
  limitAuthAttempt: (kind: AuthAttemptKind) => Promise<void>;
}

export type AuthAttemptKind = 'sign-in' | 'registration';

/** Per-IP limiter for sign-in and registration attempts (backed by @fastify/rate-limit in app.ts). */
export type AuthAttemptLimiter = (req: FastifyRequest, kind: AuthAttemptKind) => Promise<void>;

/** scheme://host of a request: the base of the absolute links in paginated lists (both transports, the fast path). */
export function requestOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export function contextFactory(services: Services, transport: Context['transport'], limiter: AuthAttemptLimiter) {
  return ({ req }: { req: FastifyRequest }): Context => {
    const key = req.headers['idempotency-key'];
    return {
      services,
      transport,
      authorization: req.headers.authorization,
      user: null,
      session: null,
      ip: req.ip,
      requestId: String(req.id),
      idempotencyKey: typeof key === 'string' && key.length > 0 ? key : undefined,
      origin: requestOrigin(req),
      limitAuthAttempt: (kind) => limiter(req, kind),
    };
  };
}
