// The read-through cache on its own: a stepped clock and loads the test settles by hand, no database.
import { describe, expect, it } from '@jest/globals';
import { ReadThroughCache } from '../src/read-through-cache';

/** A load the test resolves or rejects when it chooses, counting how often it was started. */
function manualLoads<V>() {
  const pending: { resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  return {
    pending,
    get started() {
      return pending.length;
    },
    load: () =>
      new Promise<V>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  };
}

/** Lets the cache's promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function cacheAt(ttlMs: number, maxEntries = 100) {
  const clock = { now: 1_000_000 };
  const cache = new ReadThroughCache<string>({ ttlMs, maxEntries, now: () => clock.now });
  let loads = 0;
  const load = (value: string) => () => {
    loads++;
    return Promise.resolve(value);
  };
  return { cache, clock, load, loads: () => loads };
}

describe('ReadThroughCache', () => {
  it('serves a value for the TTL without loading again, then loads afresh', async () => {
    const { cache, clock, load, loads } = cacheAt(1000);
    expect(await cache.get('k', load('v1'))).toBe('v1');
    clock.now += 999;
    expect(await cache.get('k', load('v2'))).toBe('v1');
    expect(loads()).toBe(1);
    clock.now += 1;
    expect(await cache.get('k', load('v3'))).toBe('v3');
    expect(loads()).toBe(2);
  });

  it('counts the TTL from the start of the load, and keeps nothing from a load slower than the TTL', async () => {
    const { cache, clock, load, loads } = cacheAt(1000);
    const slow = manualLoads<string>();
    const first = cache.get('k', slow.load);
    await settle();
    clock.now += 600;
    slow.pending[0]!.resolve('old');
    expect(await first).toBe('old');
    clock.now += 400;
    expect(await cache.get('k', load('new'))).toBe('new');
    expect(loads()).toBe(1);

    const slower = manualLoads<string>();
    const late = cache.get('other', slower.load);
    await settle();
    clock.now += 1000;
    slower.pending[0]!.resolve('too late');
    expect(await late).toBe('too late');
    expect(await cache.get('other', load('fresh'))).toBe('fresh');
  });

  it('lets concurrent misses of one key share one load', async () => {
    const { cache } = cacheAt(1000);
    const loads = manualLoads<string>();
    const all = Promise.all([cache.get('k', loads.load), cache.get('k', loads.load), cache.get('k', loads.load)]);
    const other = cache.get('j', loads.load);
    await settle();
    expect(loads.started).toBe(2);
    loads.pending[0]!.resolve('shared');
    loads.pending[1]!.resolve('own');
    expect(await all).toEqual(['shared', 'shared', 'shared']);
    expect(await other).toBe('own');
  });

  it('shares a failure with the callers waiting for it but keeps nothing', async () => {
    const { cache, load, loads } = cacheAt(1000);
    const failing = manualLoads<string>();
    const both = Promise.allSettled([cache.get('k', failing.load), cache.get('k', failing.load)]);
    await settle();
    failing.pending[0]!.reject(new Error('database down'));
    expect((await both).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(failing.started).toBe(1);
    expect(await cache.get('k', load('back'))).toBe('back');
    expect(loads()).toBe(1);
  });

  it('does not wedge a key when the load throws before returning a promise', async () => {
    const { cache, load } = cacheAt(1000);
    const throwing = (): Promise<string> => {
      throw new Error('bad');
    };
    await expect(cache.get('k', throwing)).rejects.toThrow('bad');
    expect(await cache.get('k', load('ok'))).toBe('ok');
  });

  it('after invalidate(), reads afresh and never keeps a load that started before it', async () => {
    const { cache, load, loads } = cacheAt(1000);
    expect(await cache.get('k', load('v1'))).toBe('v1');
    cache.invalidate();
    expect(await cache.get('k', load('v2'))).toBe('v2');

    const before = manualLoads<string>();
    const early = cache.get('j', before.load);
    await settle();
    cache.invalidate();
    // A read after the invalidation does not join the older load: it starts its own.
    const after = manualLoads<string>();
    const late = cache.get('j', after.load);
    await settle();
    expect(after.started).toBe(1);
    after.pending[0]!.resolve('after');
    before.pending[0]!.resolve('before');
    expect(await early).toBe('before');
    expect(await late).toBe('after');
    expect(await cache.get('j', load('unused'))).toBe('after');
    expect(loads()).toBe(2);
  });

  it('drops a load that finishes after an invalidation even when nothing read in between', async () => {
    const { cache, load } = cacheAt(1000);
    const before = manualLoads<string>();
    const early = cache.get('k', before.load);
    await settle();
    cache.invalidate();
    before.pending[0]!.resolve('stale');
    expect(await early).toBe('stale');
    expect(await cache.get('k', load('fresh'))).toBe('fresh');
    expect(cache.size).toBe(1);
  });

  it('keeps at most maxEntries keys, evicting the least recently used', async () => {
    const { cache, load, loads } = cacheAt(1000, 3);
    for (const key of ['a', 'b', 'c']) await cache.get(key, load(key));
    await cache.get('a', load('unused'));
    await cache.get('d', load('d'));
    expect(cache.size).toBe(3);
    expect(loads()).toBe(4);
    for (const key of ['a', 'c', 'd']) expect(await cache.get(key, load('reloaded'))).toBe(key);
    expect(loads()).toBe(4);
    expect(await cache.get('b', load('reloaded'))).toBe('reloaded');
    expect(loads()).toBe(5);
  });

  it('with a TTL of 0 loads on every read and shares nothing', async () => {
    const { cache } = cacheAt(0);
    const loads = manualLoads<string>();
    const both = Promise.all([cache.get('k', loads.load), cache.get('k', loads.load)]);
    await settle();
    expect(loads.started).toBe(2);
    loads.pending[0]!.resolve('one');
    loads.pending[1]!.resolve('two');
    expect(await both).toEqual(['one', 'two']);
    expect(cache.size).toBe(0);
  });
});
