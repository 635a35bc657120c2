// The events list is the read every client polls, and its page costs two database round trips; this keeps the part
// of a page that does not depend on the request (the total and the 20 events, not the host-relative links) for a
// short time per filter set and page. Writes made in this process call invalidate(), so this process reads its own
// writes at once; other processes' writes, and holds lapsing by the database clock, show within the TTL.
import { ReadThroughCache } from '../../read-through-cache';
import type { EventDto, EventListInput } from './events.schema';

/** One page's data before links: frozen, because one copy answers many requests. */
export interface EventListData {
  readonly count: number;
  readonly results: readonly Readonly<EventDto>[];
}

interface EventListCacheOptions {
  /** 0 disables the cache (EVENT_LIST_CACHE_MS). */
  ttlMs: number;
  now?: () => number;
}

export const EVENT_LIST_CACHE_MAX_ENTRIES = 256;

/** Equal filters give equal keys whatever their spelling ("2030-01-01" and "2030-01-01T00:00:00Z", no page and 1). */
function eventListKey(filters: EventListInput): string {
  const active = filters.is_active === undefined ? '' : String(filters.is_active);
  return [active, filters.start_date?.getTime() ?? '', filters.end_date?.getTime() ?? '', filters.page ?? 1].join('|');
}

export class EventListCache {
  private readonly pages: ReadThroughCache<EventListData>;

  constructor(opts: EventListCacheOptions) {
    this.pages = new ReadThroughCache({
      ttlMs: opts.ttlMs,
      // Filters and page come from the query string, so the number of keys must be capped.
      maxEntries: EVENT_LIST_CACHE_MAX_ENTRIES,
      ...(opts.now ? { now: opts.now } : {}),
    });
  }

  /** Pages currently stored. */
  get size(): number {
    return this.pages.size;
  }

  /** The page for these filters, from memory or from `load` (one load per key at a time). */
  get(filters: EventListInput, load: () => Promise<EventListData>): Promise<EventListData> {
    return this.pages.get(eventListKey(filters), async () => freeze(await load()));
  }

  /**
   * Call after any committed write that changes what the list shows: an event created, edited or deleted, or seats
   * held, confirmed, cancelled or expired. The next list in this process reads the database, and a page read that
   * started before the call is not kept.
   */
  invalidate(): void {
    this.pages.invalidate();
  }

  /** invalidate() once `write` settles, committed or not (see ReadThroughCache.invalidateAfter). */
  invalidateAfter<T>(write: Promise<T>): Promise<T> {
    return this.pages.invalidateAfter(write);
  }
}

function freeze(data: EventListData): EventListData {
  return Object.freeze({ count: data.count, results: Object.freeze(data.results.map((e) => Object.freeze(e))) });
}
