"use strict";
// A small in-process read-through cache for hot reads that may lag the database by a bounded time: a value is served
// for `ttlMs` from the moment its load started, at most `maxEntries` keys are kept (least recently used go first),
// concurrent misses of one key share one load, and invalidate() makes every read that starts after it load afresh.
Object.defineProperty(exports, "__esModule", { value: true });
exports.ReadThroughCache = void 0;
class ReadThroughCache {
    ttlMs;
    maxEntries;
    now;
    /** A Map iterates in insertion order; a hit re-inserts its key, so the first key is the least recently used. */
    entries = new Map();
    loads = new Map();
    /** Bumped by invalidate(): a load that started under an older generation may answer its callers but not be kept. */
    generation = 0;
    constructor(opts) {
        if (!Number.isInteger(opts.maxEntries) || opts.maxEntries < 1)
            throw new RangeError('maxEntries must be ≥ 1');
        this.ttlMs = opts.ttlMs;
        this.maxEntries = opts.maxEntries;
        this.now = opts.now ?? Date.now;
    }
    /** Keys currently stored (expired ones included until they are read or evicted). */
    get size() {
        return this.entries.size;
    }
    /** The cached value of `key`, or the result of `load()` (shared with concurrent callers of the same key). */
    get(key, load) {
        if (this.ttlMs <= 0)
            return load();
        const now = this.now();
        const hit = this.entries.get(key);
        if (hit) {
            this.entries.delete(key);
            if (hit.expiresAt > now) {
                this.entries.set(key, hit);
                return Promise.resolve(hit.value);
            }
        }
        return this.loads.get(key) ?? this.startLoad(key, load, now);
    }
    /** Forgets every value and every load in progress: call it once a write that changes what is cached has committed. */
    invalidate() {
        this.generation++;
        this.entries.clear();
        this.loads.clear();
    }
    /**
     * Invalidates once `write` settles, whatever its outcome: a COMMIT that failed on the way back may still have
     * committed, and a needless invalidation costs one load.
     */
    invalidateAfter(write) {
        return write.finally(() => this.invalidate());
    }
    startLoad(key, load, startedAt) {
        const generation = this.generation;
        // Deferred one microtask so that even a load that throws synchronously settles after it is registered below.
        const promise = Promise.resolve()
            .then(load)
            .then((value) => {
            this.settle(key, promise);
            // Expiry counts from the start: the value may reflect the database as it was then, not as it is now.
            if (generation === this.generation)
                this.store(key, value, startedAt + this.ttlMs);
            return value;
        }, (err) => {
            this.settle(key, promise);
            throw err;
        });
        this.loads.set(key, promise);
        return promise;
    }
    settle(key, load) {
        if (this.loads.get(key) === load)
            this.loads.delete(key);
    }
    store(key, value, expiresAt) {
        if (expiresAt <= this.now())
            return;
        this.entries.delete(key);
        this.entries.set(key, { value, expiresAt });
        while (this.entries.size > this.maxEntries) {
            const oldest = this.entries.keys().next();
            if (oldest.done)
                break;
            this.entries.delete(oldest.value);
        }
    }
}
exports.ReadThroughCache = ReadThroughCache;
