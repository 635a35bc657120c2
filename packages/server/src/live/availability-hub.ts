// The fan-out of live availability inside one API process. The database is the only source of truth: a change
// signal (a NOTIFY, a reconnect, a hold lapsing by the clock) only marks an event dirty, and the event is re-read.
// Per event at most one read runs at a time and reads start at most once per `coalesceMs`, so a storm of holds costs
// ≤ 1000/coalesceMs reads a second per event whatever the number of subscribers; a signal that arrives during a
// read causes one more read afterwards, so the last value is never dropped.
//
// Each subscription keeps at most one pending value per event (a newer value replaces an unsent older one), so its
// memory is bounded by the events it watches. A subscriber that has not taken a pending value for `slowClientMs` is
// dropped: its stream ends with an error and the client reconnects to the current value.
import { AppError } from '../errors';
import type { Availability } from '../modules/events/availability.schema';
import type { AvailabilityReading, ReadAvailability } from '../modules/events/availability.reader';

export interface AvailabilityUpdate {
  /** The reading's database-clock microseconds: the SSE `id`. */
  seq: number;
  availability: Availability;
}

export interface AvailabilityHubOptions {
  read: ReadAvailability;
  /** Most open subscriptions in this process (LIVE_MAX_SUBSCRIPTIONS). */
  maxSubscriptions: number;
  /** Least time between two reads of one event (LIVE_COALESCE_MS). */
  coalesceMs: number;
  /** A subscriber with a value pending this long is dropped (LIVE_SLOW_CLIENT_MS). */
  slowClientMs: number;
  /** Where read failures go (they are retried). */
  onReadError?: (err: unknown) => void;
  /** The clock, in ms. */
  now?: () => number;
}

/** How long to wait before reading again after a failed read. */
const READ_RETRY_MS = 1000;
/** Past the lapse instant, so the read sees the hold as overdue. */
const LAPSE_MARGIN_MS = 5;
/** setTimeout's ceiling; later lapses are rescheduled when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Topic {
  readonly id: number;
  readonly subscribers: Set<AvailabilitySubscription>;
  /** The last value published (its seq is the reading that first saw it). */
  latest: AvailabilityUpdate | undefined;
  /** Resolves when the first read settled. */
  ready: Promise<void>;
  reading: boolean;
  dirty: boolean;
  lastReadAt: number;
  readTimer: NodeJS.Timeout | undefined;
  lapseTimer: NodeJS.Timeout | undefined;
  /** Why the first read failed: subscribers waiting on it get this error. */
  firstReadError: unknown;
}

export class SlowSubscriberError extends Error {
  override readonly name = 'SlowSubscriberError';
}

function sameCounts(a: Availability, b: Availability): boolean {
  return (
    a.capacity === b.capacity &&
    a.available_capacity === b.available_capacity &&
    a.hold_count === b.hold_count &&
    a.confirmed_count === b.confirmed_count &&
    a.is_active === b.is_active
  );
}

export class AvailabilityHub {
  private readonly topics = new Map<number, Topic>();
  private readonly subscriptions = new Set<AvailabilitySubscription>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly opts: AvailabilityHubOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Open subscriptions in this process. */
  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Events with at least one subscriber. */
  get watchedEvents(): number {
    return this.topics.size;
  }

  /**
   * Opens a subscription to these events; its first values are their current availability (skipping an event whose
   * `after[id]` already is its latest reading, for SSE resumption). NOT_FOUND when an event does not exist, BUSY
   * past the per-process cap.
   */
  async subscribe(
    eventIds: readonly number[],
    after: ReadonlyMap<number, number> = new Map(),
  ): Promise<AvailabilitySubscription> {
    if (this.closed) throw new AppError('BUSY', 'This server is shutting down; reconnect.', { retryAfter: 1 });
    if (this.subscriptions.size >= this.opts.maxSubscriptions) {
      throw new AppError(
        'BUSY',
        `This server has reached its limit of ${this.opts.maxSubscriptions} live subscriptions; retry later.`,
        { retryAfter: 5 },
      );
    }
    const subscription = new AvailabilitySubscription(eventIds, after, this.now, this.opts.slowClientMs, (s) =>
      this.release(s),
    );
    this.subscriptions.add(subscription);
    const topics = eventIds.map((id) => this.topicOf(id));
    for (const topic of topics) topic.subscribers.add(subscription);
    try {
      await Promise.all(topics.map((t) => t.ready));
      const failed = topics.find((t) => t.firstReadError !== undefined);
      if (failed) throw failed.firstReadError;
      const missing = topics.find((t) => !t.latest);
      if (missing) throw AppError.notFound();
    } catch (err) {
      subscription.close();
      throw err;
    }
    for (const topic of topics) if (topic.latest) subscription.offer(topic.id, topic.latest);
    return subscription;
  }

  /** A committed change to this event (from NOTIFY): re-read it if anyone is watching. */
  changed(eventId: number): void {
    const topic = this.topics.get(eventId);
    if (topic) this.markDirty(topic);
  }

  /** Notifications may have been missed (the listening connection dropped): re-read every watched event. */
  changedAll(): void {
    for (const topic of this.topics.values()) this.markDirty(topic);
  }

  /** Ends every stream (SIGTERM, app close) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const subscription of [...this.subscriptions]) subscription.close();
    for (const topic of this.topics.values()) this.stopTimers(topic);
    this.topics.clear();
  }

  private topicOf(id: number): Topic {
    const existing = this.topics.get(id);
    if (existing) return existing;
    const topic: Topic = {
      id,
      subscribers: new Set(),
      latest: undefined,
      ready: Promise.resolve(),
      reading: false,
      dirty: false,
      lastReadAt: -Infinity,
      readTimer: undefined,
      lapseTimer: undefined,
      firstReadError: undefined,
    };
    this.topics.set(id, topic);
    topic.ready = this.read(topic);
    return topic;
  }

  private release(subscription: AvailabilitySubscription): void {
    this.subscriptions.delete(subscription);
    for (const id of subscription.eventIds) {
      const topic = this.topics.get(id);
      if (!topic) continue;
      topic.subscribers.delete(subscription);
      if (topic.subscribers.size === 0) {
        this.stopTimers(topic);
        this.topics.delete(id);
      }
    }
  }

  private stopTimers(topic: Topic): void {
    clearTimeout(topic.readTimer);
    clearTimeout(topic.lapseTimer);
    topic.readTimer = undefined;
    topic.lapseTimer = undefined;
  }

  private markDirty(topic: Topic, delayAtLeast = 0): void {
    topic.dirty = true;
    if (topic.reading || topic.readTimer || this.topics.get(topic.id) !== topic) return;
    const delay = Math.max(delayAtLeast, topic.lastReadAt + this.opts.coalesceMs - this.now(), 0);
    topic.readTimer = setTimeout(() => {
      topic.readTimer = undefined;
      void this.read(topic);
    }, delay);
  }

  private async read(topic: Topic): Promise<void> {
    topic.dirty = false;
    topic.reading = true;
    topic.lastReadAt = this.now();
    let failed = false;
    try {
      const reading = (await this.opts.read([topic.id])).get(topic.id);
      if (reading) this.apply(topic, reading);
      else if (topic.latest) this.endTopic(topic);
    } catch (err) {
      failed = true;
      this.opts.onReadError?.(err);
      if (!topic.latest) {
        // Nothing to keep current yet: the waiting subscribers fail, and the next subscriber reads afresh.
        topic.firstReadError = err;
        if (this.topics.get(topic.id) === topic) this.topics.delete(topic.id);
        this.stopTimers(topic);
      }
    } finally {
      topic.reading = false;
    }
    if (failed && topic.latest) this.markDirty(topic, READ_RETRY_MS);
    else if (topic.dirty) this.markDirty(topic);
  }

  private apply(topic: Topic, reading: AvailabilityReading): void {
    if (this.topics.get(topic.id) !== topic) return;
    if (!topic.latest || !sameCounts(topic.latest.availability, reading.availability)) {
      topic.latest = { seq: reading.seq, availability: reading.availability };
      for (const subscriber of topic.subscribers) subscriber.offer(topic.id, topic.latest);
    }
    // A hold lapsing by the clock changes the seats left without any write, hence without a NOTIFY.
    clearTimeout(topic.lapseTimer);
    topic.lapseTimer = undefined;
    if (reading.nextLapseInMs !== null) {
      const delay = Math.min(Math.max(reading.nextLapseInMs, 0) + LAPSE_MARGIN_MS, MAX_TIMER_MS);
      topic.lapseTimer = setTimeout(() => {
        topic.lapseTimer = undefined;
        this.markDirty(topic);
      }, delay);
    }
  }

  /** The event was deleted: its subscribers' streams end (their clients learn it from a 404 on reconnect). */
  private endTopic(topic: Topic): void {
    for (const subscriber of [...topic.subscribers]) subscriber.close();
  }
}

/** One client's stream: an async iterable of updates, ending when the client leaves or the server closes it. */
export class AvailabilitySubscription implements AsyncIterable<AvailabilityUpdate> {
  /** Unsent values, at most one per event (Map order = arrival order of the first pending value). */
  private readonly pending = new Map<number, AvailabilityUpdate>();
  /** The seq last queued per event: a value is never offered twice, nor an older one after a newer. */
  private readonly lastSeq = new Map<number, number>();
  private pendingSince: number | undefined;
  private waiter: ((result: IteratorResult<AvailabilityUpdate>) => void) | undefined;
  private failWaiter: ((err: unknown) => void) | undefined;
  private ended = false;
  private failure: unknown;

  constructor(
    readonly eventIds: readonly number[],
    after: ReadonlyMap<number, number>,
    private readonly now: () => number,
    private readonly slowClientMs: number,
    private readonly onClose: (s: AvailabilitySubscription) => void,
  ) {
    for (const [id, seq] of after) this.lastSeq.set(id, seq);
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** Queues a value unless this subscriber already has it or a newer one. */
  offer(eventId: number, update: AvailabilityUpdate): void {
    if (this.ended) return;
    if (update.seq <= (this.lastSeq.get(eventId) ?? -Infinity)) return;
    this.lastSeq.set(eventId, update.seq);
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = undefined;
      this.failWaiter = undefined;
      resolve({ value: update, done: false });
      return;
    }
    if (this.pendingSince !== undefined && this.now() - this.pendingSince > this.slowClientMs) {
      this.close(new SlowSubscriberError('The client did not keep up with live updates; reconnect.'));
      return;
    }
    this.pendingSince ??= this.now();
    this.pending.set(eventId, update);
  }

  next(): Promise<IteratorResult<AvailabilityUpdate>> {
    const first = this.pending.entries().next();
    if (!first.done) {
      const [eventId, update] = first.value;
      this.pending.delete(eventId);
      this.pendingSince = this.pending.size > 0 ? this.now() : undefined;
      return Promise.resolve({ value: update, done: false });
    }
    if (this.ended) {
      return this.failure === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  /** Ends the stream: pending values are dropped; with `failure`, the consumer's next read throws it. */
  close(failure?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.pending.clear();
    const resolve = this.waiter;
    const reject = this.failWaiter;
    this.waiter = undefined;
    this.failWaiter = undefined;
    if (failure !== undefined) reject?.(failure);
    else resolve?.({ value: undefined, done: true });
    this.onClose(this);
  }

  /** The updates until the stream ends or `signal` aborts (the client went away). */
  async *updates(signal?: AbortSignal): AsyncGenerator<AvailabilityUpdate, void, undefined> {
    const abort = () => this.close();
    signal?.addEventListener('abort', abort, { once: true });
    if (signal?.aborted) this.close();
    try {
      for (;;) {
        const result = await this.next();
        if (result.done) return;
        yield result.value;
      }
    } finally {
      signal?.removeEventListener('abort', abort);
      this.close();
    }
  }

  /** The Availability values alone (the tRPC subscription's output). */
  async *availabilities(signal?: AbortSignal): AsyncGenerator<Availability, void, undefined> {
    for await (const update of this.updates(signal)) yield update.availability;
  }

  [Symbol.asyncIterator](): AsyncIterator<AvailabilityUpdate> {
    return this.updates();
  }
}
