import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createEvent,
  createHarness,
  createUser,
  expireNow,
  ledger,
  rest,
  type Harness,
  type TestUser,
} from './support/harness';

let h: Harness;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  h = await createHarness();
  [alice, bob] = await Promise.all([createUser(h), createUser(h)]);
});
afterAll(() => h.close());

const hold = (user: TestUser, body: unknown, headers?: Record<string, string>) =>
  rest(h, 'POST', '/api/reservations/create_hold/', { token: user.access, body, ...(headers ? { headers } : {}) });

describe('create_hold', () => {
  it('holds seats for the hold TTL and answers 201 with the old body', async () => {
    const event = await createEvent(h, { capacity: 100 });
    const res = await hold(alice, { event_id: event.id, quantity: 5 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      event: event.id,
      event_name: event.name,
      user: alice.id,
      user_username: alice.username,
      status: 'HOLD',
      quantity: 5,
    });
    expect(Object.keys(res.body).sort()).toEqual(
      [
        'created_at',
        'event',
        'event_name',
        'expires_at',
        'id',
        'quantity',
        'status',
        'updated_at',
        'user',
        'user_username',
      ].sort(),
    );
    const ttl = new Date(res.body.expires_at).getTime() - new Date(res.body.created_at).getTime();
    expect(ttl).toBeGreaterThan(299_000);
    expect(ttl).toBeLessThan(301_000);
    const after = await rest(h, 'GET', `/api/events/${event.id}/`, { token: alice.access });
    expect(after.body).toMatchObject({ available_capacity: 95, hold_count: 5, confirmed_count: 0 });
  });

  it('defaults the quantity to 1', async () => {
    const event = await createEvent(h);
    const res = await hold(alice, { event_id: event.id });
    expect(res.status).toBe(201);
    expect(res.body.quantity).toBe(1);
  });

  it('refuses a hold larger than the seats left with 409 INSUFFICIENT_CAPACITY', async () => {
    const event = await createEvent(h, { capacity: 10 });
    await hold(alice, { event_id: event.id, quantity: 6 });
    const res = await hold(bob, { event_id: event.id, quantity: 5 });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: 'Insufficient capacity. Available: 4, Requested: 5',
      code: 'INSUFFICIENT_CAPACITY',
    });
  });

  it('validates the body like DRF and rejects unknown fields', async () => {
    const event = await createEvent(h);
    expect((await hold(alice, { event_id: event.id, quantity: 0 })).body).toEqual({
      quantity: ['Ensure this value is greater than or equal to 1.'],
    });
    const missing = await hold(alice, { quantity: 'abc' });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ event_id: ['This field is required.'], quantity: ['A valid integer is required.'] });
    expect((await hold(alice, { event_id: event.id, quantity: 1.5 })).body).toEqual({
      quantity: ['A valid integer is required.'],
    });
    expect((await hold(alice, { event_id: event.id, quantity: true })).status).toBe(400);
    expect((await hold(alice, { event_id: event.id, quantity: 11 })).body).toEqual({
      quantity: ['Ensure this value is less than or equal to 10.'],
    });
    const massAssign = await hold(alice, { event_id: event.id, status: 'CONFIRMED', user: bob.id });
    expect(massAssign.status).toBe(400);
    expect(massAssign.body).toEqual({ status: ['Unknown field.'], user: ['Unknown field.'] });
    expect((await ledger(h, event.id)).held).toBe(0);
  });

  it('answers 404 for a missing event and 400 for inactive or ended ones', async () => {
    expect(await hold(alice, { event_id: 99_999_999 })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    const inactive = await createEvent(h, { is_active: false });
    expect(await hold(alice, { event_id: inactive.id })).toMatchObject({
      status: 400,
      body: { code: 'EVENT_NOT_ACTIVE' },
    });
    const past = await createEvent(h, { start_time: '2020-01-01T10:00:00Z', end_time: '2020-01-01T12:00:00Z' });
    expect(await hold(alice, { event_id: past.id })).toMatchObject({ status: 400, body: { code: 'EVENT_ENDED' } });
  });

  it('requires authentication', async () => {
    const res = await rest(h, 'POST', '/api/reservations/create_hold/', { body: { event_id: 1 } });
    expect(res).toMatchObject({ status: 401, body: { detail: 'Authentication credentials were not provided.' } });
  });
});

describe('confirm', () => {
  it('confirms a hold of the last seats without re-counting them (the old system refused this)', async () => {
    const event = await createEvent(h, { capacity: 10 });
    const held = await hold(alice, { event_id: event.id, quantity: 10 });
    const res = await rest(h, 'POST', '/api/reservations/confirm/', {
      token: alice.access,
      body: { reservation_id: held.body.id },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: held.body.id, status: 'CONFIRMED', expires_at: null });
    expect(await ledger(h, event.id)).toMatchObject({ held: 0, confirmed: 10, recount_confirmed: 10 });
  });

  it('refuses a second confirm with INVALID_STATUS', async () => {
    const event = await createEvent(h);
    const held = await hold(alice, { event_id: event.id });
    await rest(h, 'POST', '/api/reservations/confirm/', {
      token: alice.access,
      body: { reservation_id: held.body.id },
    });
    const again = await rest(h, 'POST', '/api/reservations/confirm/', {
      token: alice.access,
      body: { reservation_id: held.body.id },
    });
    expect(again).toMatchObject({
      status: 400,
      body: { error: 'Reservation is not in HOLD status. Current: CONFIRMED', code: 'INVALID_STATUS' },
    });
  });

  it('stores an expired hold as EXPIRED and answers RESERVATION_EXPIRED', async () => {
    const event = await createEvent(h, { capacity: 5 });
    const held = await hold(alice, { event_id: event.id, quantity: 2 });
    await expireNow(h, held.body.id);
    const res = await rest(h, 'POST', '/api/reservations/confirm/', {
      token: alice.access,
      body: { reservation_id: held.body.id },
    });
    expect(res).toMatchObject({ status: 400, body: { code: 'RESERVATION_EXPIRED' } });
    const stored = await rest(h, 'GET', `/api/reservations/${held.body.id}/`, { token: alice.access });
    expect(stored.body.status).toBe('EXPIRED');
    expect(await ledger(h, event.id)).toMatchObject({ held: 0, recount_held: 0 });
  });

  it("treats another user's reservation as not found", async () => {
    const event = await createEvent(h);
    const held = await hold(alice, { event_id: event.id });
    const res = await rest(h, 'POST', '/api/reservations/confirm/', {
      token: bob.access,
      body: { reservation_id: held.body.id },
    });
    expect(res).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect((await rest(h, 'GET', `/api/reservations/${held.body.id}/`, { token: bob.access })).body).toEqual({
      detail: 'Not found.',
    });
  });

  it('requires reservation_id', async () => {
    const res = await rest(h, 'POST', '/api/reservations/confirm/', { token: alice.access, body: {} });
    expect(res).toMatchObject({ status: 400, body: { reservation_id: ['This field is required.'] } });
  });
});

describe('cancel', () => {
  it('cancels a hold and frees its seats once', async () => {
    const event = await createEvent(h, { capacity: 3 });
    const held = await hold(alice, { event_id: event.id, quantity: 3 });
    const res = await rest(h, 'POST', `/api/reservations/${held.body.id}/cancel/`, { token: alice.access });
    expect(res).toMatchObject({ status: 200, body: { status: 'CANCELLED', quantity: 3 } });
    const again = await rest(h, 'POST', `/api/reservations/${held.body.id}/cancel`, { token: alice.access });
    expect(again).toMatchObject({
      status: 400,
      body: { error: 'Cannot cancel reservation with status: CANCELLED', code: 'INVALID_STATUS' },
    });
    expect(await ledger(h, event.id)).toMatchObject({ held: 0, confirmed: 0 });
    expect((await hold(bob, { event_id: event.id, quantity: 3 })).status).toBe(201);
  });

  it('cancels a confirmed reservation', async () => {
    const event = await createEvent(h, { capacity: 3 });
    const held = await hold(alice, { event_id: event.id, quantity: 2 });
    await rest(h, 'POST', '/api/reservations/confirm/', {
      token: alice.access,
      body: { reservation_id: held.body.id },
    });
    const res = await rest(h, 'POST', `/api/reservations/${held.body.id}/cancel/`, { token: alice.access });
    expect(res.body.status).toBe('CANCELLED');
    expect(await ledger(h, event.id)).toMatchObject({ held: 0, confirmed: 0 });
  });

  it('answers 400 JSON for a non-numeric id and 404 for a missing one', async () => {
    const bad = await rest(h, 'POST', '/api/reservations/abc/cancel/', { token: alice.access });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ id: ['A valid integer is required.'] });
    const missing = await rest(h, 'POST', '/api/reservations/99999999/cancel/', { token: alice.access });
    expect(missing).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });
});

describe('list', () => {
  it("lists the caller's own reservations newest first, paginated", async () => {
    const carol = await createUser(h);
    const event = await createEvent(h, { capacity: 100 });
    for (let i = 0; i < 3; i++) await hold(carol, { event_id: event.id });
    const res = await rest(h, 'GET', '/api/reservations/', { token: carol.access });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(3);
    expect(res.body.next).toBeNull();
    const ids = res.body.results.map((r: { id: number }) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect((await rest(h, 'GET', '/api/reservations/?page=2', { token: carol.access })).body).toEqual({
      detail: 'Invalid page.',
    });
  });
});

describe('Idempotency-Key', () => {
  it('returns the first result for a repeat and 422 for the same key with another body', async () => {
    const event = await createEvent(h, { capacity: 10 });
    const key = { 'idempotency-key': `k-${event.id}` };
    const first = await hold(alice, { event_id: event.id, quantity: 2 }, key);
    const second = await hold(alice, { event_id: event.id, quantity: 2 }, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect((await ledger(h, event.id)).held).toBe(2);
    const other = await hold(alice, { event_id: event.id, quantity: 3 }, key);
    expect(other).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    // Keys are per user: bob may use the same one.
    expect((await hold(bob, { event_id: event.id, quantity: 3 }, key)).status).toBe(201);
  });

  it('lets concurrent duplicates act once', async () => {
    const event = await createEvent(h, { capacity: 10 });
    const key = { 'idempotency-key': `race-${event.id}` };
    const results = await Promise.all(Array.from({ length: 8 }, () => hold(alice, { event_id: event.id }, key)));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect((await ledger(h, event.id)).held).toBe(1);
  });
});
