// Live availability for one API process: the change listener feeds the fan-out hub and clears the events-list
// cache, so every process shows another process's (or the worker's) seat changes within one notification's time
// instead of EVENT_LIST_CACHE_MS. Built with the services, started by buildApp, closed when the app closes.
import type { ClientConfig } from 'pg';
import type { EventListCache } from '../modules/events/list-cache';
import type { ReadAvailability } from '../modules/events/availability.reader';
import { AvailabilityHub, type AvailabilitySubscription } from './availability-hub';
import { ChangeListener } from './change-listener';

export interface LiveAvailabilitySettings {
  maxSubscriptions: number;
  coalesceMs: number;
  slowClientMs: number;
  /** Comment lines on REST streams this often, so proxies and idle timeouts keep them open. */
  heartbeatMs: number;
}

interface StartOptions {
  connection: ClientConfig;
  log: {
    warn(obj: object, msg: string): void;
    info(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  /** Reconnect backoff bounds (tests shorten them). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class LiveAvailability {
  private readonly hub: AvailabilityHub;
  private listener: ChangeListener | undefined;
  private log: StartOptions['log'] | undefined;

  constructor(
    read: ReadAvailability,
    readonly settings: LiveAvailabilitySettings,
    private readonly eventListCache: EventListCache,
  ) {
    this.hub = new AvailabilityHub({
      read,
      maxSubscriptions: settings.maxSubscriptions,
      coalesceMs: settings.coalesceMs,
      slowClientMs: settings.slowClientMs,
      onReadError: (err) => this.log?.error({ err }, 'live availability: read failed, retrying'),
    });
  }

  /** Opens the listening connection (retrying in the background if the first attempt fails). */
  async start(opts: StartOptions): Promise<void> {
    if (this.listener) return;
    this.log = opts.log;
    this.listener = new ChangeListener({
      connection: opts.connection,
      log: opts.log,
      onChange: (eventId) => {
        this.eventListCache.invalidate();
        this.hub.changed(eventId);
      },
      onResync: () => {
        this.eventListCache.invalidate();
        this.hub.changedAll();
      },
      onDisconnect: () => this.eventListCache.invalidate(),
      ...(opts.minBackoffMs !== undefined ? { minBackoffMs: opts.minBackoffMs } : {}),
      ...(opts.maxBackoffMs !== undefined ? { maxBackoffMs: opts.maxBackoffMs } : {}),
    });
    await this.listener.start();
  }

  /** Ends every stream and the listening connection. Safe to call more than once. */
  async close(): Promise<void> {
    this.hub.close();
    await this.listener?.stop();
  }

  subscribe(eventIds: readonly number[], after?: ReadonlyMap<number, number>): Promise<AvailabilitySubscription> {
    return this.hub.subscribe(eventIds, after);
  }

  /** For tests and metrics: the listening session's backend pid, open subscriptions. */
  get listenerPid(): number | undefined {
    return this.listener?.backendPid;
  }

  get subscriberCount(): number {
    return this.hub.subscriberCount;
  }
}
