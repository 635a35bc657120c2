import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createEvent,
  createHarness,
  createUser,
  expireNow,
  trpc,
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

describe('reservations over tRPC', () => {
  it('holds, confirms, lists and cancels', async () => {
    const event = await createEvent(h, { capacity: 4 });
    const held = await trpc(
      h,
      'mutation',
      'reservations.createHold',
      { event_id: event.id, quantity: 4 },
      alice.access,
    );
    expect(held.status).toBe(200);
    expect(held.data).toMatchObject({ status: 'HOLD', quantity: 4, event_name: event.name });
    const confirmed = await trpc(h, 'mutation', 'reservations.confirm', { reservation_id: held.data.id }, alice.access);
    expect(confirmed.data).toMatchObject({ status: 'CONFIRMED', expires_at: null });
    const list = await trpc(h, 'query', 'reservations.list', undefined, alice.access);
    expect(list.data.results.some((r: { id: number }) => r.id === held.data.id)).toBe(true);
    expect((await trpc(h, 'query', 'reservations.byId', { id: held.data.id }, alice.access)).data.status).toBe(
      'CONFIRMED',
    );
    const cancelled = await trpc(h, 'mutation', 'reservations.cancel', { id: held.data.id }, alice.access);
    expect(cancelled.data.status).toBe('CANCELLED');
  });

  it('reports every domain error with its API.md code in error.data', async () => {
    const event = await createEvent(h, { capacity: 2 });
    const tooMany = await trpc(
      h,
      'mutation',
      'reservations.createHold',
      { event_id: event.id, quantity: 3 },
      alice.access,
    );
    expect(tooMany.status).toBe(409);
    expect(tooMany.error).toMatchObject({
      message: 'Insufficient capacity. Available: 2, Requested: 3',
      data: { code: 'CONFLICT', appCode: 'INSUFFICIENT_CAPACITY', httpStatus: 409 },
    });
    const held = await trpc(h, 'mutation', 'reservations.createHold', { event_id: event.id }, alice.access);
    const foreign = await trpc(h, 'mutation', 'reservations.confirm', { reservation_id: held.data.id }, bob.access);
    expect(foreign.error?.data.appCode).toBe('NOT_FOUND');
    await expireNow(h, held.data.id);
    const expired = await trpc(h, 'mutation', 'reservations.confirm', { reservation_id: held.data.id }, alice.access);
    expect(expired.error?.data.appCode).toBe('RESERVATION_EXPIRED');
    const cancelExpired = await trpc(h, 'mutation', 'reservations.cancel', { id: held.data.id }, alice.access);
    expect(cancelExpired.error?.data.appCode).toBe('INVALID_STATUS');
    const invalid = await trpc(
      h,
      'mutation',
      'reservations.createHold',
      { event_id: event.id, quantity: 0 },
      alice.access,
    );
    expect(invalid.error?.data).toMatchObject({
      appCode: 'BAD_REQUEST',
      fieldErrors: { quantity: ['Ensure this value is greater than or equal to 1.'] },
    });
    const stringly = await trpc(h, 'mutation', 'reservations.createHold', { event_id: String(event.id) }, alice.access);
    expect(stringly.status).toBe(400);
  });

  it('takes the idempotency key as an input field', async () => {
    const event = await createEvent(h, { capacity: 5 });
    const input = { event_id: event.id, quantity: 1, idempotency_key: `trpc-${event.id}` };
    const a = await trpc(h, 'mutation', 'reservations.createHold', input, alice.access);
    const b = await trpc(h, 'mutation', 'reservations.createHold', input, alice.access);
    expect(b.data).toEqual(a.data);
  });

  it('caps the active holds one user may have on an event (TOO_MANY_ACTIVE_HOLDS)', async () => {
    const capped = await createHarness({ MAX_ACTIVE_HOLDS_PER_USER: '2' });
    try {
      const user = await createUser(capped);
      const event = await createEvent(capped, { capacity: 10 });
      for (let i = 0; i < 2; i++) {
        expect(
          (await trpc(capped, 'mutation', 'reservations.createHold', { event_id: event.id }, user.access)).status,
        ).toBe(200);
      }
      const third = await trpc(capped, 'mutation', 'reservations.createHold', { event_id: event.id }, user.access);
      expect(third.error?.data).toMatchObject({ appCode: 'TOO_MANY_ACTIVE_HOLDS', httpStatus: 409 });
    } finally {
      await capped.close();
    }
  });
});
