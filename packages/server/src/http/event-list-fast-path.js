"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.eventListFastPath = eventListFastPath;
const events_schema_1 = require("../modules/events/events.schema");
const context_1 = require("../trpc/context");
const PATH = '/api/events/';
const FILTERS = new Set(['is_active', 'start_date', 'end_date', 'page']);
/** The query as events.list's input, when every parameter is a known filter given once, non-empty and NUL-free. */
function plainFilters(query) {
    if (query === null || typeof query !== 'object')
        return undefined;
    const filters = {};
    for (const [key, value] of Object.entries(query)) {
        if (!FILTERS.has(key) || typeof value !== 'string' || value === '' || value.includes('\u0000'))
            return undefined;
        filters[key] = value;
    }
    return filters;
}
/**
 * The results' JSON, checked against the output schema and serialized once per cached page: the list cache hands out
 * the same frozen event objects until it reads the database again, and serializing them was the largest cost left
 * here. Keyed by the first event; a hit must hold the very same objects.
 */
const serializedResults = new WeakMap();
function resultsJson(results) {
    const first = results[0];
    if (first === undefined)
        return '[]';
    const known = serializedResults.get(first);
    if (known && known.events.length === results.length && known.events.every((e, i) => e === results[i])) {
        return known.json;
    }
    const parsed = events_schema_1.ZEventList.shape.results.safeParse(results);
    if (!parsed.success)
        return undefined;
    const json = JSON.stringify(parsed.data);
    // Only objects that cannot change may have their JSON reused.
    if (results.every((e) => Object.isFrozen(e)))
        serializedResults.set(first, { events: [...results], json });
    return json;
}
/** The page as the adapter would send it (JSON.stringify of the parsed output), or undefined to let it answer. */
async function listPage(services, request) {
    const filters = plainFilters(request.query);
    if (!filters)
        return undefined;
    try {
        await services.auth.authenticate(request.headers.authorization);
        const input = events_schema_1.ZEventListInput.safeParse(filters);
        if (!input.success)
            return undefined;
        const page = await services.events.list(input.data ?? {}, {
            listUrl: `${(0, context_1.requestOrigin)(request)}${PATH}`,
        });
        const envelope = events_schema_1.ZEventList.safeParse({ ...page, results: [] });
        const results = resultsJson(page.results);
        if (!envelope.success || results === undefined)
            return undefined;
        const { count, next, previous } = envelope.data;
        // The output schema's key order, as JSON.stringify of the parsed page writes it.
        return `{"count":${count},"next":${JSON.stringify(next)},"previous":${JSON.stringify(previous)},"results":${results}}`;
    }
    catch {
        // Not a 200: the adapter repeats the work and gives the error its usual status and body.
        return undefined;
    }
}
/** A preHandler for the REST plugin: answers a successful events list itself, or passes the request on. */
function eventListFastPath(services) {
    return async function answerEventList(request, reply) {
        if (request.method !== 'GET')
            return undefined;
        const url = request.url;
        if (url !== PATH && !url.startsWith(`${PATH}?`))
            return undefined;
        const body = await listPage(services, request);
        if (body === undefined)
            return undefined;
        // The adapter's success answer: 200, its content type, the JSON string. Returning the reply ends the request here.
        return reply.status(200).header('content-type', 'application/json').send(body);
    };
}
