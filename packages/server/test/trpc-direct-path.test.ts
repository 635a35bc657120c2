// The tRPC transport answers single queries and mutations itself (transports/trpc-handler.ts) and hands the rest to
// tRPC's fastifyRequestHandler. Both must answer every request byte for byte as @trpc/server's own fastifyTRPCPlugin
// does: one Fastify app serves the same router both ways (/direct and /ref) and each case is sent to both.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { AppError } from '../src/errors';
import { responseMetaFor } from '../src/transports/response-meta';
import { appRouter, type AppRouter } from '../src/router';
import { trpcRoutes, type TrpcRoutesOptions } from '../src/transports/trpc-handler';
import { contextFactory, type AuthAttemptLimiter } from '../src/trpc/context';
import { createEvent, createHarness, createUser, trpc, type Harness, type TestUser } from './support/harness';

let h: Harness;
let pair: FastifyInstance;
let alice: TestUser;
const errorsSeen: Record<'direct' | 'ref', unknown[]> = { direct: [], ref: [] };

/** Registrations are always throttled here: a 429 with Retry-After, raised inside the procedure chain. */
const limiter: AuthAttemptLimiter = async (_req, kind) => {
  if (kind === 'registration') {
    throw new AppError('TOO_MANY_REQUESTS', 'Request was throttled. Expected available in 7 seconds.', {
      retryAfter: 7,
    });
  }
};

function optionsFor(side: 'direct' | 'ref'): TrpcRoutesOptions<AppRouter>['trpcOptions'] {
  return {
    router: appRouter,
    createContext: contextFactory(h.rt.services, 'trpc', limiter, ''),
    responseMeta: responseMetaFor(appRouter, { transport: 'trpc' }),
    onError: ({ error, path, type, input }) => {
      errorsSeen[side].push({ code: error.code, message: error.message, path, type, input });
    },
  };
}

beforeAll(async () => {
  h = await createHarness();
  alice = await createUser(h);
  pair = Fastify({ genReqId: () => 'fixed-request-id' });
  await pair.register(trpcRoutes<AppRouter>, { prefix: '/direct', trpcOptions: optionsFor('direct') });
  await pair.register(fastifyTRPCPlugin, { prefix: '/ref', trpcOptions: optionsFor('ref') });
  await pair.ready();
});
afterAll(async () => {
  await pair.close();
  await h.close();
});

/** Framing differs (the reference streams its body, chunked; the direct path knows its length); nothing else may. */
const FRAMING = new Set(['date', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

async function both(req: { method: InjectOptions['method']; url: string } & Omit<InjectOptions, 'method' | 'url'>) {
  const answer = async (side: 'direct' | 'ref') => {
    errorsSeen[side] = [];
    const res = await pair.inject({ ...req, url: `/${side}/${req.url}` });
    const headers = Object.fromEntries(Object.entries(res.headers).filter(([k]) => !FRAMING.has(k)));
    return { status: res.statusCode, headers, body: res.body, onError: errorsSeen[side] };
  };
  const direct = await answer('direct');
  return { direct, ref: await answer('ref') };
}

const auth = () => ({ authorization: `Bearer ${alice.access}` });
const json = { 'content-type': 'application/json' };

describe('the direct tRPC path answers as @trpc/server does', () => {
  it('a query over GET: success, no input, bad input, malformed JSON, unauthenticated', async () => {
    const event = await createEvent(h);
    const input = (v: unknown) => `?input=${encodeURIComponent(JSON.stringify(v))}`;
    const cases = [
      `events.byId${input({ id: event.id })}`,
      'reservations.list',
      `reservations.list${input({})}`,
      `events.byId${input({ id: 'x' })}`,
      `events.byId${input({ id: event.id, extra: { toString: 1 } })}`,
      'events.byId?input=%7Bnot-json',
      'events.byId?input=',
      'events.byId',
    ];
    for (const url of cases) {
      const { direct, ref } = await both({ method: 'GET', url, headers: auth() });
      expect({ url, ...direct }).toEqual({ url, ...ref });
    }
    const anonymous = await both({ method: 'GET', url: `events.byId${input({ id: event.id })}` });
    expect(anonymous.direct.status).toBe(401);
    expect(anonymous.direct).toEqual(anonymous.ref);
  });

  it('a mutation over POST: success (replayed by its idempotency key), domain error, validation, bad JSON, empty body', async () => {
    const event = await createEvent(h, { capacity: 3 });
    const bodies = [
      JSON.stringify({ event_id: event.id, quantity: 1, idempotency_key: `direct-${event.id}` }),
      JSON.stringify({ event_id: event.id, quantity: 9 }),
      JSON.stringify({ event_id: event.id, quantity: 0 }),
      JSON.stringify({ event_id: String(event.id) }),
      '{"event_id":',
      'null',
      '',
    ];
    for (const payload of bodies) {
      const first = await both({
        method: 'POST',
        url: 'reservations.createHold',
        headers: { ...auth(), ...json },
        payload,
      });
      expect({ payload, ...first.direct }).toEqual({ payload, ...first.ref });
    }
    const charset = await both({
      method: 'POST',
      url: 'reservations.createHold',
      headers: { ...auth(), 'content-type': 'Application/JSON; charset=utf-8' },
      payload: JSON.stringify({ event_id: event.id, quantity: 1, idempotency_key: `direct-${event.id}` }),
    });
    expect(charset.direct.status).toBe(200);
    expect(charset.direct).toEqual(charset.ref);
  });

  it('a 429 from inside the chain keeps its Retry-After (responseMeta headers)', async () => {
    const { direct, ref } = await both({
      method: 'POST',
      url: 'auth.register',
      headers: json,
      payload: JSON.stringify({ username: 'someone', email: 'someone@example.com', password: 'Str0ngPassw0rd!' }),
    });
    expect(direct.status).toBe(429);
    expect(direct.headers['retry-after']).toBe('7');
    expect(direct).toEqual(ref);
  });

  it('a batch of one call (httpBatchLink): query and mutation, success and errors, inputs not keyed "0"', async () => {
    const event = await createEvent(h, { capacity: 2 });
    const q = (v: unknown) => `&input=${encodeURIComponent(JSON.stringify(v))}`;
    const gets = [
      `events.byId?batch=1${q({ 0: { id: event.id } })}`,
      `events.byId?batch=1${q({ 0: { id: 'x' } })}`,
      `events.byId?batch=1${q([{ id: event.id }])}`,
      `events.byId?batch=1${q({ 1: { id: event.id } })}`,
      'events.byId?batch=1&input=%7B',
      'reservations.list?batch=1',
      `events.byId?input=${encodeURIComponent(JSON.stringify({ 0: { id: event.id } }))}&batch=1`,
      `events.byId?batch=2${q({ 0: { id: event.id } })}`,
      `events.byId?batch=1&connectionParams=%7B%7D${q({ 0: { id: event.id } })}`,
    ];
    for (const url of gets) {
      const { direct, ref } = await both({ method: 'GET', url, headers: auth() });
      expect({ url, ...direct }).toEqual({ url, ...ref });
    }
    const posts = [
      JSON.stringify({ 0: { event_id: event.id, quantity: 1, idempotency_key: `batch-${event.id}` } }),
      JSON.stringify({ 0: { event_id: event.id, quantity: 5 } }),
      JSON.stringify({ event_id: event.id }),
      'null',
      '',
    ];
    for (const payload of posts) {
      const { direct, ref } = await both({
        method: 'POST',
        url: 'reservations.createHold?batch=1',
        headers: { ...auth(), ...json },
        payload,
      });
      expect({ payload, ...direct }).toEqual({ payload, ...ref });
    }
  });

  it('what it hands to tRPC: wrong methods, unknown paths, batches, streaming, HEAD, other content types', async () => {
    const event = await createEvent(h);
    const cases: ({ method: InjectOptions['method']; url: string } & Omit<InjectOptions, 'method' | 'url'>)[] = [
      { method: 'GET', url: 'reservations.createHold', headers: auth() },
      {
        method: 'POST',
        url: 'events.byId',
        headers: { ...auth(), ...json },
        payload: JSON.stringify({ id: event.id }),
      },
      { method: 'GET', url: 'no.such.procedure', headers: auth() },
      { method: 'POST', url: 'no.such.procedure', headers: json, payload: '{}' },
      {
        method: 'GET',
        url: `events.byId,reservations.list?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { id: event.id } }))}`,
        headers: auth(),
      },
      {
        method: 'POST',
        url: 'reservations.createHold?batch=1',
        headers: { ...auth(), ...json },
        payload: JSON.stringify({ 0: { event_id: event.id, quantity: 99 } }),
      },
      {
        method: 'GET',
        url: `events.byId?input=${encodeURIComponent(JSON.stringify({ id: event.id }))}`,
        headers: { ...auth(), 'trpc-accept': 'application/jsonl' },
      },
      { method: 'HEAD', url: 'events.byId', headers: auth() },
      {
        method: 'POST',
        url: 'reservations.createHold',
        headers: { ...auth(), 'content-type': 'application/octet-stream' },
        payload: 'x',
      },
      { method: 'GET', url: 'events%2EbyId', headers: auth() },
    ];
    for (const req of cases) {
      const { direct, ref } = await both(req);
      expect({ req: `${req.method} ${req.url}`, ...direct }).toEqual({ req: `${req.method} ${req.url}`, ...ref });
    }
  });
});

describe('the direct path in the app', () => {
  it('answers a single mutation and a batch of one without building a Fetch Request (a batch of two: tRPC)', async () => {
    const event = await createEvent(h);
    const RealRequest = globalThis.Request;
    let built = 0;
    globalThis.Request = new Proxy(RealRequest, {
      construct(target, args: ConstructorParameters<typeof Request>) {
        built++;
        return new target(...args);
      },
    });
    try {
      const held = await trpc(h, 'mutation', 'reservations.createHold', { event_id: event.id }, alice.access);
      expect(held.status).toBe(200);
      expect(built).toBe(0);
      const one = await h.app.inject({
        method: 'GET',
        url: `/trpc/events.byId?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { id: event.id } }))}`,
        headers: auth(),
      });
      expect(one.statusCode).toBe(200);
      expect(built).toBe(0);
      const batch = await h.app.inject({
        method: 'GET',
        url: `/trpc/events.byId,events.byId?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { id: event.id }, 1: { id: event.id } }))}`,
        headers: auth(),
      });
      expect(batch.statusCode).toBe(200);
      expect(built).toBeGreaterThan(0);
    } finally {
      globalThis.Request = RealRequest;
    }
  });
});
