// createHoldfastClient: the typed tRPC client for the Holdfast API, with batching and session handling built in.
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type HTTPBatchLinkOptions,
  type Operation,
  type TRPCClient,
} from '@trpc/client';
import { EventSource, type FetchLike } from 'eventsource';
import type { HoldfastRouter } from './router';
import { SessionKeeper, type RefreshLock, type Session, type SessionStore } from './session';
import { sessionLink } from './session-link';

export type HoldfastClient = TRPCClient<HoldfastRouter>;

/** A `fetch` implementation: the global one by default (Node ≥ 20, browsers). */
export type HoldfastFetch = NonNullable<HTTPBatchLinkOptions<HoldfastRouter['_def']['_config']['$types']>['fetch']>;

export type HeadersOption = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

export interface HoldfastClientOptions {
  /**
   * The server's base URL, e.g. `https://holdfast.example.com`. Calls go to its tRPC endpoint `/trpc`; a URL that
   * already ends in `/trpc` is used as it is.
   */
  url: string;
  /** Tokens to start with, e.g. restored from storage. Without them the client starts signed out. */
  session?: Session | null;
  /**
   * Called whenever the tokens change: after auth.login / auth.token / auth.refresh (yours or an automatic one),
   * and with `null` after auth.logout or when the server refuses the refresh token. Persist the session here.
   */
  onSession?: (session: Session | null) => void;
  /** A custom `fetch`, e.g. to add tracing or to count requests in tests. */
  fetch?: HoldfastFetch;
  /** Extra headers for every request; `Authorization` is the client's own while it holds a session. */
  headers?: HeadersOption;
  /**
   * A session shared with other clients (browser tabs: e.g. localStorage). Changes are saved there, and before
   * refreshing the client re-reads it to adopt a session another client already refreshed. Pass its current value as
   * `session` too.
   */
  sessionStore?: SessionStore;
  /**
   * Mutual exclusion of refreshes across clients; default: the Web Locks API (`navigator.locks`) when present, so
   * tabs of one origin take turns. Without one, the server's reuse grace window keeps concurrent refreshes safe.
   */
  refreshLock?: RefreshLock;
}

/**
 * Per-call options: `client.admin.reservations.cancel.mutate(input, { context: { idempotencyKey } })` sends that
 * key as the `Idempotency-Key` header, so a repeated call (a retry after a network failure) is applied once.
 */
export interface HoldfastCallContext {
  idempotencyKey?: string;
}

function idempotencyKeyOf(op: Operation): string | undefined {
  const key = (op.context as HoldfastCallContext).idempotencyKey;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

export function trpcEndpoint(url: string): string {
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/trpc') ? base : `${base}/trpc`;
}

async function resolveHeaders(headers: HeadersOption | undefined): Promise<Record<string, string>> {
  const given = typeof headers === 'function' ? await headers() : (headers ?? {});
  // Lower-cased so a caller's `Authorization` cannot end up next to ours as a second value.
  return Object.fromEntries(Object.entries(given).map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * Creates a typed client: `client.events.list.query()`, `client.reservations.createHold.mutate({ event_id })`.
 *
 * Session handling:
 * - the tokens returned by `auth.login`, `auth.token` and `auth.refresh` are kept and sent as `Authorization: Bearer`;
 * - a call refused with 401 (expired access token) triggers one refresh, shared by every call that failed meanwhile,
 *   and is retried once with the new token; if the server refuses the refresh token the session ends (`null`);
 * - `auth.logout()` sends the session's refresh token when the input leaves it out, and ends the session when the
 *   server confirms (or when it rejects that refresh token as already invalid).
 */
export function createHoldfastClient(options: HoldfastClientOptions): HoldfastClient {
  const url = trpcEndpoint(options.url);
  const fetch = options.fetch;

  // A bare client for refreshing: no session link, so a refresh never waits on (or retries through) itself.
  const refresher = createTRPCClient<HoldfastRouter>({
    links: [httpLink({ url, ...(fetch ? { fetch } : {}), headers: () => resolveHeaders(options.headers) })],
  });
  const keeper = new SessionKeeper(
    options.session ?? null,
    options.onSession,
    (refresh) => refresher.auth.refresh.mutate({ refresh }),
    {
      ...(options.sessionStore ? { store: options.sessionStore } : {}),
      ...(options.refreshLock ? { lock: options.refreshLock } : {}),
    },
  );

  const requestHeaders = async (): Promise<Record<string, string>> => {
    const headers = await resolveHeaders(options.headers);
    const session = keeper.current;
    if (session) headers.authorization = `Bearer ${session.access}`;
    return headers;
  };

  // Subscriptions run over server-sent events. The browser's EventSource cannot send an Authorization header, and
  // a token must never go into a URL, so the `eventsource` ponyfill (fetch-based, browsers and Node) carries it;
  // the header is read at every (re)connection, so a reconnect after a refresh uses the new token.
  const sseFetch: FetchLike = async (input, init) => {
    const headers = { ...init.headers, ...(await requestHeaders()) };
    // A custom fetch is typed for tRPC's needs (ResponseEsque); a real one (all that is useful here) returns a Response.
    return (await (fetch ?? globalThis.fetch)(input, { ...init, headers })) as Response;
  };

  return createTRPCClient<HoldfastRouter>({
    links: [
      sessionLink(keeper),
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: () => ({ fetch: sseFetch }),
        }),
        // A call with its own idempotency key travels alone: a batch has one set of headers.
        false: splitLink({
          condition: (op) => idempotencyKeyOf(op) !== undefined,
          true: httpLink({
            url,
            ...(fetch ? { fetch } : {}),
            async headers({ op }) {
              return { ...(await requestHeaders()), 'idempotency-key': idempotencyKeyOf(op)! };
            },
          }),
          false: httpBatchLink({ url, ...(fetch ? { fetch } : {}), headers: requestHeaders }),
        }),
      }),
    ],
  });
}
