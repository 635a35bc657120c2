// Builds the real app in-process against the run's test database (made by the global setup), with small factories
// for the rows a test needs. Every test makes its own users and events (unique names), so files can run in parallel.
// The factories take anything with a runtime (`{ rt }`), so suites that start no HTTP app (the worker) use them too.
// @holdfast/server is the server's source in every suite (jest.base.js maps it), so this shares module instances
// with the server's own tests.
import { randomBytes } from 'node:crypto';
import {
  buildApp,
  loadConfig,
  startRuntime,
  type Config,
  type EventDto,
  type ReservationDto,
  type Runtime,
  type ServiceOverrides,
} from '@holdfast/server';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { QueryTypes } from 'sequelize';

export const PASSWORD = 'Str0ngPassw0rd!';
/** The client address of sign-ins made in-process by tests (the login throttle counts per account and address). */
export const IN_PROCESS = 'in-process';
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/** What the factories need: a runtime on the test database. */
export interface WithRuntime {
  rt: Runtime;
}

export interface Harness extends WithRuntime {
  app: FastifyInstance;
  config: Config;
  close(): Promise<void>;
}

export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (global setup).');
  return {
    NODE_ENV: 'test',
    DATABASE_URL: url,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    // Small pools: two test files run at once, some with three app instances, on a server that may allow only
    // 100 connections (PostgreSQL's default).
    DATABASE_POOL_MAX: '8',
    ...extra,
  };
}

export async function createHarness(
  env: Record<string, string> = {},
  opts: { overrides?: ServiceOverrides; logger?: Parameters<typeof buildApp>[1] } = {},
): Promise<Harness> {
  const config = loadConfig(testEnv(env));
  const rt = await openTestRuntime(config, opts.overrides);
  const app = await buildApp(rt, opts.logger ?? {});
  await app.ready();
  return {
    app,
    rt,
    config,
    async close() {
      await app.close();
      await rt.close();
    },
  };
}

/** A runtime on an already migrated database, silent. */
export function openTestRuntime(config: Config, overrides?: ServiceOverrides): Promise<Runtime> {
  return startRuntime(config, {
    log: { info: () => undefined, warn: () => undefined },
    migrate: false,
    ...(overrides ? { overrides } : {}),
  });
}

export function unique(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export interface TestUser {
  id: number;
  username: string;
  email: string;
  access: string;
  refresh: string;
}

/** An account as the services' callers see it (AuthUser): id, names and role, no tokens. */
export interface TestAccount {
  id: number;
  username: string;
  email: string;
  isSuperuser: boolean;
}

/** A user created through the service, not signed in (the worker needs no tokens). Password: PASSWORD. */
export async function createAccount(
  h: WithRuntime,
  opts: { admin?: boolean; username?: string } = {},
): Promise<TestAccount> {
  const username = opts.username ?? unique(opts.admin ? 'admin' : 'user');
  const email = `${username}@example.com`;
  const isSuperuser = !!opts.admin;
  const user = await h.rt.services.auth.createUser({ username, email, password: PASSWORD, isSuperuser });
  return { id: user.id, username, email, isSuperuser };
}

/** A user created through the service and signed in (tokens recorded like a real login). */
export async function createUser(h: WithRuntime, opts: { admin?: boolean; username?: string } = {}): Promise<TestUser> {
  const { id, username, email } = await createAccount(h, opts);
  const tokens = await h.rt.services.auth.obtainToken({ username, password: PASSWORD }, IN_PROCESS);
  return { id, username, email, ...tokens };
}

export async function createEvent(
  h: WithRuntime,
  fields: Partial<{ name: string; capacity: number; start_time: string; end_time: string; is_active: boolean }> = {},
): Promise<EventDto> {
  const start = new Date(Date.now() + 24 * 3600_000);
  return h.rt.services.events.create({
    name: fields.name ?? unique('Event '),
    capacity: fields.capacity ?? 10,
    start_time: new Date(fields.start_time ?? start.toISOString()),
    end_time: new Date(fields.end_time ?? new Date(start.getTime() + 3 * 3600_000).toISOString()),
    ...(fields.is_active !== undefined ? { is_active: fields.is_active } : {}),
  });
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** A REST call through app.inject. */
export async function rest<T = any>(
  h: Harness,
  method: InjectOptions['method'],
  url: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const res = await h.app.inject({
    method,
    url,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined && typeof opts.body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    ...(opts.body !== undefined
      ? { payload: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }
      : {}),
  });
  let body: unknown = res.body;
  try {
    body = res.json();
  } catch {
    // not JSON
  }
  return { status: res.statusCode, body: body as T, headers: res.headers };
}

export interface TrpcReply<T = any> {
  status: number;
  data?: T;
  error?: {
    message: string;
    code: number;
    data: {
      code: string;
      httpStatus: number;
      appCode: string;
      fieldErrors?: Record<string, string[]>;
      retryAfter?: number;
    };
  };
}

/** A tRPC call over HTTP (non-batched), as @trpc/client's httpLink sends it. */
export async function trpc<T = any>(
  h: Harness,
  kind: 'query' | 'mutation',
  path: string,
  input?: unknown,
  token?: string,
): Promise<TrpcReply<T>> {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const res =
    kind === 'query'
      ? await h.app.inject({
          method: 'GET',
          url: `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
          headers,
        })
      : await h.app.inject({
          method: 'POST',
          url: `/trpc/${path}`,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: JSON.stringify(input ?? null),
        });
  const body = res.json() as { result?: { data: T }; error?: TrpcReply['error'] };
  return {
    status: res.statusCode,
    ...(body.result ? { data: body.result.data } : {}),
    ...(body.error ? { error: body.error } : {}),
  };
}

/** Moves a reservation's expiry into the past, as if the clock had advanced past it. */
export async function expireNow(h: WithRuntime, reservationId: number, secondsAgo = 1): Promise<void> {
  await h.rt.sequelize.query(`UPDATE reservations SET expires_at = now() - make_interval(secs => :s) WHERE id = :id`, {
    replacements: { id: reservationId, s: secondsAgo },
  });
}

/** The event's counters next to a recount of its reservations. */
export async function ledger(h: WithRuntime, eventId: number) {
  const [row] = await h.rt.sequelize.query<{
    capacity: number;
    held: number;
    confirmed: number;
    recount_held: number;
    recount_confirmed: number;
    live_held: number;
  }>(
    `SELECT e.capacity, e.held, e.confirmed,
       COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'HOLD'), 0)::int AS recount_held,
       COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'CONFIRMED'), 0)::int AS recount_confirmed,
       COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'HOLD' AND r.expires_at > now()), 0)::int AS live_held
     FROM events e LEFT JOIN reservations r ON r.event_id = e.id WHERE e.id = :eventId GROUP BY e.id`,
    { type: QueryTypes.SELECT, replacements: { eventId } },
  );
  if (!row) throw new Error(`no event ${eventId}`);
  return row;
}

export type { ReservationDto, EventDto };
