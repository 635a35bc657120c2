// Group commit per key: at most one batch in flight per key, and whatever arrives while it runs goes out together
// as the next batch. A lone request is sent at once (no timer, no added latency); under load the batch size grows
// by itself with the round-trip time, so one event row lock and one commit serve many requests.

interface Pending<Req, Res> {
  request: Req;
  resolve: (result: Res) => void;
  reject: (error: unknown) => void;
}

/** Runs one batch; must return one result per request, in the same order. */
type BatchRunner<Req, Res> = (key: number, requests: readonly Req[]) => Promise<readonly Res[]>;

export class KeyedBatcher<Req, Res> {
  /** Present while a batch for that key is in flight; holds the requests waiting for the next one. */
  private readonly waiting = new Map<number, Pending<Req, Res>[]>();

  constructor(
    private readonly runBatch: BatchRunner<Req, Res>,
    private readonly maxBatchSize: number,
  ) {}

  submit(key: number, request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
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
  get activeKeys(): number {
    return this.waiting.size;
  }

  private async drain(key: number, queue: Pending<Req, Res>[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatchSize);
      try {
        const results = await this.runBatch(
          key,
          batch.map((p) => p.request),
        );
        if (results.length !== batch.length) {
          throw new Error(`batch runner returned ${results.length} results for ${batch.length} requests`);
        }
        batch.forEach((p, i) => p.resolve(results[i] as Res));
      } catch (error) {
        // A failed batch fails only its own requests; the ones queued behind it still get their turn.
        for (const p of batch) p.reject(error);
      }
    }
    this.waiting.delete(key);
  }
}
