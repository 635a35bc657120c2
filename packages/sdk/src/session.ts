// The client's tokens and the one place that refreshes them. Refresh is single-flight: the server rotates refresh
// tokens and treats a second use of a rotated one as theft (it revokes every token of the user), so concurrent
// calls that all hit an expired access token must share one refresh instead of racing with the same token.
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

export class SessionKeeper {
  #session: Session | null;
  /** Bumped on every change, so a failed call can tell whether the session moved on since it was sent. */
  #version = 0;
  #inFlight: Promise<boolean> | null = null;

  constructor(
    initial: Session | null,
    private readonly onChange: SessionListener | undefined,
    private readonly refreshTokens: RefreshTokens,
  ) {
    this.#session = initial ? { access: initial.access, refresh: initial.refresh } : null;
  }

  get current(): Session | null {
    return this.#session;
  }

  get version(): number {
    return this.#version;
  }

  set(session: Session | null): void {
    this.#session = session ? { access: session.access, refresh: session.refresh } : null;
    this.#version += 1;
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
    const attempt = this.refreshTokens(refresh).then(
      (tokens) => {
        this.set(tokens);
        return true;
      },
      (error: unknown) => {
        // A refused refresh token (expired, revoked, reused) ends the session; a network failure does not.
        if (isUnauthorized(error) && this.#session?.refresh === refresh) this.set(null);
        return false;
      },
    );
    this.#inFlight = attempt.finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }
}
