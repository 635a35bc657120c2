// The fan-out's own rules, on a stub reader (pure logic: no database): coalescing with the last value kept,
// bounded per-subscriber memory with slow clients dropped, the per-process cap, and shutdown.
import { describe, expect, it } from '@jest/globals';
import { AvailabilityHub, SlowSubscriberError, type AvailabilityUpdate } from '../src/live/availability-hub';
import type { AvailabilityReading } from '../src/modules/events/availability.reader';

/** A stub database: one event per id with a mutable number of seats taken; each read is counted. */
function stubDatabase() {
  const taken = new Map<number, number>();
  let seq = 1;
  let reads = 0;
  const read = async (ids: readonly number[]) => {
    reads++;
    await new Promise((resolve) => setImmediate(resolve));
    const out = new Map<number, AvailabilityReading>();
    for (const id of ids) {
      const t = taken.get(id);
      if (t === undefined) continue;
      out.set(id, {
        seq: seq++,
        nextLapseInMs: null,
        availability: {
          id,
          capacity: 100,
          available_capacity: 100 - t,
          hold_count: t,
          confirmed_count: 0,
          is_active: true,
          at: new Date().toISOString(),
        },
      });
    }
    return out;
  };
  return { taken, read, reads: () => reads };
}

const settings = { maxSubscriptions: 3, coalesceMs: 50, slowClientMs: 1000 };

async function take(sub: AsyncIterator<AvailabilityUpdate>): Promise<number> {
  const next = await sub.next();
  if (next.done) throw new Error('stream ended');
  return next.value.availability.available_capacity;
}

describe('AvailabilityHub', () => {
  it('coalesces a burst of changes into few reads and delivers the last value', async () => {
    const db = stubDatabase();
    db.taken.set(1, 0);
    const hub = new AvailabilityHub({ read: db.read, ...settings });
    const sub = await hub.subscribe([1]);
    const it = sub[Symbol.asyncIterator]();
    expect(await take(it)).toBe(100);
    const before = db.reads();
    for (let i = 1; i <= 100; i++) {
      db.taken.set(1, i);
      hub.changed(1);
    }
    // Whatever was coalesced, the stream ends at the final state: no seat left.
    let last = -1;
    while (last !== 0) last = await take(it);
    expect(db.reads() - before).toBeLessThanOrEqual(3);
    hub.close();
  });

  it('keeps one pending value per event for a subscriber that is not reading, then drops it once stuck', async () => {
    const db = stubDatabase();
    db.taken.set(1, 0);
    let now = 0;
    const hub = new AvailabilityHub({ read: db.read, ...settings, coalesceMs: 0, now: () => now });
    const slow = await hub.subscribe([1]);
    const fast = await hub.subscribe([1]);
    const fastIt = fast[Symbol.asyncIterator]();
    expect(await take(fastIt)).toBe(100);
    for (let i = 1; i <= 5; i++) {
      db.taken.set(1, i);
      hub.changed(1);
      expect(await take(fastIt)).toBe(100 - i);
      now += 100;
    }
    // Still within slowClientMs: the slow one holds a single, latest value.
    const slowIt = slow[Symbol.asyncIterator]();
    expect(await take(slowIt)).toBe(95);
    // Now stuck for longer than slowClientMs while values keep coming: dropped, the process and others unaffected.
    db.taken.set(1, 6);
    hub.changed(1);
    expect(await take(fastIt)).toBe(94);
    now += 2000;
    db.taken.set(1, 7);
    hub.changed(1);
    expect(await take(fastIt)).toBe(93);
    await expect(slowIt.next()).rejects.toBeInstanceOf(SlowSubscriberError);
    expect(hub.subscriberCount).toBe(1);
    hub.close();
  });

  it('refuses subscriptions past the cap with BUSY, and ends every stream on close', async () => {
    const db = stubDatabase();
    db.taken.set(1, 0);
    const hub = new AvailabilityHub({ read: db.read, ...settings });
    const subs = await Promise.all([1, 2, 3].map(() => hub.subscribe([1])));
    await expect(hub.subscribe([1])).rejects.toMatchObject({ code: 'BUSY' });
    subs[0]!.close();
    const again = await hub.subscribe([1]);
    const its = [...subs.slice(1), again].map((s) => s[Symbol.asyncIterator]());
    for (const it of its) expect(await take(it)).toBe(100);
    hub.close();
    for (const it of its) expect((await it.next()).done).toBe(true);
    expect(hub.subscriberCount).toBe(0);
  });

  it('answers NOT_FOUND for a missing event and keeps nothing for it', async () => {
    const db = stubDatabase();
    const hub = new AvailabilityHub({ read: db.read, ...settings });
    await expect(hub.subscribe([7])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(hub.subscriberCount).toBe(0);
    expect(hub.watchedEvents).toBe(0);
  });
});
