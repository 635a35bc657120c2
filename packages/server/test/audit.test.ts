// The audit log: one entry per kind of change, written in the change's own transaction with the actor and the
// request id, and a table the database itself keeps append-only.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import {
  createEvent,
  createHarness,
  createUser,
  expireNow,
  PASSWORD,
  rest,
  trpc,
  unique,
  type Harness,
  type TestUser,
} from './support/harness';
import { auditOf } from './support/audit';

let h: Harness;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  h = await createHarness({ LOGIN_MAX_FAILURES: '3', REFRESH_REUSE_GRACE_SECONDS: '0' });
  [admin, alice] = await Promise.all([createUser(h, { admin: true }), createUser(h)]);
});
afterAll(() => h.close());

const withRequestId = (id: string) => ({ 'x-request-id': id });

async function holdFor(user: TestUser, eventId: number, requestId = unique('req-')) {
  const r = await rest(h, 'POST', '/api/reservations/create_hold/', {
    token: user.access,
    body: { event_id: eventId, quantity: 2 },
    headers: withRequestId(requestId),
  });
  expect(r.status).toBe(201);
  return r.body as { id: number };
}

describe('one entry per action, with actor and request id', () => {
  it('reservation.hold (the batched hot path records it in the same statement)', async () => {
    const event = await createEvent(h);
    const requestId = unique('req-hold-');
    const r = await holdFor(alice, event.id, requestId);
    const entries = await auditOf(h, 'reservation', r.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'reservation.hold',
      actor_id: alice.id,
      request_id: requestId,
      before: null,
      after: { status: 'HOLD', event: event.id, user: alice.id, quantity: 2 },
    });
  });

  it('reservation.hold on the exact path (Idempotency-Key) too, and a replay adds nothing', async () => {
    const event = await createEvent(h);
    const headers = { 'idempotency-key': unique('key-'), ...withRequestId('req-exact') };
    const body = { event_id: event.id, quantity: 1 };
    const first = await rest(h, 'POST', '/api/reservations/create_hold/', { token: alice.access, body, headers });
    await rest(h, 'POST', '/api/reservations/create_hold/', { token: alice.access, body, headers });
    const entries = await auditOf(h, 'reservation', first.body.id);
    expect(entries.map((e) => [e.action, e.request_id])).toEqual([['reservation.hold', 'req-exact']]);
  });

  it('reservation.confirm', async () => {
    const event = await createEvent(h);
    const r = await holdFor(alice, event.id);
    await rest(h, 'POST', '/api/reservations/confirm/', {
      token: alice.access,
      body: { reservation_id: r.id },
      headers: withRequestId('req-confirm'),
    });
    const [, confirm] = await auditOf(h, 'reservation', r.id);
    expect(confirm).toMatchObject({
      action: 'reservation.confirm',
      actor_id: alice.id,
      request_id: 'req-confirm',
      before: { status: 'HOLD' },
      after: { status: 'CONFIRMED', expires_at: null },
    });
  });

  it('reservation.cancel by the owner, and by an admin with the reason', async () => {
    const event = await createEvent(h);
    const own = await holdFor(alice, event.id);
    await rest(h, 'POST', `/api/reservations/${own.id}/cancel/`, { token: alice.access });
    expect((await auditOf(h, 'reservation', own.id))[1]).toMatchObject({
      action: 'reservation.cancel',
      actor_id: alice.id,
      reason: null,
      after: { status: 'CANCELLED' },
    });
    const other = await holdFor(alice, event.id);
    await rest(h, 'POST', `/api/admin/reservations/${other.id}/cancel/`, {
      token: admin.access,
      body: { reason: 'fraud check' },
      headers: withRequestId('req-admin-cancel'),
    });
    expect((await auditOf(h, 'reservation', other.id))[1]).toMatchObject({
      action: 'reservation.cancel',
      actor_id: admin.id,
      reason: 'fraud check',
      request_id: 'req-admin-cancel',
    });
  });

  it('reservation.expire: by the worker (actor null), by the clock on confirm (actor null), by an admin', async () => {
    const event = await createEvent(h);
    const swept = await holdFor(alice, event.id);
    await expireNow(h, swept.id);
    await h.rt.services.reservations.expireOverdueHolds();
    expect((await auditOf(h, 'reservation', swept.id))[1]).toMatchObject({
      action: 'reservation.expire',
      actor_id: null,
      request_id: null,
      before: { status: 'HOLD' },
      after: { status: 'EXPIRED' },
    });
    const lapsed = await holdFor(alice, event.id);
    await expireNow(h, lapsed.id);
    await rest(h, 'POST', '/api/reservations/confirm/', {
      token: alice.access,
      body: { reservation_id: lapsed.id },
      headers: withRequestId('req-late'),
    });
    expect((await auditOf(h, 'reservation', lapsed.id))[1]).toMatchObject({
      action: 'reservation.expire',
      actor_id: null,
      request_id: 'req-late',
    });
    const ended = await holdFor(alice, event.id);
    await rest(h, 'POST', `/api/admin/reservations/${ended.id}/expire/`, { token: admin.access });
    expect((await auditOf(h, 'reservation', ended.id))[1]).toMatchObject({
      action: 'reservation.expire',
      actor_id: admin.id,
    });
  });

  it('reservation.extend', async () => {
    const event = await createEvent(h);
    const r = await holdFor(alice, event.id);
    const res = await trpc(h, 'mutation', 'admin.reservations.extend', { id: r.id, minutes: 7 }, admin.access);
    const [, extend] = await auditOf(h, 'reservation', r.id);
    expect(extend).toMatchObject({ action: 'reservation.extend', actor_id: admin.id });
    expect(extend!.after!.expires_at).toBe(res.data.expires_at);
    expect(extend!.before!.expires_at).not.toBe(res.data.expires_at);
  });

  it('reservation.cancel from a bulk cancel: one entry per reservation, with the reason', async () => {
    const event = await createEvent(h);
    const a = await holdFor(alice, event.id);
    const b = await holdFor(alice, event.id);
    await rest(h, 'POST', '/api/admin/reservations/bulk_cancel/', {
      token: admin.access,
      body: { event: event.id, status: ['HOLD'], reason: 'storm' },
    });
    for (const id of [a.id, b.id]) {
      expect((await auditOf(h, 'reservation', id))[1]).toMatchObject({
        action: 'reservation.cancel',
        actor_id: admin.id,
        reason: 'storm',
        before: { status: 'HOLD' },
      });
    }
  });

  it('event.create, event.update (before/after), event.delete', async () => {
    const start = new Date(Date.now() + 86_400_000);
    const created = await rest(h, 'POST', '/api/events/', {
      token: admin.access,
      body: {
        name: unique('Audit '),
        capacity: 5,
        start_time: start.toISOString(),
        end_time: new Date(start.getTime() + 3_600_000).toISOString(),
      },
      headers: withRequestId('req-event'),
    });
    const id = created.body.id as number;
    await rest(h, 'PATCH', `/api/events/${id}/`, { token: admin.access, body: { capacity: 9 } });
    await rest(h, 'DELETE', `/api/events/${id}/`, { token: admin.access });
    const entries = await auditOf(h, 'event', id);
    expect(entries.map((e) => e.action)).toEqual(['event.create', 'event.update', 'event.delete']);
    expect(entries[0]).toMatchObject({
      actor_id: admin.id,
      request_id: 'req-event',
      before: null,
      after: { capacity: 5 },
    });
    expect(entries[1]).toMatchObject({ before: { capacity: 5 }, after: { capacity: 9 } });
    expect(entries[2]).toMatchObject({ before: { capacity: 9 }, after: null });
  });

  it('a change that rolls back leaves no entry (a refused capacity cut)', async () => {
    const event = await createEvent(h, { capacity: 4 });
    await holdFor(alice, event.id);
    const cut = await rest(h, 'PATCH', `/api/events/${event.id}/`, { token: admin.access, body: { capacity: 1 } });
    expect(cut.status).toBe(409);
    expect((await auditOf(h, 'event', event.id)).map((e) => e.action)).toEqual(['event.create']);
  });

  it('user.register (the new user is the actor), user.update, user.set_password (never the hash)', async () => {
    const username = unique('reg');
    const reg = await rest(h, 'POST', '/api/auth/users/register/', {
      body: { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD },
      headers: withRequestId('req-register'),
    });
    const id = reg.body.user.id as number;
    await rest(h, 'PATCH', `/api/admin/users/${id}/`, { token: admin.access, body: { is_active: false } });
    await rest(h, 'POST', `/api/admin/users/${id}/set_password/`, {
      token: admin.access,
      body: { password: 'Fresh-Passw0rd-42' },
    });
    const entries = await auditOf(h, 'user', id);
    expect(entries.map((e) => [e.action, e.actor_id])).toEqual([
      ['user.register', id],
      ['user.update', admin.id],
      ['user.set_password', admin.id],
    ]);
    expect(entries[0]!.request_id).toBe('req-register');
    expect(entries[1]).toMatchObject({ before: { is_active: true }, after: { is_active: false } });
    expect(JSON.stringify(entries)).not.toMatch(/\$2[aby]\$/);
    expect(JSON.stringify(entries)).not.toContain('Fresh-Passw0rd-42');
  });

  it('auth.lockout: the failure that reaches LOGIN_MAX_FAILURES records it once', async () => {
    const victim = await createUser(h);
    for (let i = 0; i < 4; i++) {
      await rest(h, 'POST', '/api/token/', {
        body: { username: victim.username, password: 'wrong-password' },
        headers: withRequestId(`req-fail-${i}`),
      });
    }
    const entries = await auditOf(h, 'auth', victim.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'auth.lockout',
      actor_id: null,
      request_id: 'req-fail-2',
      after: { username: victim.username.toLowerCase(), failures: 3 },
    });
  });

  it('auth.refresh_reuse: replaying a rotated refresh token is recorded against the account', async () => {
    const bob = await createUser(h);
    const rotated = await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: bob.refresh } });
    expect(rotated.status).toBe(200);
    const replay = await rest(h, 'POST', '/api/token/refresh/', {
      body: { refresh: bob.refresh },
      headers: withRequestId('req-reuse'),
    });
    expect(replay.status).toBe(401);
    const entries = await auditOf(h, 'auth', bob.id);
    expect(entries.map((e) => [e.action, e.actor_id, e.request_id])).toEqual([
      ['auth.refresh_reuse', null, 'req-reuse'],
    ]);
  });
});

describe('append-only, enforced by the database', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
  });
  afterAll(() => client.end());

  it('refuses UPDATE, DELETE and TRUNCATE from any connection', async () => {
    const event = await createEvent(h);
    const [entry] = await auditOf(h, 'event', event.id);
    for (const sql of [
      `UPDATE audit_log SET reason = 'edited' WHERE id = ${entry!.id}`,
      `DELETE FROM audit_log WHERE id = ${entry!.id}`,
      'TRUNCATE audit_log',
    ]) {
      await expect(client.query(sql)).rejects.toThrow(/append-only/);
    }
    expect(await auditOf(h, 'event', event.id)).toEqual([entry]);
  });

  it('a forged purge setting cannot delete recent entries', async () => {
    const event = await createEvent(h);
    await client.query('BEGIN');
    try {
      await client.query(`SELECT set_config('holdfast.audit_purge_before', (now() + interval '1 day')::text, true)`);
      await expect(
        client.query(`DELETE FROM audit_log WHERE object_type = 'event' AND object_id = ${event.id}`),
      ).rejects.toThrow(/append-only/);
    } finally {
      await client.query('ROLLBACK');
    }
    expect(await auditOf(h, 'event', event.id)).toHaveLength(1);
  });

  it('the retention clean-up removes entries older than AUDIT_RETENTION_DAYS and nothing newer', async () => {
    const event = await createEvent(h);
    // An old entry, written as it would have been a year and a half ago.
    await client.query(
      `INSERT INTO audit_log (at, actor_id, action, object_type, object_id) VALUES (now() - interval '400 days', NULL, 'event.update', 'event', $1)`,
      [event.id],
    );
    expect(await auditOf(h, 'event', event.id)).toHaveLength(2);
    const removed = await h.rt.services.audit.purgeExpired();
    expect(removed).toBeGreaterThanOrEqual(1);
    const left = await auditOf(h, 'event', event.id);
    expect(left.map((e) => e.action)).toEqual(['event.create']);
    await expect(client.query('SELECT audit_log_purge(0)')).rejects.toThrow(/at least 1 day/);
  });
});
