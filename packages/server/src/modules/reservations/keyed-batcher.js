"use strict";
// Group commit per key: at most one batch in flight per key, and whatever arrives while it runs goes out together
// as the next batch. A lone request is sent at once (no timer, no added latency); under load the batch size grows
// by itself with the round-trip time, so one event row lock and one commit serve many requests.
Object.defineProperty(exports, "__esModule", { value: true });
exports.KeyedBatcher = void 0;
class KeyedBatcher {
    runBatch;
    maxBatchSize;
    /** Present while a batch for that key is in flight; holds the requests waiting for the next one. */
    waiting = new Map();
    constructor(runBatch, maxBatchSize) {
        this.runBatch = runBatch;
        this.maxBatchSize = maxBatchSize;
    }
    submit(key, request) {
        return new Promise((resolve, reject) => {
            const queue = this.waiting.get(key);
            if (queue) {
                queue.push({ request, resolve, reject });
                return;
            }
            const fresh = [{ request, resolve, reject }];
            this.waiting.set(key, fresh);
            void this.drain(key, fresh);
        });
    }
    /** Keys with a batch in flight (for tests and metrics). */
    get activeKeys() {
        return this.waiting.size;
    }
    async drain(key, queue) {
        while (queue.length > 0) {
            const batch = queue.splice(0, this.maxBatchSize);
            try {
                const results = await this.runBatch(key, batch.map((p) => p.request));
                if (results.length !== batch.length) {
                    throw new Error(`batch runner returned ${results.length} results for ${batch.length} requests`);
                }
                batch.forEach((p, i) => p.resolve(results[i]));
            }
            catch (error) {
                // A failed batch fails only its own requests; the ones queued behind it still get their turn.
                for (const p of batch)
                    p.reject(error);
            }
        }
        this.waiting.delete(key);
    }
}
exports.KeyedBatcher = KeyedBatcher;
