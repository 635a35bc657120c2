// The OpenAPI 3.1 document of the REST surface, generated from the router by trpc-to-openapi and then corrected
// where the generator and the old API differ: trailing slashes restored on the documented paths, and error
// responses described with the bodies the REST layer really sends (errors.ts, transports/rest.ts), not the adapter's own.
import { generateOpenApiDocument, type OpenAPIObject, type OpenApiMeta } from 'trpc-to-openapi';
import { appRouter } from './router';
import type { ZodObject } from 'zod/v4';
import type { Meta } from './trpc/init';

// Meta's header schemas are zod objects (trpc/meta.ts leaves the type empty to stay light for the SDK).
declare module './trpc/meta' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the members in, adds none
  interface HeaderSchema extends ZodObject {}
}

type Json = Record<string, unknown>;

const ERROR_SCHEMAS: Json = {
  DomainError: {
    type: 'object',
    required: ['error'],
    properties: {
      error: { type: 'string', description: 'Human-readable message.' },
      code: { type: 'string', description: 'Machine code from API.md, e.g. INSUFFICIENT_CAPACITY.' },
    },
    example: { error: 'Insufficient capacity. Available: 4, Requested: 5', code: 'INSUFFICIENT_CAPACITY' },
  },
  Detail: {
    type: 'object',
    required: ['detail'],
    properties: { detail: { type: 'string' }, code: { type: 'string' } },
    example: { detail: 'Not found.' },
  },
  FieldErrors: {
    type: 'object',
    description: 'Validation failure: each invalid field with its messages (DRF style).',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { quantity: ['Ensure this value is greater than or equal to 1.'] },
  },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const ERROR_RESPONSES: Record<number, { description: string; schema: Json }> = {
  400: {
    description: 'Invalid input (field map) or a domain rule',
    schema: { oneOf: [ref('FieldErrors'), ref('DomainError')] },
  },
  401: { description: 'Missing, invalid or expired credentials', schema: ref('Detail') },
  403: { description: 'Not allowed for this user', schema: ref('DomainError') },
  404: { description: 'Not found', schema: { oneOf: [ref('Detail'), ref('DomainError')] } },
  409: {
    description: 'Conflicts with the current state (capacity, live reservations, the last superuser)',
    schema: ref('DomainError'),
  },
  422: { description: 'Idempotency-Key reused with a different request', schema: ref('DomainError') },
  429: { description: 'Too many attempts; see Retry-After', schema: ref('Detail') },
  503: {
    description: 'Busy (lock contention or database unavailable); retry after Retry-After',
    schema: ref('DomainError'),
  },
};

/** Error statuses each route can answer, beyond the 400/401 every authenticated route has. */
function errorStatuses(path: string, meta: Meta): number[] {
  const statuses = new Set<number>([400]);
  if (meta.openapi?.protect) statuses.add(401);
  if (meta.forbiddenMessage || path.startsWith('/admin/')) statuses.add(403);
  if (path.startsWith('/admin/') && meta.openapi?.method !== 'GET') [404, 409, 503].forEach((s) => statuses.add(s));
  if (path.includes('{id}') || path.includes('/reservations/')) statuses.add(404);
  if (path.includes('/reservations/') && meta.openapi?.method === 'POST')
    [409, 422, 503].forEach((s) => statuses.add(s));
  if (path.startsWith('/events/') && meta.openapi?.method !== 'GET' && meta.openapi?.method !== 'POST') {
    statuses.add(409);
    statuses.add(503);
  }
  // Lists are paginated: a page past the end is 404 "Invalid page.".
  if (meta.openapi?.method === 'GET') statuses.add(404);
  if (path.startsWith('/auth/') || path.startsWith('/token/')) {
    statuses.add(401);
    if (!path.includes('logout') && !path.includes('me')) statuses.add(429);
  }
  return [...statuses].sort();
}

/** Every REST route as "METHOD /path/" (documented form, with the trailing slash). */
export function restRoutes(): { method: string; path: string; meta: Meta }[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>;
  return (
    Object.values(procedures)
      // Meta is our own declaration (trpc/meta.ts); the adapter reads it as its OpenApiMeta, so it must still fit.
      .map((p) => p._def.meta satisfies OpenApiMeta | undefined)
      .filter((m): m is Meta & { openapi: NonNullable<Meta['openapi']> } => !!m?.openapi)
      .map((m) => ({ method: m.openapi.method, path: m.openapi.path, meta: m }))
  );
}

/** Limits that come from the running configuration, not the schemas: the document states what this server accepts. */
export interface DocumentedLimits {
  maxHoldQuantity: number;
}

/** The JSON schema of an operation's request body, when it is inline (as trpc-to-openapi writes them). */
function requestSchema(doc: OpenAPIObject, path: string, method: string): Json | undefined {
  const op = (doc.paths as Json | undefined)?.[path] as Json | undefined;
  const body = (op?.[method] as Json | undefined)?.requestBody as Json | undefined;
  const content = body?.content as Record<string, Json> | undefined;
  return content?.['application/json']?.schema as Json | undefined;
}

export function buildOpenApiDocument(baseUrl: string, limits?: DocumentedLimits): OpenAPIObject {
  const doc = generateOpenApiDocument(appRouter, {
    title: 'Holdfast API',
    version: '1.0.0',
    description:
      'Seat reservations that never oversell. REST paths of the old reservation system; the same procedures are ' +
      'served over tRPC at /trpc for @holdfast/sdk. Both forms of each path, with and without the trailing slash, route.',
    baseUrl,
    tags: ['auth', 'events', 'reservations', 'admin'],
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  });
  const paths: Json = {};
  const original = doc.paths ?? {};
  for (const route of restRoutes()) {
    const generatedKey = route.path.replace(/\/$/, '');
    const item = (original as Json)[generatedKey] as Json | undefined;
    if (!item) continue;
    const op = item[route.method.toLowerCase()] as Json | undefined;
    if (op) {
      const responses = { ...((op.responses as Json | undefined) ?? {}) };
      for (const key of Object.keys(responses)) if (!key.startsWith('2')) delete responses[key];
      if (route.meta.successStatus && responses['200']) {
        responses[String(route.meta.successStatus)] = responses['200'];
        delete responses['200'];
      }
      for (const status of errorStatuses(route.path, route.meta)) {
        const e = ERROR_RESPONSES[status];
        if (!e) continue;
        // The old login endpoint answers bad credentials with {"error": ...}, not DRF's {"detail": ...}.
        const schema =
          status === 401 && route.path === '/auth/users/login/'
            ? { oneOf: [ref('Detail'), ref('DomainError')] }
            : e.schema;
        responses[String(status)] = { description: e.description, content: { 'application/json': { schema } } };
      }
      op.responses = responses;
    }
    paths[route.path] = { ...((paths[route.path] as Json | undefined) ?? {}), ...item };
  }
  doc.paths = paths as OpenAPIObject['paths'];
  // The generator's own error schemas describe the adapter's body, which the REST layer never sends: drop them.
  const schemas = Object.fromEntries(
    Object.entries(doc.components?.schemas ?? {}).filter(([name]) => !name.startsWith('error.')),
  );
  doc.components = { ...doc.components, schemas: { ...schemas, ...ERROR_SCHEMAS } } as OpenAPIObject['components'];
  if (limits) {
    // The schema allows any quantity the database could store; MAX_HOLD_QUANTITY decides what this server takes.
    const properties = requestSchema(doc, '/reservations/create_hold/', 'post')?.properties as
      Record<string, Json> | undefined;
    if (properties?.quantity) properties.quantity = { ...properties.quantity, maximum: limits.maxHoldQuantity };
  }
  return doc;
}
