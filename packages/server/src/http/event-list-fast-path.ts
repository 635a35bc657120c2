// GET /api/events/ without the REST adapter's per-request machinery. The list is the read every client polls; once
// its page and the caller's user row come from memory, trpc-to-openapi costs more per request than everything else
// (a Fetch Request and an AbortController per call, a tRPC caller, a middleware chain). Bench scenario 4 on the
// 2-core dev VM, both caches on: 0.21 × /healthz through the adapter, 0.61 × on this path.
//
// This hook answers only requests that events.list would answer 200, doing what the procedure does: refuse NUL
// characters (publicProcedure), authenticate (authedProcedure), parse the input and the output with the procedure's
// own schemas, call the same service, send the same JSON. Anything else — no or a bad token, a bad filter, a page past
// the end, a repeated or unknown parameter, any error — is left to the adapter, which answers exactly as before
// (at the price of doing those checks twice). Keep it in step with trpc/procedures.ts and events.router.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZEventList, ZEventListInput, type EventDto } from '../modules/events/events.schema';
import type { Services } from '../services';

const PATH = '/api/events/';
const FILTERS: ReadonlySet<string> = new Set(['is_active', 'start_date', 'end_date', 'page']);

/** The query as events.list's input, when every parameter is a known filter given once, non-empty and NUL-free. */
function plainFilters(query: unknown): Record<string, string> | undefined {
  if (query === null || typeof query !== 'object') return undefined;
  const filters: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!FILTERS.has(key) || typeof value !== 'string' || value === '' || value.includes('\u0000')) return undefined;
    filters[key] = value;
  }
  return filters;
}

/**
 * The results' JSON, checked against the output schema and serialized once per cached page: the list cache hands out
 * the same frozen event objects until it reads the database again, and serializing them was the largest cost left
 * here. Keyed by the first event; a hit must hold the very same objects.
 */
const serializedResults = new WeakMap<EventDto, { events: readonly EventDto[]; json: string }>();

function resultsJson(results: readonly EventDto[]): string | undefined {
  const first = results[0];
  if (first === undefined) return '[]';
  const known = serializedResults.get(first);
  if (known && known.events.length === results.length && known.events.every((e, i) => e === results[i])) {
    return known.json;
  }
  const parsed = ZEventList.shape.results.safeParse(results);
  if (!parsed.success) return undefined;
  const json = JSON.stringify(parsed.data);
  // Only objects that cannot change may have their JSON reused.
  if (results.every((e) => Object.isFrozen(e))) serializedResults.set(first, { events: [...results], json });
  return json;
}

/** The page as the adapter would send it (JSON.stringify of the parsed output), or undefined to let it answer. */
async function listPage(services: Services, linkBase: string, request: FastifyRequest): Promise<string | undefined> {
  const filters = plainFilters(request.query);
  if (!filters) return undefined;
  try {
    await services.auth.authenticate(request.headers.authorization);
    const input = ZEventListInput.safeParse(filters);
    if (!input.success) return undefined;
    const page = await services.events.list(input.data ?? {}, {
      listUrl: `${linkBase}${PATH}`,
    });
    const envelope = ZEventList.safeParse({ ...page, results: [] });
    const results = resultsJson(page.results);
    if (!envelope.success || results === undefined) return undefined;
    const { count, next, previous } = envelope.data;
    // The output schema's key order, as JSON.stringify of the parsed page writes it.
    return `{"count":${count},"next":${JSON.stringify(next)},"previous":${JSON.stringify(previous)},"results":${results}}`;
  } catch {
    // Not a 200: the adapter repeats the work and gives the error its usual status and body.
    return undefined;
  }
}

/** A preHandler for the REST plugin: answers a successful events list itself, or passes the request on. */
export function eventListFastPath(services: Services, linkBase: string) {
  return async function answerEventList(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    if (request.method !== 'GET') return undefined;
    const url = request.url;
    if (url !== PATH && !url.startsWith(`${PATH}?`)) return undefined;
    const body = await listPage(services, linkBase, request);
    if (body === undefined) return undefined;
    // The adapter's success answer: 200, its content type, the JSON string. Returning the reply ends the request here.
    return reply.status(200).header('content-type', 'application/json').send(body);
  };
}
