"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.EventListCache = exports.EVENT_LIST_CACHE_MAX_ENTRIES = void 0;
// The events list is the read every client polls, and its page costs two database round trips; this keeps the part
// of a page that does not depend on the request (the total and the 20 events, not the host-relative links) for a
// short time per filter set and page. Writes made in this process call invalidate(), so this process reads its own
// writes at once; other processes' writes, and holds lapsing by the database clock, show within the TTL.
const read_through_cache_1 = require("../../read-through-cache");
exports.EVENT_LIST_CACHE_MAX_ENTRIES = 256;
/** Equal filters give equal keys whatever their spelling ("2030-01-01" and "2030-01-01T00:00:00Z", no page and 1). */
function eventListKey(filters) {
    const active = filters.is_active === undefined ? '' : String(filters.is_active);
    return [active, filters.start_date?.getTime() ?? '', filters.end_date?.getTime() ?? '', filters.page ?? 1].join('|');
}
class EventListCache {
    pages;
    constructor(opts) {
        this.pages = new read_through_cache_1.ReadThroughCache({
            ttlMs: opts.ttlMs,
            // Filters and page come from the query string, so the number of keys must be capped.
            maxEntries: exports.EVENT_LIST_CACHE_MAX_ENTRIES,
            ...(opts.now ? { now: opts.now } : {}),
        });
    }
    /** Pages currently stored. */
    get size() {
        return this.pages.size;
    }
    /** The page for these filters, from memory or from `load` (one load per key at a time). */
    get(filters, load) {
        return this.pages.get(eventListKey(filters), async () => freeze(await load()));
    }
    /**
     * Call after any committed write that changes what the list shows: an event created, edited or deleted, or seats
     * held, confirmed, cancelled or expired. The next list in this process reads the database, and a page read that
     * started before the call is not kept.
     */
    invalidate() {
        this.pages.invalidate();
    }
    /** invalidate() once `write` settles, committed or not (see ReadThroughCache.invalidateAfter). */
    invalidateAfter(write) {
        return this.pages.invalidateAfter(write);
    }
}
exports.EventListCache = EventListCache;
function freeze(data) {
    return Object.freeze({ count: data.count, results: Object.freeze(data.results.map((e) => Object.freeze(e))) });
}
