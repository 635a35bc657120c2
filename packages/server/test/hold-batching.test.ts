// The group-commit pieces on their own: the batcher (no database) and the batch statement's rules (prefix of
// what fits, per-user cap inside one batch, nothing placed on an event that cannot take holds).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HoldLedger, type HoldLedgerSettings } from '../src/modules/reservations/hold-ledger';
import { KeyedBatcher } from '../src/modules/reservations/keyed-batcher';
import { createEvent, createHarness, createUser, ledger, rest, type Harness, type TestUser } from './support/harness';

/** A runner whose batches the test finishes by hand, recording what each batch contained. */
function manualRunner() {
  const calls: { requests: string[]; finish: (fail?: Error) => void }[] = [];
  const run = (requests: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({
        requests: [...requests],
        finish: (fail) => (fail ? reject(fail) : resolve(requests.map((r) => `done ${r}`))),
      });
    });
  return { calls, run };
}

const tick = () => new Promise((r) => setImmediate(r));

/** Requests are named `<what>@<key>`, and submitted under that key. */
const submitTo = (batcher: KeyedBatcher<string, string>) => (request: string) =>
  batcher.submit(Number(request.split('@')[1]), request);

describe('KeyedBatcher', () => {
  it('sends a lone request at once, and batches what arrives while one is in flight, in order', async () => {
    const { calls, run } = manualRunner();
    const batcher = new KeyedBatcher(run, { maxBatchSize: 10, maxInFlight: 4 });
    const submit = submitTo(batcher);
    const first = submit('a@1');
    expect(calls.map((c) => c.requests)).toEqual([['a@1']]);
    const rest = ['b@1', 'c@1', 'd@1'].map(submit);
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    expect(await first).toBe('done a@1');
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([['a@1'], ['b@1', 'c@1', 'd@1']]);
    calls[1]!.finish();
    expect(await Promise.all(rest)).toEqual(['done b@1', 'done c@1', 'done d@1']);
    expect(batcher.activeKeys).toBe(0);
  });

  it('sends other keys at once while there is room in flight, then batches them together', async () => {
    const { calls, run } = manualRunner();
    const batcher = new KeyedBatcher(run, { maxBatchSize: 10, maxInFlight: 2 });
    const submit = submitTo(batcher);
    const results = ['a@1', 'x@2', 'y@3', 'b@1', 'z@4', 'w@5'].map(submit);
    // Two in flight (keys 1 and 2); the rest wait, whatever their keys.
    expect(calls.map((c) => c.requests)).toEqual([['a@1'], ['x@2']]);
    calls[1]!.finish();
    await tick();
    // Key 1 is still in flight, so b@1 waits for it; the other keys share one batch.
    expect(calls.map((c) => c.requests)).toEqual([['a@1'], ['x@2'], ['y@3', 'z@4', 'w@5']]);
    calls[0]!.finish();
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([['a@1'], ['x@2'], ['y@3', 'z@4', 'w@5'], ['b@1']]);
    calls[2]!.finish();
    calls[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a@1', 'x@2', 'y@3', 'b@1', 'z@4', 'w@5'].map((r) => `done ${r}`));
    expect(batcher.activeKeys).toBe(0);
  });

  it('caps the batch size, first come first served, a key never in two batches at once', async () => {
    const { calls, run } = manualRunner();
    const batcher = new KeyedBatcher(run, { maxBatchSize: 2, maxInFlight: 1 });
    const submit = submitTo(batcher);
    const results = ['a@1', 'b@1', 'c@1', 'x@2', 'd@1'].map(submit);
    expect(calls.map((c) => c.requests)).toEqual([['a@1']]);
    for (let i = 0; i < 3; i++) {
      calls[i]!.finish();
      await tick();
    }
    expect(calls.map((c) => c.requests)).toEqual([['a@1'], ['b@1', 'c@1'], ['d@1', 'x@2']]);
    calls[3]?.finish();
    expect(await Promise.all(results)).toEqual(['a@1', 'b@1', 'c@1', 'x@2', 'd@1'].map((r) => `done ${r}`));
  });

  it('fails only the requests of a failed batch; the ones queued behind it still run', async () => {
    const { calls, run } = manualRunner();
    const batcher = new KeyedBatcher(run, { maxBatchSize: 10, maxInFlight: 1 });
    const submit = submitTo(batcher);
    const first = submit('a@1');
    const second = submit('b@1');
    const other = submit('x@2');
    calls[0]!.finish(new Error('database went away'));
    await expect(first).rejects.toThrow('database went away');
    await tick();
    expect(calls[1]!.requests).toEqual(['b@1', 'x@2']);
    calls[1]!.finish();
    expect(await Promise.all([second, other])).toEqual(['done b@1', 'done x@2']);
  });

  it('rejects a batch whose runner returns the wrong number of results', async () => {
    const batcher = new KeyedBatcher<string, string>(async () => [], { maxBatchSize: 10, maxInFlight: 1 });
    await expect(batcher.submit(1, 'a')).rejects.toThrow('0 results for 1 requests');
    expect(batcher.activeKeys).toBe(0);
  });
});

describe('placeHolds (one statement for a batch)', () => {
  let h: Harness;
  let people: TestUser[];
  beforeAll(async () => {
    h = await createHarness();
    people = await Promise.all([1, 2, 3].map(() => createUser(h)));
  });
  afterAll(() => h.close());

  const ledgerWith = (settings: Partial<HoldLedgerSettings> = {}) =>
    new HoldLedger(h.rt.sequelize, {
      holdTtlSeconds: 300,
      maxActiveHoldsPerUser: 0,
      maxHeldSeatsPerUser: 0,
      audit: true,
      ...settings,
    });
  const ids = () => people.map((p) => p.id);
  const on = (eventId: number, holds: { userId: number; quantity: number }[]) => holds.map((r) => ({ eventId, ...r }));

  it('places the longest prefix whose seats fit, in request order, and counts it on the event', async () => {
    const event = await createEvent(h, { capacity: 6 });
    const [a, b, c] = ids() as [number, number, number];
    const placed = await ledgerWith().placeHolds(
      on(event.id, [
        { userId: a, quantity: 2 },
        { userId: b, quantity: 3 },
        { userId: c, quantity: 2 }, // 7 > 6: stops here…
        { userId: a, quantity: 1 }, // …even though this one would fit: the exact path retries it
      ]),
    );
    expect(placed.map((p) => p?.quantity)).toEqual([2, 3, undefined, undefined]);
    expect(placed.map((p) => p?.user_id)).toEqual([a, b, undefined, undefined]);
    expect(placed[0]!.event_name).toBe(event.name);
    expect(placed[0]!.expires_at.getTime() - placed[0]!.created_at.getTime()).toBe(300_000);
    const l = await ledger(h, event.id);
    expect([l.held, l.recount_held]).toEqual([5, 5]);
  });

  it('applies the per-user cap to earlier holds and to the same user twice in one batch', async () => {
    const event = await createEvent(h, { capacity: 50 });
    const [a, b] = ids() as [number, number];
    const capped = ledgerWith({ maxActiveHoldsPerUser: 2 });
    await capped.placeHolds(on(event.id, [{ userId: a, quantity: 1 }]));
    const placed = await capped.placeHolds(
      on(
        event.id,
        [a, b, a, b, b].map((userId) => ({ userId, quantity: 1 })),
      ),
    );
    expect(placed.map((p) => p?.user_id)).toEqual([a, b, undefined, b, undefined]);
    expect((await ledger(h, event.id)).held).toBe(4);
  });

  it('applies the held-seats cap to earlier holds and to the running seats of the same user in one batch', async () => {
    const event = await createEvent(h, { capacity: 50 });
    const [a, b] = ids() as [number, number];
    const seatCap = ledgerWith({ maxHeldSeatsPerUser: 5, audit: false });
    await seatCap.placeHolds(on(event.id, [{ userId: a, quantity: 2 }]));
    const placed = await seatCap.placeHolds(
      on(event.id, [
        { userId: a, quantity: 2 }, // 4 of 5
        { userId: b, quantity: 5 }, // 5 of 5
        { userId: a, quantity: 2 }, // 6 > 5: refused (the exact path names the limit)
        { userId: b, quantity: 1 }, // 6 > 5: refused
      ]),
    );
    expect(placed.map((p) => p?.quantity)).toEqual([2, 5, undefined, undefined]);
    expect((await ledger(h, event.id)).held).toBe(9);
  });

  it('a request that breaks its batch does not take the others down with it', async () => {
    const event = await createEvent(h, { capacity: 10 });
    const as = (p: TestUser) => ({ id: p.id, username: p.username, email: p.email, isSuperuser: false });
    const ghost = { id: 2_000_000_000, username: 'ghost', email: 'ghost@example.com', isSuperuser: false };
    const hold = (user: ReturnType<typeof as>) =>
      h.rt.services.reservations.createHold(user, { event_id: event.id, quantity: 1 });
    // The first goes alone; the next three share a statement, which fails on the unknown user's foreign key.
    const [first, second, third, fourth] = await Promise.allSettled([
      hold(as(people[0]!)),
      hold(as(people[1]!)),
      hold(ghost),
      hold(as(people[2]!)),
    ]);
    expect([first, second, fourth].map((r) => r?.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(third?.status).toBe('rejected');
    const l = await ledger(h, event.id);
    expect([l.held, l.recount_held]).toEqual([3, 3]);
  });

  it('places nothing on an inactive, ended or missing event', async () => {
    const inactive = await createEvent(h, { capacity: 5, is_active: false });
    const ended = await createEvent(h, { capacity: 5 });
    await h.rt.sequelize.query(
      `UPDATE events SET start_time = now() - interval '2 hours', end_time = now() - interval '1 hour' WHERE id = :id`,
      { replacements: { id: ended.id } },
    );
    for (const eventId of [inactive.id, ended.id, 2_000_000_000]) {
      expect(await ledgerWith().placeHolds(on(eventId, [{ userId: ids()[0]!, quantity: 1 }]))).toEqual([undefined]);
    }
    expect((await ledger(h, inactive.id)).recount_held).toBe(0);
    expect((await ledger(h, ended.id)).recount_held).toBe(0);
  });
});

describe('the events list after seat changes in this process', () => {
  let h: Harness;
  let user: TestUser;
  beforeAll(async () => {
    // A long cache TTL: only the invalidation can make the list show a change.
    h = await createHarness({ EVENT_LIST_CACHE_MS: '600000' });
    user = await createUser(h);
  });
  afterAll(() => h.close());

  it('shows holds (batched or exact), confirmations and cancellations at once', async () => {
    // A time window of its own, so that the page filtered to it holds this event whatever else the suite made.
    const start = new Date(Date.UTC(2097, 0, 1) + Math.floor(Math.random() * 1e6) * 60_000);
    const end = new Date(start.getTime() + 3_600_000);
    const event = await createEvent(h, { capacity: 10, start_time: start.toISOString(), end_time: end.toISOString() });
    const query = `start_date=${encodeURIComponent(start.toISOString())}&end_date=${encodeURIComponent(end.toISOString())}`;
    const seen = async () => {
      const page = await rest(h, 'GET', `/api/events/?${query}`, { token: user.access });
      const row = (page.body.results as { id: number; available_capacity: number; hold_count: number }[]).find(
        (e) => e.id === event.id,
      );
      return row && [row.available_capacity, row.hold_count];
    };
    expect(await seen()).toEqual([10, 0]);
    const held = await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: user.access,
      body: { event_id: event.id, quantity: 3 },
    });
    expect(await seen()).toEqual([7, 3]);
    await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: user.access,
      body: { event_id: event.id, quantity: 2 },
      headers: { 'idempotency-key': `list-${event.id}` },
    });
    expect(await seen()).toEqual([5, 5]);
    await rest(h, 'POST', '/api/reservations/confirm/', { token: user.access, body: { reservation_id: held.body.id } });
    expect(await seen()).toEqual([5, 2]);
    await rest(h, 'POST', `/api/reservations/${held.body.id}/cancel/`, { token: user.access });
    expect(await seen()).toEqual([8, 2]);
  });
});
