// The served OpenAPI document: a valid OpenAPI 3.1 document (checked by an independent validator), with the
// bearer scheme and tags, and describing exactly the REST routes the server answers — no more, no fewer. Every
// documented operation is called for real (with fixtures it can succeed on), with and without the trailing slash,
// and every method the document does not list on a documented path must miss the router.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compileErrors, validate } from '@readme/openapi-parser';
import { restRoutes } from '../src/openapi';
import {
  PASSWORD,
  createEvent,
  createHarness,
  createUser,
  rest,
  unique,
  type Harness,
  type TestUser,
} from './support/harness';

type Json = Record<string, any>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

let h: Harness;
let admin: TestUser;
let alice: TestUser;
let doc: Json;
let base: string;

beforeAll(async () => {
  h = await createHarness();
  [admin, alice] = await Promise.all([createUser(h, { admin: true }), createUser(h)]);
  const res = await rest(h, 'GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  doc = res.body as Json;
  base = (doc.servers?.[0]?.url as string | undefined) ?? '';
});
afterAll(() => h.close());

/** Every operation of the document as "METHOD /path/". */
function documentedOperations(): { key: string; method: Method; path: string; op: Json }[] {
  const ops: { key: string; method: Method; path: string; op: Json }[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of METHODS) {
      const op = (item as Json)[method.toLowerCase()] as Json | undefined;
      if (op) ops.push({ key: `${method} ${path}`, method, path, op });
    }
  }
  return ops;
}

const PUBLIC_ROUTES = ['POST /auth/users/register/', 'POST /auth/users/login/', 'POST /token/', 'POST /token/refresh/'];

/**
 * Known server defects in the document (reported to the lead), asserted EXACTLY so that any new discrepancy fails
 * and so does a fix (then empty the list). The server change for each is described next to it.
 */
// Where the document and the server were known to differ. All fixed; an entry here makes its test expect it.
const KNOWN_DISCREPANCIES: { security: string[]; unreferencedSchemas: string[]; errorBodies: string[] } = {
  security: [],
  unreferencedSchemas: [],
  errorBodies: [],
};

describe('the document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);
    if (!result.valid) throw new Error(`invalid OpenAPI document:\n${compileErrors(result)}`);
    expect(result.specification).toBe('OpenAPI');
    expect(result.valid).toBe(true);
  });

  it('negative control: the validator rejects broken copies of it', async () => {
    const noDescription = structuredClone(doc);
    // A response object must have a description (3.1 schema).
    noDescription.paths['/events/'].get.responses['200'] = { content: {} };
    expect((await validate(noDescription as never)).valid).toBe(false);

    const danglingRef = structuredClone(doc);
    danglingRef.paths['/events/'].get.responses['200'].content['application/json'].schema = {
      $ref: '#/components/schemas/NoSuchSchema',
    };
    expect((await validate(danglingRef as never)).valid).toBe(false);

    const undeclaredParam = structuredClone(doc);
    // A templated path whose operation does not declare the path parameter.
    undeclaredParam.paths['/events/{id}/'].get.parameters = [];
    expect((await validate(undeclaredParam as never)).valid).toBe(false);
  });

  it('declares the bearer JWT scheme and requires it on every route the server guards', async () => {
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
    const declared = new Set(Object.keys(doc.components.securitySchemes));
    for (const { key, op } of documentedOperations()) {
      for (const requirement of (op.security ?? []) as Json[]) {
        for (const scheme of Object.keys(requirement)) expect([key, declared.has(scheme)]).toEqual([key, true]);
      }
    }
    // What the server guards: a call without a token answers 401 "credentials not provided".
    const guarded = restRoutes().filter((r) => r.meta.openapi?.protect);
    expect(guarded.length).toBeGreaterThanOrEqual(13);
    for (const route of guarded) {
      const res = await rest(h, route.method as Method, `${base}${fill(route.path, 1)}`, { body: {} });
      const key = `${route.method} ${route.path}`;
      expect([key, res.status, res.body]).toEqual([
        key,
        401,
        { detail: 'Authentication credentials were not provided.' },
      ]);
      const op = doc.paths[route.path][route.method.toLowerCase()];
      expect([key, op.security]).toEqual([key, [{ bearerAuth: [] }]]);
    }
  });

  it('documents a security requirement exactly on the routes the server guards', async () => {
    // Mismatches between the document and the server, both ways: documented as needing a token but open, or
    // guarded but documented as open.
    const mismatches: string[] = [];
    for (const { key, method, path, op } of documentedOperations()) {
      const res = await rest(h, method, `${base}${fill(path, 1)}`, { body: {} });
      const guarded = res.status === 401;
      const documented = ((op.security ?? []) as Json[]).length > 0;
      if (guarded !== documented)
        mismatches.push(
          `${key}: server ${guarded ? 'guards' : 'is open'}, document ${documented ? 'requires bearerAuth' : 'requires nothing'}`,
        );
    }
    expect(mismatches).toEqual(KNOWN_DISCREPANCIES.security);
  });

  it('defines only component schemas that something references', () => {
    const text = JSON.stringify({ paths: doc.paths, components: doc.components });
    const unreferenced = Object.keys(doc.components.schemas)
      .filter((name) => !text.includes(`"#/components/schemas/${name}"`))
      .sort();
    expect(unreferenced).toEqual(KNOWN_DISCREPANCIES.unreferencedSchemas);
  });

  it('tags every operation with one declared tag matching its resource, and uses every tag', () => {
    expect(doc.tags).toEqual([{ name: 'auth' }, { name: 'events' }, { name: 'reservations' }, { name: 'admin' }]);
    const expectedTag = (path: string) =>
      path.startsWith('/auth/') || path.startsWith('/token/') ? 'auth' : path.split('/')[1];
    const used = new Set<string>();
    for (const { key, path, op } of documentedOperations()) {
      expect([key, op.tags]).toEqual([key, [expectedTag(path)]]);
      used.add(op.tags[0]);
      expect([key, typeof op.summary === 'string' && op.summary.length > 0]).toEqual([key, true]);
      expect([key, typeof op.operationId]).toEqual([key, 'string']);
    }
    expect([...used].sort()).toEqual(['admin', 'auth', 'events', 'reservations']);
  });

  it('documents the success status and a JSON body for every operation, with the error bodies of the REST layer', () => {
    for (const { key, op } of documentedOperations()) {
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith('2'));
      expect([key, success.length]).toEqual([key, 1]);
      expect([key, op.responses[success[0]!].content?.['application/json']?.schema]).not.toEqual([key, undefined]);
      expect([key, statuses.includes('400')]).toEqual([key, true]);
      if (op.security?.length) expect([key, statuses.includes('401')]).toEqual([key, true]);
    }
    expect(doc.paths['/reservations/create_hold/'].post.responses['201']).toBeDefined();
    expect(doc.paths['/events/'].post.responses['201']).toBeDefined();
    expect(doc.paths['/auth/users/register/'].post.responses['201']).toBeDefined();
  });
});

/** The alternatives a response schema allows, with $ref resolved and oneOf/anyOf flattened. */
function alternatives(schema: Json): Json[] {
  if (schema.$ref) {
    const name = String(schema.$ref).replace('#/components/schemas/', '');
    return alternatives(doc.components.schemas[name] as Json);
  }
  const options = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  return options ? options.flatMap(alternatives) : [schema];
}

/** A shallow structural check of a JSON body against one object schema: required keys, closed objects, types. */
function satisfies(body: unknown, schema: Json): boolean {
  if (schema.type !== 'object' || typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const record = body as Json;
  const properties = (schema.properties ?? {}) as Json;
  if (!((schema.required ?? []) as string[]).every((k) => k in record)) return false;
  for (const [key, value] of Object.entries(record)) {
    const property = properties[key] as Json | undefined;
    if (property) {
      if (property.type === 'string' && typeof value !== 'string') return false;
    } else if (schema.additionalProperties === false) {
      return false;
    } else if (typeof schema.additionalProperties === 'object') {
      if (schema.additionalProperties.type === 'array' && !Array.isArray(value)) return false;
    }
  }
  return true;
}

/** A documented path with its {id} filled in. */
function fill(path: string, id: number | string): string {
  return path.replace(/\{id\}/g, String(id));
}

/** A fresh request that the route's procedure can succeed on (fixtures are made per call: some calls consume them). */
type Probe = () => Promise<{ id?: number; token?: string; body?: unknown }>;

const futureEvent = () => {
  const start = new Date(Date.now() + 48 * 3600_000);
  return {
    name: unique('Probe '),
    capacity: 50,
    start_time: start.toISOString(),
    end_time: new Date(start.getTime() + 3600_000).toISOString(),
  };
};

async function freshHold(user: TestUser): Promise<number> {
  return freshHoldOn(user, (await createEvent(h, { capacity: 50 })).id);
}

async function freshHoldOn(user: TestUser, eventId: number): Promise<number> {
  const owner = { id: user.id, username: user.username, email: user.email, isSuperuser: false };
  const r = await h.rt.services.reservations.createHold(owner, { event_id: eventId, quantity: 1 });
  return r.id;
}

const PROBES: Record<string, Probe> = {
  'POST /auth/users/register/': async () => {
    const username = unique('probe');
    return { body: { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD } };
  },
  'POST /auth/users/login/': async () => ({ body: { username: alice.username, password: PASSWORD } }),
  'POST /token/': async () => ({ body: { username: alice.username, password: PASSWORD } }),
  'POST /token/refresh/': async () => {
    const { refresh } = await h.rt.services.auth.obtainToken({ username: alice.username, password: PASSWORD });
    return { body: { refresh } };
  },
  'POST /auth/users/logout/': async () => {
    const { refresh } = await h.rt.services.auth.obtainToken({ username: alice.username, password: PASSWORD });
    return { token: alice.access, body: { refresh } };
  },
  'GET /auth/users/me/': async () => ({ token: alice.access }),
  'GET /events/': async () => ({ token: alice.access }),
  'POST /events/': async () => ({ token: admin.access, body: futureEvent() }),
  'GET /events/{id}/': async () => ({ token: alice.access, id: (await createEvent(h)).id }),
  'PUT /events/{id}/': async () => ({ token: admin.access, id: (await createEvent(h)).id, body: futureEvent() }),
  'PATCH /events/{id}/': async () => ({ token: admin.access, id: (await createEvent(h)).id, body: { capacity: 7 } }),
  'DELETE /events/{id}/': async () => ({ token: admin.access, id: (await createEvent(h)).id }),
  'GET /reservations/': async () => ({ token: alice.access }),
  'GET /reservations/{id}/': async () => ({ token: alice.access, id: await freshHold(alice) }),
  'POST /reservations/create_hold/': async () => ({
    token: alice.access,
    body: { event_id: (await createEvent(h)).id, quantity: 2 },
  }),
  'POST /reservations/confirm/': async () => ({
    token: alice.access,
    body: { reservation_id: await freshHold(alice) },
  }),
  'POST /reservations/{id}/cancel/': async () => ({ token: alice.access, id: await freshHold(alice) }),
  'GET /admin/reservations/': async () => ({ token: admin.access }),
  'GET /admin/reservations/{id}/': async () => ({ token: admin.access, id: await freshHold(alice) }),
  'POST /admin/reservations/{id}/cancel/': async () => ({
    token: admin.access,
    id: await freshHold(alice),
    body: { reason: 'probe' },
  }),
  'POST /admin/reservations/{id}/extend/': async () => ({
    token: admin.access,
    id: await freshHold(alice),
    body: { minutes: 5 },
  }),
  'POST /admin/reservations/{id}/expire/': async () => ({ token: admin.access, id: await freshHold(alice) }),
  'POST /admin/reservations/bulk_cancel/': async () => ({
    token: admin.access,
    body: { event: (await createEvent(h)).id, status: ['HOLD'], reason: 'probe', dry_run: true },
  }),
  'GET /admin/events/': async () => ({ token: admin.access }),
  'GET /admin/events/{id}/stats/': async () => ({ token: admin.access, id: (await createEvent(h)).id }),
  'GET /admin/users/': async () => ({ token: admin.access }),
  'PATCH /admin/users/{id}/': async () => ({ token: admin.access, id: alice.id, body: { first_name: 'Alice' } }),
  'POST /admin/users/{id}/set_password/': async () => ({
    token: admin.access,
    id: (await createUser(h)).id,
    body: { password: 'An0ther-Str0ng-One' },
  }),
  'GET /admin/audit/': async () => ({ token: admin.access }),
};

describe('documented routes = served routes', () => {
  it('the document lists exactly the routes of the router (restRoutes)', () => {
    const served = restRoutes()
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    const documented = documentedOperations()
      .map((o) => o.key)
      .sort();
    expect(documented).toEqual(served);
    expect(new Set(served).size).toBe(served.length);
    // The documented form keeps the trailing slash (API.md).
    for (const key of documented) expect(key).toMatch(/\/$/);
    expect(Object.keys(PROBES).sort()).toEqual(documented);
  });

  it('every documented operation answers its documented success status, with and without the trailing slash', async () => {
    const outcomes: string[] = [];
    for (const { key, method, path, op } of documentedOperations()) {
      const success = Number(Object.keys(op.responses).find((s) => s.startsWith('2')));
      for (const slash of [true, false]) {
        const probe = PROBES[key];
        if (!probe) throw new Error(`no probe for ${key}`);
        const { id, token, body } = await probe();
        let url = `${base}${id === undefined ? path : fill(path, id)}`;
        if (!slash) url = url.replace(/\/$/, '');
        const res = await rest(h, method, url, {
          ...(token ? { token } : {}),
          ...(body !== undefined ? { body } : {}),
        });
        outcomes.push(
          `${method} ${url} -> ${res.status}${res.status === success ? '' : ` ${JSON.stringify(res.body)}`}`,
        );
        expect(`${method} ${url} -> ${res.status}`).toBe(`${method} ${url} -> ${success}`);
      }
    }
    expect(outcomes).toHaveLength(documentedOperations().length * 2);
  });

  it('without a token every documented route is still routed: 401 when guarded, a validation 400 when open', async () => {
    for (const { key, method, path } of documentedOperations()) {
      for (const url of [`${base}${fill(path, 1)}`, `${base}${fill(path, 1).replace(/\/$/, '')}`]) {
        const res = await rest(h, method, url, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
        const expected = PUBLIC_ROUTES.includes(key) ? 400 : 401;
        expect(`${method} ${url} -> ${res.status}`).toBe(`${method} ${url} -> ${expected}`);
      }
    }
  });

  it('serves nothing the document does not list: other methods on documented paths miss the router', async () => {
    const ops = documentedOperations();
    const templates = ops.map((o) => ({
      method: o.method,
      re: new RegExp(`^${o.path.replace(/\{id\}/g, '[^/]+').replace(/\/$/, '')}/?$`, 'i'),
    }));
    const explained = (method: Method, path: string) => templates.some((t) => t.method === method && t.re.test(path));
    const event = await createEvent(h);
    const holdId = await freshHold(alice);
    const paths = new Set(ops.map((o) => o.path));
    // The old DRF user ModelViewSet and other paths a client might guess.
    const extra = ['/auth/users/', '/auth/users/{id}/', '/reservations/{id}/confirm/', '/token/verify/', '/users/'];
    let checked = 0;
    for (const path of [...paths, ...extra]) {
      const id = path.startsWith('/events/') ? event.id : path.startsWith('/auth/') ? alice.id : holdId;
      const concrete = fill(path, id);
      for (const method of METHODS) {
        if (explained(method, concrete)) continue;
        for (const token of [admin.access, alice.access]) {
          const res = await rest(h, method, `${base}${concrete}`, {
            token,
            ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
          });
          checked++;
          expect(`${method} ${concrete} -> ${res.status}`).toMatch(/ -> (404|405)$/);
          expect(res.body).toEqual({ detail: 'Not found.' });
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
    // The fixtures the probes above would have found are untouched.
    expect((await rest(h, 'GET', `${base}/events/${event.id}/`, { token: alice.access })).status).toBe(200);
    expect((await rest(h, 'GET', `${base}/reservations/${holdId}/`, { token: alice.access })).body.status).toBe('HOLD');
  });
});

describe('error responses', () => {
  it('answer a documented status with a body of the documented schema', async () => {
    const bob = await createUser(h);
    const small = await createEvent(h, { capacity: 1 });
    const busy = await createEvent(h, { capacity: 5 });
    await freshHoldOn(alice, busy.id);
    const key = { 'idempotency-key': unique('key-') };
    await rest(h, 'POST', `${base}/reservations/create_hold/`, {
      token: bob.access,
      body: { event_id: busy.id, quantity: 1 },
      headers: key,
    });
    const cases: { key: string; status: number; call: () => ReturnType<typeof rest> }[] = [
      {
        key: 'POST /auth/users/register/',
        status: 400,
        call: () =>
          rest(h, 'POST', `${base}/auth/users/register/`, {
            body: {
              username: unique('u'),
              email: `${unique('e')}@example.com`,
              password: PASSWORD,
              password2: 'other',
            },
          }),
      },
      {
        key: 'POST /auth/users/login/',
        status: 400,
        call: () => rest(h, 'POST', `${base}/auth/users/login/`, { body: {} }),
      },
      {
        key: 'POST /auth/users/login/',
        status: 401,
        call: () =>
          rest(h, 'POST', `${base}/auth/users/login/`, { body: { username: unique('nobody'), password: 'x' } }),
      },
      {
        key: 'POST /token/',
        status: 401,
        call: () => rest(h, 'POST', `${base}/token/`, { body: { username: unique('nobody'), password: 'x' } }),
      },
      {
        key: 'POST /token/refresh/',
        status: 401,
        call: () => rest(h, 'POST', `${base}/token/refresh/`, { body: { refresh: 'not-a-token' } }),
      },
      { key: 'GET /auth/users/me/', status: 401, call: () => rest(h, 'GET', `${base}/auth/users/me/`) },
      {
        key: 'GET /auth/users/me/',
        status: 401,
        call: () => rest(h, 'GET', `${base}/auth/users/me/`, { token: alice.refresh }),
      },
      {
        key: 'POST /events/',
        status: 403,
        call: () => rest(h, 'POST', `${base}/events/`, { token: alice.access, body: futureEvent() }),
      },
      {
        key: 'POST /events/',
        status: 400,
        call: () =>
          rest(h, 'POST', `${base}/events/`, { token: admin.access, body: { ...futureEvent(), capacity: 0 } }),
      },
      {
        key: 'GET /events/{id}/',
        status: 404,
        call: () => rest(h, 'GET', `${base}/events/999999999/`, { token: alice.access }),
      },
      {
        key: 'GET /events/{id}/',
        status: 400,
        call: () => rest(h, 'GET', `${base}/events/abc/`, { token: alice.access }),
      },
      {
        key: 'DELETE /events/{id}/',
        status: 409,
        call: () => rest(h, 'DELETE', `${base}/events/${busy.id}/`, { token: admin.access }),
      },
      {
        key: 'PATCH /events/{id}/',
        status: 409,
        call: () => rest(h, 'PATCH', `${base}/events/${busy.id}/`, { token: admin.access, body: { capacity: 1 } }),
      },
      {
        key: 'GET /events/',
        status: 404,
        call: () => rest(h, 'GET', `${base}/events/?page=999999`, { token: alice.access }),
      },
      {
        key: 'POST /reservations/create_hold/',
        status: 400,
        call: () =>
          rest(h, 'POST', `${base}/reservations/create_hold/`, {
            token: alice.access,
            body: { event_id: small.id, quantity: 0 },
          }),
      },
      {
        key: 'POST /reservations/create_hold/',
        status: 409,
        call: () =>
          rest(h, 'POST', `${base}/reservations/create_hold/`, {
            token: alice.access,
            body: { event_id: small.id, quantity: 2 },
          }),
      },
      {
        key: 'POST /reservations/create_hold/',
        status: 404,
        call: () =>
          rest(h, 'POST', `${base}/reservations/create_hold/`, { token: alice.access, body: { event_id: 999999999 } }),
      },
      {
        key: 'POST /reservations/create_hold/',
        status: 422,
        call: () =>
          rest(h, 'POST', `${base}/reservations/create_hold/`, {
            token: bob.access,
            body: { event_id: busy.id, quantity: 2 },
            headers: key,
          }),
      },
      {
        key: 'POST /reservations/confirm/',
        status: 404,
        call: () =>
          rest(h, 'POST', `${base}/reservations/confirm/`, {
            token: alice.access,
            body: { reservation_id: 999999999 },
          }),
      },
      {
        key: 'GET /reservations/{id}/',
        status: 404,
        call: () => rest(h, 'GET', `${base}/reservations/999999999/`, { token: alice.access }),
      },
      {
        key: 'POST /reservations/{id}/cancel/',
        status: 400,
        call: () => rest(h, 'POST', `${base}/reservations/abc/cancel/`, { token: alice.access }),
      },
    ];
    const mismatches: string[] = [];
    for (const c of cases) {
      const res = await c.call();
      expect(`${c.key} -> ${res.status}`).toBe(`${c.key} -> ${c.status}`);
      const [method, path] = c.key.split(' ') as [Method, string];
      const documented = doc.paths[path][method.toLowerCase()].responses[String(res.status)] as Json | undefined;
      const schema = documented?.content?.['application/json']?.schema as Json | undefined;
      if (!schema || !alternatives(schema).some((alt) => satisfies(res.body, alt))) {
        mismatches.push(`${c.key} ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(mismatches).toEqual(KNOWN_DISCREPANCIES.errorBodies);
  });

  it('negative control: the shape check rejects bodies that do not fit', () => {
    const detail = alternatives({ $ref: '#/components/schemas/Detail' });
    expect(detail.some((alt) => satisfies({ detail: 'Not found.' }, alt))).toBe(true);
    expect(detail.some((alt) => satisfies({ error: 'Invalid credentials' }, alt))).toBe(false);
    const fields = alternatives({ $ref: '#/components/schemas/FieldErrors' });
    expect(fields.some((alt) => satisfies({ quantity: ['x'] }, alt))).toBe(true);
    expect(fields.some((alt) => satisfies({ quantity: 'x' }, alt))).toBe(false);
  });
});
