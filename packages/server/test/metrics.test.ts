import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEvent, createHarness, createUser, rest, type Harness, type TestUser } from './support/harness';

let h: Harness;
let alice: TestUser;

beforeAll(async () => {
  h = await createHarness();
  alice = await createUser(h);
});
afterAll(() => h.close());

function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('/metrics', () => {
  it('serves Prometheus text with request, reservation, lock, pool and sweep metrics that move', async () => {
    const before = (await rest(h, 'GET', '/metrics')).body as string;
    const event = await createEvent(h, { capacity: 5 });
    const held = await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id },
    });
    expect(held.status).toBe(201);
    await rest(h, 'POST', '/api/reservations/confirm/', {
      token: alice.access,
      body: { reservation_id: held.body.id },
    });
    await h.rt.services.reservations.expireOverdueHolds();
    const res = await rest(h, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/text\/plain/);
    const after = res.body as string;
    expect(sample(after, 'holdfast_reservations_total', 'transition="created"')).toBe(
      sample(before, 'holdfast_reservations_total', 'transition="created"') + 1,
    );
    expect(sample(after, 'holdfast_reservations_total', 'transition="confirmed"')).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(
      /holdfast_http_request_duration_seconds_count\{method="POST",route="\/api\/reservations\/create_hold\/",status="201"\} \d+/,
    );
    expect(after).toMatch(/holdfast_event_lock_wait_seconds_count \d+/);
    expect(after).toMatch(/holdfast_db_pool_connections\{state="open"\} \d+/);
    expect(after).toMatch(/holdfast_expiry_sweep_duration_seconds_count \d+/);
    expect(after).toMatch(/route="\/api\/events\/\{id\}\/"|route="\/metrics"/);
  });

  it('echoes or assigns a request id on every response', async () => {
    const given = await rest(h, 'GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const assigned = await rest(h, 'GET', '/healthz');
    expect(String(assigned.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
  });
});
