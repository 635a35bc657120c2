// Group commit across keys. A request goes out at once when its key has no batch in flight and fewer than
// `maxInFlight` batches are running: a lone request waits for no timer. Otherwise it waits, and whatever waits goes
// out together in the next batch, many keys in one batch (up to `maxBatchSize` requests), as soon as a batch
// finishes. A key is in at most one batch at a time: its requests would only queue on its row lock, so they wait
// here instead and share the key's next batch. Under load batches grow by themselves with the round-trip time,
// so one statement and one commit serve many requests, on one hot key or spread over many.

interface Pending<Req, Res> {
  request: Req;
  resolve: (result: Res) => void;
  reject: (error: unknown) => void;
}

/** Runs one batch (requests of one or more keys); must return one result per request, in the same order. */
type BatchRunner<Req, Res> = (requests: readonly Req[]) => Promise<readonly Res[]>;

export interface BatcherLimits {
  /** Requests in one batch at most. */
  maxBatchSize: number;
  /** Batches running at once at most; while that many run, requests wait and are batched together. */
  maxInFlight: number;
}

export class KeyedBatcher<Req, Res> {
  /** Requests not sent yet, per key, keys in the order they started waiting (first come, first served). */
  private readonly waiting = new Map<number, Pending<Req, Res>[]>();
  /** Keys of the batches in flight. */
  private readonly busy = new Set<number>();
  private inFlight = 0;

  constructor(
    private readonly runBatch: BatchRunner<Req, Res>,
    private readonly limits: BatcherLimits,
  ) {}

  submit(key: number, request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const queue = this.waiting.get(key);
      if (queue) queue.push({ request, resolve, reject });
      else this.waiting.set(key, [{ request, resolve, reject }]);
      this.pump();
    });
  }

  /** Keys with a batch in flight (for tests and metrics). */
  get activeKeys(): number {
    return this.busy.size;
  }

  /** Sends batches while there is room in flight and a request whose key is not busy. */
  private pump(): void {
    while (this.inFlight < this.limits.maxInFlight) {
      const batch = this.takeBatch();
      if (batch.pending.length === 0) return;
      void this.send(batch.keys, batch.pending);
    }
  }

  private takeBatch(): { keys: number[]; pending: Pending<Req, Res>[] } {
    const keys: number[] = [];
    const pending: Pending<Req, Res>[] = [];
    for (const [key, queue] of this.waiting) {
      if (this.busy.has(key)) continue;
      pending.push(...queue.splice(0, this.limits.maxBatchSize - pending.length));
      keys.push(key);
      if (queue.length === 0) this.waiting.delete(key);
      if (pending.length >= this.limits.maxBatchSize) break;
    }
    return { keys, pending };
  }

  private async send(keys: readonly number[], batch: readonly Pending<Req, Res>[]): Promise<void> {
    for (const key of keys) this.busy.add(key);
    this.inFlight += 1;
    try {
      const results = await this.runBatch(batch.map((p) => p.request));
      if (results.length !== batch.length) {
        throw new Error(`batch runner returned ${results.length} results for ${batch.length} requests`);
      }
      batch.forEach((p, i) => p.resolve(results[i] as Res));
    } catch (error) {
      // A failed batch fails only its own requests; the ones waiting behind it still get their turn.
      for (const p of batch) p.reject(error);
    } finally {
      for (const key of keys) this.busy.delete(key);
      this.inFlight -= 1;
      this.pump();
    }
  }
}
