// The back office over both transports (API.md "Back office"): every route refuses anonymous callers (401) and
// non-superusers (403), then each row of the section works as documented.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { restRoutes } from '../src/openapi';
import { appRouter } from '../src/router';
import {
  createEvent,
  createHarness,
  createUser,
  expireNow,
  ledger,
  PASSWORD,
  rest,
  trpc,
  unique,
  type Harness,
  type TestUser,
} from './support/harness';

let h: Harness;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  h = await createHarness({ MAX_ACTIVE_HOLDS_PER_USER: '0', MAX_HELD_SEATS_PER_USER: '0' });
  [admin, alice, bob] = await Promise.all([createUser(h, { admin: true }), createUser(h), createUser(h)]);
});
afterAll(() => h.close());

const hold = async (user: TestUser, eventId: number, quantity = 1) => {
  const r = await rest(h, 'POST', '/api/reservations/create_hold/', {
    token: user.access,
    body: { event_id: eventId, quantity },
  });
  expect(r.status).toBe(201);
  return r.body as { id: number; status: string; expires_at: string };
};

/** Every admin procedure (from the router itself) with an input that would pass validation. */
const adminRoutes = () => restRoutes().filter((r) => r.path.startsWith('/admin/'));
const sampleBody: Record<string, unknown> = {
  '/admin/reservations/{id}/cancel/': { reason: 'x' },
  '/admin/reservations/{id}/extend/': { minutes: 5 },
  '/admin/reservations/bulk_cancel/': { event: 1, status: ['HOLD'], reason: 'x', dry_run: true },
  '/admin/users/{id}/': { first_name: 'x' },
  '/admin/users/{id}/set_password/': { password: 'An0ther-Str0ng-One' },
};

describe('access', () => {
  it('the router has the thirteen admin procedures of API.md', () => {
    expect(
      adminRoutes()
        .map((r) => `${r.method} /api${r.path}`)
        .sort(),
    ).toEqual(
      [
        'GET /api/admin/audit/',
        'GET /api/admin/events/',
        'GET /api/admin/events/{id}/stats/',
        'GET /api/admin/reservations/',
        'GET /api/admin/reservations/{id}/',
        'GET /api/admin/users/',
        'PATCH /api/admin/users/{id}/',
        'POST /api/admin/reservations/bulk_cancel/',
        'POST /api/admin/reservations/{id}/cancel/',
        'POST /api/admin/reservations/{id}/expire/',
        'POST /api/admin/reservations/{id}/extend/',
        'POST /api/admin/users/{id}/set_password/',
        'GET /api/admin/audit/',
      ]
        .filter((v, i, a) => a.indexOf(v) === i)
        .sort(),
    );
  });

  it('every admin REST route (and the CSV export) answers 401 without a token and 403 FORBIDDEN to a non-admin', async () => {
    const routes = [
      ...adminRoutes().map((r) => ({ method: r.method, path: r.path })),
      { method: 'GET', path: '/admin/reservations/export.csv' },
    ];
    for (const r of routes) {
      const url = `/api${r.path.replace('{id}', String(alice.id))}`;
      const body = sampleBody[r.path];
      const anonymous = await rest(h, r.method as 'GET', url, body ? { body } : {});
      expect([url, anonymous.status, anonymous.body]).toEqual([
        url,
        401,
        { detail: 'Authentication credentials were not provided.' },
      ]);
      const bad = await rest(h, r.method as 'GET', url, { token: 'not-a-jwt', ...(body ? { body } : {}) });
      expect([url, bad.status, (bad.body as { code?: string }).code]).toEqual([url, 401, 'token_not_valid']);
      const user = await rest(h, r.method as 'GET', url, { token: alice.access, ...(body ? { body } : {}) });
      expect([url, user.status, (user.body as { code?: string }).code]).toEqual([url, 403, 'FORBIDDEN']);
    }
  });

  it('every admin tRPC procedure answers UNAUTHORIZED without a token and FORBIDDEN to a non-admin', async () => {
    const procedures = Object.keys(appRouter._def.procedures as Record<string, unknown>).filter((p) =>
      p.startsWith('admin.'),
    );
    // Twelve procedures: the thirteenth row of API.md, the CSV export, is REST only.
    expect(procedures).toHaveLength(12);
    for (const path of procedures) {
      const kind = /\.(list|byId|stats)$/.test(path) ? 'query' : 'mutation';
      const input = { id: alice.id };
      const anonymous = await trpc(h, kind, path, input);
      expect([path, anonymous.error?.data.code]).toEqual([path, 'UNAUTHORIZED']);
      const user = await trpc(h, kind, path, input, alice.access);
      expect([path, user.error?.data.code, user.error?.data.appCode]).toEqual([path, 'FORBIDDEN', 'FORBIDDEN']);
    }
  });
});

describe('admin.reservations.list', () => {
  it('lists every user’s reservations, newest first, with the filters of API.md', async () => {
    const event = await createEvent(h, { name: unique('Gala ') });
    const a1 = await hold(alice, event.id, 1);
    const b1 = await hold(bob, event.id, 3);
    const a2 = await hold(alice, event.id, 2);
    await rest(h, 'POST', '/api/reservations/confirm/', { token: alice.access, body: { reservation_id: a2.id } });
    await expireNow(h, a1.id);

    const all = await rest(h, 'GET', `/api/admin/reservations/?event=${event.id}`, { token: admin.access });
    expect(all.status).toBe(200);
    expect(all.body.count).toBe(3);
    expect(all.body.results.map((r: { id: number }) => r.id)).toEqual([a2.id, b1.id, a1.id]);
    expect(all.body.results[1]).toMatchObject({ user: bob.id, user_username: bob.username, event_name: event.name });

    const ids = async (query: string) =>
      (
        await rest(h, 'GET', `/api/admin/reservations/?event=${event.id}&${query}`, { token: admin.access })
      ).body.results.map((r: { id: number }) => r.id);
    expect(await ids(`user=${bob.id}`)).toEqual([b1.id]);
    // An overdue hold is EXPIRED to readers (the database clock decides), and `overdue=true` finds it.
    expect(await ids('status=HOLD')).toEqual([b1.id]);
    expect(await ids('status=EXPIRED')).toEqual([a1.id]);
    expect(await ids('status=HOLD&status=CONFIRMED')).toEqual([a2.id, b1.id]);
    expect(await ids('overdue=true')).toEqual([a1.id]);
    expect(await ids(`q=${encodeURIComponent(bob.username.toUpperCase())}`)).toEqual([b1.id]);
    expect(await ids(`q=${encodeURIComponent(event.name.toLowerCase())}`)).toHaveLength(3);
    expect(await ids('ordering=quantity')).toEqual([a1.id, a2.id, b1.id]);
    expect(await ids('ordering=-quantity')).toEqual([b1.id, a2.id, a1.id]);
    expect(await ids('ordering=created_at')).toEqual([a1.id, b1.id, a2.id]);
    expect(await ids('ordering=expires_at')).toEqual([a1.id, b1.id, a2.id]);
    expect(await ids('created_after=2999-01-01')).toEqual([]);
    expect(await ids('created_before=2000-01-01')).toEqual([]);
    expect(await ids('created_after=2000-01-01&created_before=2999-01-01')).toHaveLength(3);

    const viaTrpc = await trpc(
      h,
      'query',
      'admin.reservations.list',
      { event: event.id, status: ['HOLD', 'CONFIRMED'] },
      admin.access,
    );
    expect(viaTrpc.data.results.map((r: { id: number }) => r.id)).toEqual([a2.id, b1.id]);
  });

  it('paginates like DRF, keeping the filters in the links, and refuses bad filters with a field map', async () => {
    const event = await createEvent(h, { capacity: 100 });
    for (let i = 0; i < 21; i++) await hold(bob, event.id);
    const first = await rest(h, 'GET', `/api/admin/reservations/?event=${event.id}&status=HOLD&status=CONFIRMED`, {
      token: admin.access,
    });
    expect(first.body.count).toBe(21);
    expect(first.body.results).toHaveLength(20);
    expect(first.body.previous).toBeNull();
    const next = new URL(first.body.next as string, 'http://links.invalid');
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.getAll('status')).toEqual(['HOLD', 'CONFIRMED']);
    const second = await rest(h, 'GET', `${next.pathname}${next.search}`, { token: admin.access });
    expect(second.status).toBe(200);
    expect(second.body.results).toHaveLength(1);
    const past = await rest(h, 'GET', `/api/admin/reservations/?event=${event.id}&page=3`, { token: admin.access });
    expect([past.status, past.body]).toEqual([404, { detail: 'Invalid page.' }]);
    for (const bad of ['status=PENDING', 'ordering=user', 'event=abc', 'created_after=yesterday', 'overdue=maybe']) {
      const r = await rest(h, 'GET', `/api/admin/reservations/?${bad}`, { token: admin.access });
      expect([bad, r.status]).toEqual([bad, 400]);
      expect(Object.keys(r.body as object).map((k) => k.split('.')[0])).toEqual([bad.split('=')[0]]);
    }
  });
});

describe('admin.reservations.byId', () => {
  it('returns any user’s reservation with its history; 404 when missing', async () => {
    const event = await createEvent(h);
    const r = await hold(alice, event.id);
    await rest(h, 'POST', `/api/admin/reservations/${r.id}/extend/`, { token: admin.access, body: { minutes: 3 } });
    const got = await rest(h, 'GET', `/api/admin/reservations/${r.id}/`, { token: admin.access });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: r.id, user: alice.id, user_username: alice.username, status: 'HOLD' });
    expect(got.body.history.map((e: { action: string }) => e.action)).toEqual([
      'reservation.hold',
      'reservation.extend',
    ]);
    expect(got.body.history[1]).toMatchObject({
      actor: admin.id,
      actor_username: admin.username,
      object_type: 'reservation',
    });
    const viaTrpc = await trpc(h, 'query', 'admin.reservations.byId', { id: r.id }, admin.access);
    expect(viaTrpc.data.history).toHaveLength(2);
    expect((await rest(h, 'GET', '/api/admin/reservations/99999999/', { token: admin.access })).status).toBe(404);
    expect((await rest(h, 'GET', '/api/admin/reservations/abc/', { token: admin.access })).status).toBe(400);
  });
});

describe('admin.reservations.cancel', () => {
  it('cancels another user’s hold or confirmed reservation with a reason and frees its seats', async () => {
    const event = await createEvent(h, { capacity: 5 });
    const held = await hold(alice, event.id, 2);
    const confirmed = await hold(bob, event.id, 3);
    await rest(h, 'POST', '/api/reservations/confirm/', { token: bob.access, body: { reservation_id: confirmed.id } });
    const r1 = await rest(h, 'POST', `/api/admin/reservations/${held.id}/cancel/`, {
      token: admin.access,
      body: { reason: 'duplicate booking' },
    });
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ id: held.id, status: 'CANCELLED', user: alice.id, user_username: alice.username });
    const r2 = await trpc(
      h,
      'mutation',
      'admin.reservations.cancel',
      { id: confirmed.id, reason: 'refund' },
      admin.access,
    );
    expect(r2.data.status).toBe('CANCELLED');
    const l = await ledger(h, event.id);
    expect([l.held, l.confirmed, l.recount_held, l.recount_confirmed]).toEqual([0, 0, 0, 0]);
    const again = await rest(h, 'POST', `/api/admin/reservations/${held.id}/cancel/`, {
      token: admin.access,
      body: { reason: 'again' },
    });
    expect([again.status, again.body.code]).toEqual([400, 'INVALID_STATUS']);
  });

  it('requires a reason of 1-500 characters and refuses unknown fields', async () => {
    const event = await createEvent(h);
    const r = await hold(alice, event.id);
    for (const body of [{}, { reason: '' }, { reason: 'x'.repeat(501) }, { reason: 'ok', status: 'CONFIRMED' }]) {
      const res = await rest(h, 'POST', `/api/admin/reservations/${r.id}/cancel/`, { token: admin.access, body });
      expect(res.status).toBe(400);
    }
    const missing = await rest(h, 'POST', '/api/admin/reservations/99999999/cancel/', {
      token: admin.access,
      body: { reason: 'x' },
    });
    expect(missing.status).toBe(404);
    expect((await ledger(h, event.id)).held).toBe(1);
  });
});

describe('admin.reservations.extend', () => {
  it('moves a live hold’s expiry later by 1-60 minutes; a lapsed one is 400 RESERVATION_EXPIRED', async () => {
    const event = await createEvent(h);
    const r = await hold(alice, event.id);
    const res = await rest(h, 'POST', `/api/admin/reservations/${r.id}/extend/`, {
      token: admin.access,
      body: { minutes: 10 },
    });
    expect(res.status).toBe(200);
    expect(new Date(res.body.expires_at).getTime() - new Date(r.expires_at).getTime()).toBe(10 * 60_000);
    const viaTrpc = await trpc(h, 'mutation', 'admin.reservations.extend', { id: r.id, minutes: 1 }, admin.access);
    expect(new Date(viaTrpc.data.expires_at).getTime() - new Date(r.expires_at).getTime()).toBe(11 * 60_000);
    for (const minutes of [0, 61, 1.5, '5']) {
      const bad = await rest(h, 'POST', `/api/admin/reservations/${r.id}/extend/`, {
        token: admin.access,
        body: { minutes },
      });
      expect([minutes, bad.status]).toEqual([minutes, 400]);
    }
    await expireNow(h, r.id);
    const lapsed = await rest(h, 'POST', `/api/admin/reservations/${r.id}/extend/`, {
      token: admin.access,
      body: { minutes: 5 },
    });
    expect([lapsed.status, lapsed.body.code]).toEqual([400, 'RESERVATION_EXPIRED']);
    const l = await ledger(h, event.id);
    expect([l.held, l.recount_held]).toEqual([0, 0]);
  });

  it('refuses a confirmed reservation (400 INVALID_STATUS)', async () => {
    const event = await createEvent(h);
    const r = await hold(alice, event.id);
    await rest(h, 'POST', '/api/reservations/confirm/', { token: alice.access, body: { reservation_id: r.id } });
    const res = await rest(h, 'POST', `/api/admin/reservations/${r.id}/extend/`, {
      token: admin.access,
      body: { minutes: 5 },
    });
    expect([res.status, res.body.code]).toEqual([400, 'INVALID_STATUS']);
  });
});

describe('admin.reservations.expire', () => {
  it('expires a live hold now and frees its seats; anything else is refused', async () => {
    const event = await createEvent(h, { capacity: 3 });
    const r = await hold(alice, event.id, 3);
    const res = await rest(h, 'POST', `/api/admin/reservations/${r.id}/expire/`, { token: admin.access });
    expect([res.status, res.body.status]).toEqual([200, 'EXPIRED']);
    expect((await ledger(h, event.id)).held).toBe(0);
    const again = await trpc(h, 'mutation', 'admin.reservations.expire', { id: r.id }, admin.access);
    expect(again.error?.data.appCode).toBe('RESERVATION_EXPIRED');
    const r2 = await hold(bob, event.id, 1);
    await rest(h, 'POST', `/api/reservations/${r2.id}/cancel/`, { token: bob.access });
    const cancelled = await rest(h, 'POST', `/api/admin/reservations/${r2.id}/expire/`, { token: admin.access });
    expect([cancelled.status, cancelled.body.code]).toEqual([400, 'INVALID_STATUS']);
  });
});

describe('admin.reservations.bulkCancel', () => {
  it('counts on a dry run without changing anything, then cancels exactly those, counters exact', async () => {
    const event = await createEvent(h, { capacity: 20 });
    const holds = await Promise.all([hold(alice, event.id, 2), hold(bob, event.id, 1), hold(bob, event.id, 1)]);
    const toConfirm = await hold(alice, event.id, 4);
    await rest(h, 'POST', '/api/reservations/confirm/', {
      token: alice.access,
      body: { reservation_id: toConfirm.id },
    });
    await expireNow(h, holds[2]!.id);
    const body = { event: event.id, status: ['HOLD'], reason: 'venue closed' };
    const dry = await rest(h, 'POST', '/api/admin/reservations/bulk_cancel/', {
      token: admin.access,
      body: { ...body, dry_run: true },
    });
    expect([dry.status, dry.body]).toEqual([200, { matched: 2, cancelled: 0 }]);
    expect((await ledger(h, event.id)).held).toBe(4);
    const real = await rest(h, 'POST', '/api/admin/reservations/bulk_cancel/', { token: admin.access, body });
    expect(real.body).toEqual({ matched: 2, cancelled: 2 });
    let l = await ledger(h, event.id);
    expect([l.held, l.recount_held, l.confirmed, l.recount_confirmed]).toEqual([0, 0, 4, 4]);
    const both = await trpc(
      h,
      'mutation',
      'admin.reservations.bulkCancel',
      { event: event.id, status: ['HOLD', 'CONFIRMED'], reason: 'venue closed' },
      admin.access,
    );
    expect(both.data).toEqual({ matched: 1, cancelled: 1 });
    const single = await rest(h, 'POST', '/api/admin/reservations/bulk_cancel/', {
      token: admin.access,
      body: { event: event.id, status: 'CONFIRMED', reason: 'nothing left', dry_run: true },
    });
    expect([single.status, single.body]).toEqual([200, { matched: 0, cancelled: 0 }]);
    l = await ledger(h, event.id);
    expect([l.held, l.confirmed, l.recount_confirmed]).toEqual([0, 0, 0]);
  });

  it('refuses bad bodies (400) and a missing event (404)', async () => {
    for (const body of [
      { event: 1, status: [], reason: 'x' },
      { event: 1, status: ['EXPIRED'], reason: 'x' },
      { event: 1, status: ['HOLD'] },
      { event: 1, status: ['HOLD'], reason: 'x', dry_run: 'yes' },
      { event: 1, status: ['HOLD'], reason: 'x', extra: 1 },
    ]) {
      const r = await rest(h, 'POST', '/api/admin/reservations/bulk_cancel/', { token: admin.access, body });
      expect([body, r.status]).toEqual([body, 400]);
    }
    const missing = await rest(h, 'POST', '/api/admin/reservations/bulk_cancel/', {
      token: admin.access,
      body: { event: 99999999, status: ['HOLD'], reason: 'x' },
    });
    expect(missing.status).toBe(404);
  });
});

describe('admin.events', () => {
  it('lists with q (name or description) and ordering', async () => {
    const tag = unique('zq');
    const a = await createEvent(h, { name: `${tag} Alpha`, capacity: 30 });
    const b = await createEvent(h, { name: `Beta ${tag.toUpperCase()}`, capacity: 10 });
    const list = await rest(h, 'GET', `/api/admin/events/?q=${tag}&ordering=-capacity`, { token: admin.access });
    expect(list.status).toBe(200);
    expect(list.body.results.map((e: { id: number }) => e.id)).toEqual([a.id, b.id]);
    const asc = await trpc(h, 'query', 'admin.events.list', { q: tag, ordering: 'capacity' }, admin.access);
    expect(asc.data.results.map((e: { id: number }) => e.id)).toEqual([b.id, a.id]);
    const literal = await rest(h, 'GET', `/api/admin/events/?q=${encodeURIComponent('%')}`, { token: admin.access });
    expect(
      literal.body.results.every((e: { name: string; description: string }) =>
        `${e.name}${e.description}`.includes('%'),
      ),
    ).toBe(true);
    expect((await rest(h, 'GET', '/api/admin/events/?ordering=secret', { token: admin.access })).status).toBe(400);
  });

  it('stats: the event, its reservations by status, and holds expiring within 60 s', async () => {
    const event = await createEvent(h, { capacity: 10 });
    const r1 = await hold(alice, event.id);
    const r2 = await hold(bob, event.id);
    const r3 = await hold(bob, event.id);
    await hold(alice, event.id);
    await rest(h, 'POST', '/api/reservations/confirm/', { token: alice.access, body: { reservation_id: r1.id } });
    await rest(h, 'POST', `/api/reservations/${r2.id}/cancel/`, { token: bob.access });
    await expireNow(h, r3.id);
    const [soon] = await Promise.all([hold(alice, event.id)]);
    await h.rt.sequelize.query(`UPDATE reservations SET expires_at = now() + interval '30 seconds' WHERE id = :id`, {
      replacements: { id: soon.id },
    });
    const res = await rest(h, 'GET', `/api/admin/events/${event.id}/stats/`, { token: admin.access });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: event.id,
      capacity: 10,
      reservations_by_status: { HOLD: 2, CONFIRMED: 1, CANCELLED: 1, EXPIRED: 1 },
      holds_expiring_within_60s: 1,
    });
    expect((await trpc(h, 'query', 'admin.events.stats', { id: event.id }, admin.access)).data.hold_count).toBe(2);
    expect((await rest(h, 'GET', '/api/admin/events/99999999/stats/', { token: admin.access })).status).toBe(404);
  });
});

describe('admin.users', () => {
  it('lists with q and the is_active / is_superuser filters, as AdminUser', async () => {
    const carol = await createUser(h, { username: unique('carolq') });
    const res = await rest(h, 'GET', `/api/admin/users/?q=${carol.username.toUpperCase()}`, { token: admin.access });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(1);
    expect(res.body.results[0]).toEqual({
      id: carol.id,
      username: carol.username,
      email: carol.email,
      first_name: '',
      last_name: '',
      created_at: expect.any(String),
      is_active: true,
      is_superuser: false,
      last_login: expect.any(String),
    });
    expect(res.body.results[0]).not.toHaveProperty('password');
    const admins = await trpc(h, 'query', 'admin.users.list', { is_superuser: true, q: admin.username }, admin.access);
    expect(admins.data.results.map((u: { id: number }) => u.id)).toEqual([admin.id]);
    const none = await rest(h, 'GET', `/api/admin/users/?q=${carol.username}&is_active=false`, { token: admin.access });
    expect(none.body.count).toBe(0);
  });

  it('updates names and email, refuses a taken email and unknown fields', async () => {
    const dave = await createUser(h);
    const res = await rest(h, 'PATCH', `/api/admin/users/${dave.id}/`, {
      token: admin.access,
      body: { first_name: 'Dave', last_name: 'Jones', email: `New.${dave.email}` },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ first_name: 'Dave', last_name: 'Jones', email: `New.${dave.email}` });
    const taken = await rest(h, 'PATCH', `/api/admin/users/${dave.id}/`, {
      token: admin.access,
      body: { email: alice.email.toUpperCase() },
    });
    expect([taken.status, taken.body]).toEqual([400, { email: ['User with this email already exists.'] }]);
    for (const body of [{ password: 'x' }, { username: 'other' }, { is_active: 'false' }, { email: 'not-an-email' }]) {
      const bad = await rest(h, 'PATCH', `/api/admin/users/${dave.id}/`, { token: admin.access, body });
      expect([body, bad.status]).toEqual([body, 400]);
    }
    expect((await rest(h, 'PATCH', '/api/admin/users/99999999/', { token: admin.access, body: {} })).status).toBe(404);
  });

  it('deactivation revokes refresh tokens and refuses the access token at once; reactivation lets them sign in', async () => {
    const erin = await createUser(h);
    expect((await rest(h, 'GET', '/api/auth/users/me/', { token: erin.access })).status).toBe(200);
    const res = await trpc(h, 'mutation', 'admin.users.update', { id: erin.id, is_active: false }, admin.access);
    expect(res.data.is_active).toBe(false);
    const me = await rest(h, 'GET', '/api/auth/users/me/', { token: erin.access });
    expect(me.status).toBe(401);
    const refresh = await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: erin.refresh } });
    expect(refresh.status).toBe(401);
    await rest(h, 'PATCH', `/api/admin/users/${erin.id}/`, { token: admin.access, body: { is_active: true } });
    const login = await rest(h, 'POST', '/api/token/', { body: { username: erin.username, password: PASSWORD } });
    expect(login.status).toBe(200);
    // The refresh token issued before deactivation stays revoked.
    expect((await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: erin.refresh } })).status).toBe(401);
  });

  it('nobody deactivates or demotes themselves (409), and others can be promoted and demoted', async () => {
    // Another active superuser, so LAST_SUPERUSER (the stronger reason) does not apply whatever ran before: the
    // harness database is shared by the files a worker runs, and this test alone once saw the only superuser.
    await createUser(h, { admin: true });
    for (const body of [{ is_active: false }, { is_superuser: false }]) {
      const r = await rest(h, 'PATCH', `/api/admin/users/${admin.id}/`, { token: admin.access, body });
      expect([r.status, r.body.code]).toEqual([409, 'CANNOT_CHANGE_OWN_ACCESS']);
    }
    const frank = await createUser(h);
    const up = await rest(h, 'PATCH', `/api/admin/users/${frank.id}/`, {
      token: admin.access,
      body: { is_superuser: true },
    });
    expect(up.body.is_superuser).toBe(true);
    expect((await rest(h, 'GET', '/api/admin/users/', { token: frank.access })).status).toBe(200);
    const down = await rest(h, 'PATCH', `/api/admin/users/${frank.id}/`, {
      token: admin.access,
      body: { is_superuser: false },
    });
    expect(down.body.is_superuser).toBe(false);
    expect((await rest(h, 'GET', '/api/admin/users/', { token: frank.access })).status).toBe(403);
    // Editing one's own names is fine.
    const own = await rest(h, 'PATCH', `/api/admin/users/${admin.id}/`, {
      token: admin.access,
      body: { first_name: 'Root' },
    });
    expect(own.status).toBe(200);
  });

  it('set_password applies the four validators and ends the user’s sessions', async () => {
    const gina = await createUser(h);
    for (const password of ['short1', '12345678901', 'password', gina.username]) {
      const bad = await rest(h, 'POST', `/api/admin/users/${gina.id}/set_password/`, {
        token: admin.access,
        body: { password },
      });
      expect([password, bad.status, Object.keys(bad.body as object)]).toEqual([password, 400, ['password']]);
    }
    const ok = await rest(h, 'POST', `/api/admin/users/${gina.id}/set_password/`, {
      token: admin.access,
      body: { password: 'Brand-New-Passw0rd' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ message: expect.any(String) });
    expect((await rest(h, 'POST', '/api/token/refresh/', { body: { refresh: gina.refresh } })).status).toBe(401);
    expect(
      (await rest(h, 'POST', '/api/token/', { body: { username: gina.username, password: PASSWORD } })).status,
    ).toBe(401);
    const viaTrpc = await trpc(
      h,
      'mutation',
      'admin.users.setPassword',
      { id: gina.id, password: 'Another-Passw0rd-9' },
      admin.access,
    );
    expect(viaTrpc.data.message).toEqual(expect.any(String));
    expect(
      (await rest(h, 'POST', '/api/token/', { body: { username: gina.username, password: 'Another-Passw0rd-9' } }))
        .status,
    ).toBe(200);
  });
});

describe('admin.audit.list', () => {
  it('filters by actor, object, action and time; newest first', async () => {
    const event = await createEvent(h);
    const r = await hold(alice, event.id);
    await rest(h, 'POST', `/api/admin/reservations/${r.id}/cancel/`, { token: admin.access, body: { reason: 'test' } });
    const obj = await rest(h, 'GET', `/api/admin/audit/?object_type=reservation&object_id=${r.id}`, {
      token: admin.access,
    });
    expect(obj.status).toBe(200);
    expect(obj.body.results.map((e: { action: string }) => e.action)).toEqual([
      'reservation.cancel',
      'reservation.hold',
    ]);
    expect(obj.body.results[0]).toMatchObject({ actor: admin.id, actor_username: admin.username, reason: 'test' });
    const byActor = await trpc(
      h,
      'query',
      'admin.audit.list',
      { actor: alice.id, action: 'reservation.hold' },
      admin.access,
    );
    expect(byActor.data.results.every((e: { actor: number }) => e.actor === alice.id)).toBe(true);
    expect(byActor.data.results.some((e: { object_id: number }) => e.object_id === r.id)).toBe(true);
    const future = await rest(h, 'GET', `/api/admin/audit/?since=2999-01-01&object_id=${r.id}`, {
      token: admin.access,
    });
    expect(future.body.count).toBe(0);
    const past = await rest(h, 'GET', `/api/admin/audit/?until=2000-01-01&object_id=${r.id}`, { token: admin.access });
    expect(past.body.count).toBe(0);
    for (const bad of ['object_type=order', 'action=reservation.delete', 'since=soon']) {
      expect((await rest(h, 'GET', `/api/admin/audit/?${bad}`, { token: admin.access })).status).toBe(400);
    }
  });
});
