// Per-request context, built the same way for both transports. It only extracts what the request carries;
// verifying the token and loading the user happen in authedProcedure, so public procedures pay nothing.
//
// Context is part of AppRouter's type, which the SDK publishes: it names only light types. The services are an
// interface that services.ts fills in (declaration merging), so this module never names the service classes, whose
// signatures reach Sequelize and zod. FastifyRequest appears only in contextFactory and the limiter, which the
// router's type does not reference (the SDK's declaration bundle drops them).
import type { FastifyRequest } from 'fastify';
import type { AccessSession, AuthUser } from '../modules/auth/auth-user';

export type { AuthUser };

/**
 * What procedures reach through `ctx.services`: the members of Services (services.ts adds them by merging into
 * this interface). Empty here on purpose, so the published router type does not drag the service layer along.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ContextServices {}

export interface Context {
  services: ContextServices;
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

/** Per-IP limiter for sign-in and registration attempts (backed by @fastify/rate-limit in plugins/rate-limits.ts). */
export type AuthAttemptLimiter = (req: FastifyRequest, kind: AuthAttemptKind) => Promise<void>;

export function contextFactory(
  services: ContextServices,
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
