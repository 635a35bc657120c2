import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TRPCClientError } from '@trpc/client';
import { createHoldfastClient, isHoldfastError, type HoldfastClient, type HoldfastError } from '../src';
import { createEvent, createUser, startLiveServer, type LiveServer } from './support/live-server';

let server: LiveServer;
let client: HoldfastClient;
beforeAll(async () => {
  server = await startLiveServer();
  const { access, refresh } = await createUser(server.h);
  client = createHoldfastClient({ url: server.url, session: { access, refresh } });
});
afterAll(() => server.close());

/** The error a call rejects with, asserted to be a HoldfastError. */
async function failure(call: Promise<unknown>): Promise<HoldfastError> {
  const err = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  if (!isHoldfastError(err)) throw new Error(`not a HoldfastError: ${String(err)}`);
  return err;
}

describe('typed errors', () => {
  it('reports a hold larger than the seats left as INSUFFICIENT_CAPACITY (409)', async () => {
    const event = await createEvent(server.h, { capacity: 3 });
    const err = await failure(client.reservations.createHold.mutate({ event_id: event.id, quantity: 5 }));
    expect(err).toBeInstanceOf(TRPCClientError);
    expect(err.code).toBe('INSUFFICIENT_CAPACITY');
    expect(err.status).toBe(409);
    expect(err.message).toBe('Insufficient capacity. Available: 3, Requested: 5');
    expect(err.fieldErrors).toBeUndefined();
  });

  it('reports invalid input as BAD_REQUEST with the failing fields', async () => {
    const event = await createEvent(server.h);
    const err = await failure(client.reservations.createHold.mutate({ event_id: event.id, quantity: 0 }));
    expect([err.code, err.status]).toEqual(['BAD_REQUEST', 400]);
    expect(err.fieldErrors).toEqual({ quantity: ['Ensure this value is greater than or equal to 1.'] });
  });

  it('reports a missing event as NOT_FOUND and a second confirm as INVALID_STATUS', async () => {
    const missing = await failure(client.events.byId.query({ id: 2_000_000_000 }));
    expect([missing.code, missing.status]).toEqual(['NOT_FOUND', 404]);

    const event = await createEvent(server.h);
    const hold = await client.reservations.createHold.mutate({ event_id: event.id });
    await client.reservations.confirm.mutate({ reservation_id: hold.id });
    const again = await failure(client.reservations.confirm.mutate({ reservation_id: hold.id }));
    expect([again.code, again.status]).toEqual(['INVALID_STATUS', 400]);
    expect(again.message).toBe('Reservation is not in HOLD status. Current: CONFIRMED');
  });

  it('reports a hold on an inactive event as EVENT_NOT_ACTIVE', async () => {
    const event = await createEvent(server.h, { is_active: false });
    const err = await failure(client.reservations.createHold.mutate({ event_id: event.id }));
    expect([err.code, err.status]).toEqual(['EVENT_NOT_ACTIVE', 400]);
  });

  it('reports a call without a session as UNAUTHORIZED (401)', async () => {
    const anonymous = createHoldfastClient({ url: server.url });
    const err = await failure(anonymous.events.list.query());
    expect([err.code, err.status]).toEqual(['UNAUTHORIZED', 401]);
  });

  it('leaves errors without a server answer as plain TRPCClientErrors', async () => {
    const unreachable = createHoldfastClient({ url: 'http://127.0.0.1:9' });
    const err = await unreachable.events.list.query().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect(isHoldfastError(err)).toBe(false);
    expect(isHoldfastError(new Error('boom'))).toBe(false);
    expect(isHoldfastError(null)).toBe(false);
  });
});
