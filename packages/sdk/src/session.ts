// The client's tokens and the one place that refreshes them. Refresh is single-flight: the server rotates refresh
// tokens and treats a second use of a rotated one as theft (it revokes every token of the user), so concurrent
// calls that all hit an expired access token must share one refresh instead of racing with the same token. Clients
// sharing one stored session (browser tabs) extend that across clients: a Web Locks lock lets one refresh at a time,
// and each re-reads the shared store inside it, adopting a session another client already refreshed. The server's
// short reuse grace window covers runtimes without Web Locks.
import { isUnauthorized } from './errors';

/** The tokens of a signed-in client, as auth.login / auth.token / auth.refresh return them. */
export interface Session {
  /** Short-lived JWT sent as `Authorization: Bearer`. */
  access: string;
  /** Long-lived JWT that buys a new pair through auth.refresh; rotates on every use. */
  refresh: string;
}

export type SessionListener = (session: Session | null) => void;
export type RefreshTokens = (refresh: string) => Promise<Session>;

/**
 * Where several clients keep one session (browser tabs sharing localStorage, processes sharing a file). With a store,
 * a client that needs a refresh first looks there: if another client already rotated the token, it adopts that
 * session instead of presenting the rotated token again (which the server would take for theft once its grace
 * window has passed).
 */
export interface SessionStore {
  load(): Session | null | Promise<Session | null>;
  save(session: Session | null): void | Promise<void>;
}

/** The part of the Web Locks API (navigator.locks) the client uses to let one tab refresh at a time. */
export interface RefreshLock {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface SharedSessionOptions {
  store?: SessionStore;
  /** Cross-client mutual exclusion for refreshes; default: navigator.locks when the runtime has it. */
  lock?: RefreshLock;
  /** The lock's name (one per server and store); default `holdfast-session-refresh`. */
  lockName?: string;
}

/** navigator.locks in browsers (and runtimes that have it); undefined elsewhere. */
function webLocks(): RefreshLock | undefined {
  const nav = (globalThis as { navigator?: { locks?: { request?: unknown } } }).navigator;
  const locks = nav?.locks;
  if (!locks || typeof locks.request !== 'function') return undefined;
  return {
    request: <T>(name: string, callback: () => Promise<T>) =>
      (locks as { request(n: string, cb: () => Promise<T>): Promise<T> }).request(name, callback),
  };
}

export class SessionKeeper {
  #session: Session | null;
  /** Bumped on every change, so a failed call can tell whether the session moved on since it was sent. */
  #version = 0;
  #inFlight: Promise<boolean> | null = null;

  readonly #store: SessionStore | undefined;
  readonly #lock: RefreshLock | undefined;
  readonly #lockName: string;

  constructor(
    initial: Session | null,
    private readonly onChange: SessionListener | undefined,
    private readonly refreshTokens: RefreshTokens,
    shared: SharedSessionOptions = {},
  ) {
    this.#session = initial ? { access: initial.access, refresh: initial.refresh } : null;
    this.#store = shared.store;
    this.#lock = shared.lock ?? webLocks();
    this.#lockName = shared.lockName ?? 'holdfast-session-refresh';
  }

  get current(): Session | null {
    return this.#session;
  }

  get version(): number {
    return this.#version;
  }

  set(session: Session | null, persist = true): void {
    this.#session = session ? { access: session.access, refresh: session.refresh } : null;
    this.#version += 1;
    if (persist && this.#store) void Promise.resolve(this.#store.save(this.#session && { ...this.#session }));
    if (!this.onChange) return;
    try {
      this.onChange(this.#session && { ...this.#session });
    } catch (error) {
      // A throwing listener must not break the call that changed the session; surface it like an event handler's.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /**
   * Gets a fresh access token after a call sent at `sentAt` (a `version`) was refused with 401. Resolves true when
   * the call is worth retrying. Calls that fail together share one refresh; a call that fails after the session
   * already changed is retried with the new token without refreshing again.
   */
  renew(sentAt: number): Promise<boolean> {
    if (this.#inFlight) return this.#inFlight;
    if (sentAt !== this.#version) return Promise.resolve(this.#session !== null);
    const refresh = this.#session?.refresh;
    if (!refresh) return Promise.resolve(false);
    const attempt = this.#exclusively(() => this.#refreshOrAdopt(refresh));
    this.#inFlight = attempt.finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** Runs `task` while holding the cross-client refresh lock, if there is one. */
  #exclusively<T>(task: () => Promise<T>): Promise<T> {
    return this.#lock ? this.#lock.request(this.#lockName, task) : task();
  }

  /** Inside the lock: adopt a session another client already refreshed, or refresh with `refresh`. */
  async #refreshOrAdopt(refresh: string): Promise<boolean> {
    const stored = this.#store ? await this.#store.load() : null;
    if (stored && stored.refresh !== refresh) {
      this.set(stored, false);
      return true;
    }
    try {
      this.set(await this.refreshTokens(refresh));
      return true;
    } catch (error) {
      // A refused refresh token (expired, revoked, reused) ends the session; a network failure does not.
      if (isUnauthorized(error) && this.#session?.refresh === refresh) {
        this.set(null, false);
        // Clear the shared copy only if it is the session that just failed, not one another client saved since.
        const stored = this.#store ? await this.#store.load() : null;
        if (stored?.refresh === refresh) await this.#store?.save(null);
      }
      return false;
    }
  }
}
