// Live availability through the SDK (tRPC subscription over SSE, bearer token in a header, refresh on 401), and
// several clients sharing one stored session (tabs) refreshing at once without tripping refresh-token reuse.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHoldfastClient, isHoldfastError, type Availability, type Session, type SessionStore } from '../src';
import type { RefreshLock } from '../src/session';
import {
  createEvent,
  createUser,
  recordingFetch,
  startLiveServer,
  untilExpired,
  type LiveServer,
  type TestUser,
} from './support/live-server';

// Access tokens live two seconds (at least one after issue), so tests let one expire instead of forging it. `strict` has no reuse grace window.
let server: LiveServer;
let strict: LiveServer;
beforeAll(async () => {
  server = await startLiveServer({ ACCESS_TOKEN_TTL_SECONDS: '2', REFRESH_REUSE_GRACE_SECONDS: '20' });
  strict = await startLiveServer({ ACCESS_TOKEN_TTL_SECONDS: '2', REFRESH_REUSE_GRACE_SECONDS: '0' });
});
afterAll(async () => {
  await server.close();
  await strict.close();
});

/** Collects a subscription's values and lets a test await one that matches. */
function collector() {
  const values: Availability[] = [];
  const waiting = new Set<() => void>();
  return {
    values,
    onData(value: Availability) {
      values.push(value);
      for (const check of [...waiting]) check();
    },
    until(match: (a: Availability) => boolean, timeoutMs = 5000): Promise<Availability> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching value in ${timeoutMs} ms: ${JSON.stringify(values)}`)),
          timeoutMs,
        );
        const check = () => {
          const found = values.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiting.delete(check);
          resolve(found);
        };
        waiting.add(check);
        check();
      });
    },
  };
}

describe('events.availability through the SDK', () => {
  it('streams typed values, with the token in a header and never in the URL', async () => {
    const user = await createUser(server.h);
    const event = await createEvent(server.h, { capacity: 5 });
    const recorder = recordingFetch();
    const urls: string[] = [];
    const client = createHoldfastClient({
      url: server.url,
      session: { access: user.access, refresh: user.refresh },
      fetch: (input, init) => {
        urls.push(String(input));
        return recorder.fetch(input, init);
      },
    });
    const seen = collector();
    const sub = client.events.availability.subscribe({ event_ids: [event.id] }, { onData: (a) => seen.onData(a) });
    try {
      await seen.until((a) => a.available_capacity === 5);
      await client.reservations.createHold.mutate({ event_id: event.id, quantity: 2 });
      const after = await seen.until((a) => a.available_capacity === 3);
      expect(after).toMatchObject({ id: event.id, hold_count: 2, capacity: 5 });
      const sse = urls.filter((u) => u.includes('events.availability'));
      expect(sse.length).toBeGreaterThan(0);
      for (const url of [...urls]) {
        expect(url).not.toContain(user.access);
        expect(url).not.toContain(user.access.split('.')[2]);
      }
    } finally {
      sub.unsubscribe();
    }
  });

  it('refreshes an expired access token and subscribes again', async () => {
    const user = await createUser(server.h);
    const event = await createEvent(server.h, { capacity: 4 });
    const sessions: (Session | null)[] = [];
    const client = createHoldfastClient({
      url: server.url,
      session: { access: user.access, refresh: user.refresh },
      onSession: (s) => sessions.push(s),
    });
    await untilExpired(user.access);
    const seen = collector();
    const errors: unknown[] = [];
    const sub = client.events.availability.subscribe(
      { event_ids: [event.id] },
      { onData: (a) => seen.onData(a), onError: (e) => errors.push(e) },
    );
    try {
      await seen.until((a) => a.available_capacity === 4);
      expect(errors).toEqual([]);
      expect(sessions).toHaveLength(1);
    } finally {
      sub.unsubscribe();
    }
  });

  it('reports a missing event as NOT_FOUND', async () => {
    const user = await createUser(server.h);
    const client = createHoldfastClient({ url: server.url, session: { access: user.access, refresh: user.refresh } });
    const failure = await new Promise<unknown>((resolve) => {
      const sub = client.events.availability.subscribe(
        { event_ids: [2_000_000_000] },
        {
          onError: (e) => {
            sub.unsubscribe();
            resolve(e);
          },
        },
      );
    });
    expect(isHoldfastError(failure) && failure.code).toBe('NOT_FOUND');
  });
});

/** One stored session shared by several clients, like localStorage shared by tabs. */
function sharedStore(initial: Session): SessionStore & { current: Session | null } {
  const store = {
    current: initial as Session | null,
    load: () => store.current,
    save: (s: Session | null) => {
      store.current = s;
    },
  };
  return store;
}

/** A mutex standing in for navigator.locks between clients of one process. */
function inProcessLock(): RefreshLock {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
      const run = tail.then(callback, callback);
      tail = run.catch(() => undefined);
      return run;
    },
  };
}

async function tabsRefreshTogether(target: LiveServer, user: TestUser, lock: RefreshLock | undefined) {
  const store = sharedStore({ access: user.access, refresh: user.refresh });
  const recorder = recordingFetch();
  const tabs = [1, 2, 3].map(() =>
    createHoldfastClient({
      url: target.url,
      session: store.current,
      sessionStore: store,
      fetch: recorder.fetch,
      ...(lock ? { refreshLock: lock } : {}),
    }),
  );
  await untilExpired(user.access);
  const results = await Promise.allSettled(tabs.map((tab) => tab.auth.me.query()));
  return { results, store, tabs, refreshes: recorder.count('auth.refresh') };
}

describe('tabs sharing one stored session', () => {
  it('stay signed in when they refresh at once (server grace window, no lock)', async () => {
    const user = await createUser(server.h);
    const { results, store, tabs } = await tabsRefreshTogether(server, user, undefined);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    // Nothing was revoked: the stored session keeps working in every tab, and can rotate again.
    for (const tab of tabs) await expect(tab.auth.me.query()).resolves.toMatchObject({ id: user.id });
    const next = createHoldfastClient({ url: server.url });
    await expect(next.auth.refresh.mutate({ refresh: store.current!.refresh })).resolves.toHaveProperty('access');
  });

  it('stay signed in with strict rotation when they share a refresh lock (one refresh for all)', async () => {
    const user = await createUser(strict.h);
    const { results, refreshes, tabs } = await tabsRefreshTogether(strict, user, inProcessLock());
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(refreshes).toBe(1);
    for (const tab of tabs) await expect(tab.auth.me.query()).resolves.toMatchObject({ id: user.id });
  });

  it('are signed out by strict rotation without a lock (negative control)', async () => {
    const user = await createUser(strict.h);
    const { results, store } = await tabsRefreshTogether(strict, user, undefined);
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    // The reuse revoked every token of the user, the stored one included.
    const next = createHoldfastClient({ url: strict.url });
    const refused = await next.auth.refresh.mutate({ refresh: store.current?.refresh ?? user.refresh }).catch((e) => e);
    expect(isHoldfastError(refused) && refused.code).toBe('UNAUTHORIZED');
  });
});
