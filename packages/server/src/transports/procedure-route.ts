// A REST read served by a Fastify route of its own instead of the trpc-to-openapi adapter's catch-all, for a read
// that every client polls (GET /api/events/): the adapter's per-request machinery (a Fetch Request, a URL, an
// AbortController, its input coercion) cost more than the list itself once the page comes from the cache.
//
// It cannot drift from the adapter because it does nothing of its own: the method and path come from the
// procedure's meta.openapi, the input is the query as the adapter builds it, and the call goes through tRPC's
// server-side caller with the same context factory, so the procedure's middleware chain (NUL check, authentication),
// its input and output schemas and its errors are the procedure's. Errors are answered by src/errors.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendRestProcedureError } from '../errors';
import { appRouter } from '../router';
import type { Context } from '../trpc/context';
import type { Meta } from '../trpc/init';
import { responseMetaFor } from './response-meta';

/**
 * The input the adapter passes for a GET without path parameters: each query parameter that has a value, a repeated
 * one as the array of its values (which the procedure's schema then refuses).
 */
function inputOfQuery(query: unknown): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (query === null || typeof query !== 'object') return input;
  for (const [key, value] of Object.entries(query)) {
    if (value) input[key] = Array.isArray(value) && value.length === 1 ? value[0] : value;
  }
  return input;
}

/**
 * Registers `GET <meta.openapi.path>` (under the REST prefix) for a query procedure without path parameters. Call it
 * inside the REST transport plugin, so the route has the REST hooks, before the adapter's catch-all.
 */
export function registerProcedureRoute(
  api: FastifyInstance,
  name: string,
  createContext: (opts: { req: FastifyRequest }) => Context,
): void {
  const procedures = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: string; meta?: Meta } } | undefined
  >;
  const def = procedures[name]?._def;
  const openapi = def?.meta?.openapi;
  if (def?.type !== 'query' || openapi?.method !== 'GET' || openapi.path.includes('{')) {
    throw new Error(`${name}: not a GET query without path parameters; the adapter serves it`);
  }
  const responseMeta = responseMetaFor(appRouter, { transport: 'rest' });
  const status = responseMeta({ paths: [name], errors: [], type: 'query' }).status ?? 200;
  const path = name.split('.');

  api.get(openapi.path, async (request, reply) => {
    try {
      // The caller is a proxy: walking the procedure's dotted name reaches the function that runs it.
      let call: unknown = appRouter.createCaller(createContext({ req: request }));
      for (const segment of path) call = (call as Record<string, unknown>)[segment];
      const output = await (call as (input: unknown) => Promise<unknown>)(inputOfQuery(request.query));
      // As the adapter sends a success: its content type (no charset), JSON.stringify of the parsed output.
      return reply.status(status).header('content-type', 'application/json').send(JSON.stringify(output));
    } catch (err) {
      return sendRestProcedureError(reply, err);
    }
  });
}
