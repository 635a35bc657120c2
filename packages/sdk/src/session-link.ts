// The link that makes the client keep its own session: it stores the tokens sign-in procedures return, retries a
// call refused with 401 once after a (shared) refresh, fills in the refresh token auth.logout needs, and gives
// every server error its typed form (HoldfastError).
import type { Operation, TRPCClientError, TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import { isHoldfastError, isUnauthorized, toHoldfastError } from './errors';
import type { HoldfastRouter } from './router';
import type { SessionKeeper } from './session';

/** Procedures whose result is a fresh token pair. */
const SIGN_IN = new Set(['auth.login', 'auth.token', 'auth.refresh']);
/** Procedures that answer 401 for bad credentials rather than a stale access token: never refreshed and retried. */
const NO_RENEW = new Set([...SIGN_IN, 'auth.register']);
const LOGOUT = 'auth.logout';

interface LogoutInput {
  refresh?: string;
  all_devices?: boolean;
}

function tokensOf(data: unknown): { access: string; refresh: string } | null {
  if (typeof data !== 'object' || data === null) return null;
  const { access, refresh } = data as Record<string, unknown>;
  return typeof access === 'string' && typeof refresh === 'string' ? { access, refresh } : null;
}

export function sessionLink(keeper: SessionKeeper): TRPCLink<HoldfastRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        // auth.logout without a refresh token (or with the session's own) logs this session out. The token is read
        // at each attempt: after a refresh the old one is rotated out, and sending it again would count as reuse.
        const logout = op.path === LOGOUT ? ((op.input ?? {}) as LogoutInput) : undefined;
        const endsOwnSession =
          logout !== undefined && (logout.refresh === undefined || logout.refresh === keeper.current?.refresh);
        let subscription: Unsubscribable | undefined;
        let closed = false;

        const prepare = (): Operation => {
          if (!endsOwnSession || !keeper.current) return op;
          return { ...op, input: { ...logout, refresh: keeper.current.refresh } };
        };

        const fail = (err: TRPCClientError<HoldfastRouter>) => {
          const typed = toHoldfastError(err);
          // A logout refused for its refresh token (already blacklisted, expired, not this user's): the session is
          // unusable anyway. Other failures (network, BUSY) keep it, so the logout can be retried.
          if (endsOwnSession && isHoldfastError(typed) && typed.code === 'BAD_REQUEST' && keeper.current) {
            keeper.set(null);
          }
          observer.error(typed);
        };

        let retried = false;
        const attempt = () => {
          const sentAt = keeper.version;
          subscription = next(prepare()).subscribe({
            next(envelope) {
              const result = envelope.result;
              if ('data' in result) {
                // A live subscription outlives access tokens: once it delivers again, a later 401 (on a reconnect
                // after the token expired) may renew once more.
                if (op.type === 'subscription') retried = false;
                if (SIGN_IN.has(op.path)) {
                  const tokens = tokensOf(result.data);
                  if (tokens) keeper.set(tokens);
                } else if (endsOwnSession && keeper.current) {
                  keeper.set(null);
                }
              }
              observer.next(envelope);
            },
            error(err) {
              if (retried || NO_RENEW.has(op.path) || !isUnauthorized(err)) return fail(err);
              // 401 means the server refused before running the procedure, so even a mutation is safe to repeat.
              void keeper.renew(sentAt).then((renewed) => {
                if (closed) return;
                if (!renewed) return fail(err);
                retried = true;
                attempt();
              });
            },
            complete() {
              observer.complete();
            },
          });
        };

        attempt();
        return () => {
          closed = true;
          subscription?.unsubscribe();
        };
      });
}
