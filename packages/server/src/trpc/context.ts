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
  /** The configured PUBLIC_URL, or '' for relative links: the base of paginated lists' links (never the Host header). */
  linkBase: string;
  /** Counts one sign-in (or registration) attempt from this client IP; throws 429 past the per-IP limits. */
  limitAuthAttempt: (kind: AuthAttemptKind) => Promise<void>;
}

export type AuthAttemptKind = 'sign-in' | 'registration';

/** Per-IP limiter for sign-in and registration attempts (backed by @fastify/rate-limit in app.ts). */
export type AuthAttemptLimiter = (req: FastifyRequest, kind: AuthAttemptKind) => Promise<void>;

export function contextFactory(
  services: Services,
  transport: Context['transport'],
  limiter: AuthAttemptLimiter,
  linkBase: string,
) {
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
      linkBase,
      limitAuthAttempt: (kind) => limiter(req, kind),
    };
  };
}
