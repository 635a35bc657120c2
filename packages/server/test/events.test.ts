import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createEvent,
  createHarness,
  createUser,
  expireNow,
  ledger,
  rest,
  trpc,
  unique,
  type Harness,
  type TestUser,
} from './support/harness';

let h: Harness;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  h = await createHarness();
  [admin, alice] = await Promise.all([createUser(h, { admin: true }), createUser(h)]);
});
afterAll(() => h.close());

const times = { start_time: '2030-11-26T19:00:00Z', end_time: '2030-11-26T22:00:00Z' };

describe('create', () => {
  it('lets an admin create an event with the old body', async () => {
    const name = unique('Concert ');
    const res = await rest(h, 'POST', '/api/events/', {
      token: admin.access,
      body: { name, description: 'Flow test', capacity: 100, ...times },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name,
      description: 'Flow test',
      capacity: 100,
      available_capacity: 100,
      hold_count: 0,
      confirmed_count: 0,
      start_time: '2030-11-26T19:00:00Z',
      end_time: '2030-11-26T22:00:00Z',
      is_active: true,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
  });

  it('refuses non-admins with 403 and the old message', async () => {
    const res = await rest(h, 'POST', '/api/events/', {
      token: alice.access,
      body: { name: 'X', capacity: 1, ...times },
    });
    expect(res).toMatchObject({
      status: 403,
      body: { error: 'Only superuser (admin) can create events.', code: 'FORBIDDEN' },
    });
  });

  it('validates capacity, required times and their order', async () => {
    const bad = await rest(h, 'POST', '/api/events/', { token: admin.access, body: { name: 'Bad', capacity: 0 } });
    expect(bad).toMatchObject({
      status: 400,
      body: {
        capacity: ['Ensure this value is greater than or equal to 1.'],
        start_time: ['This field is required.'],
        end_time: ['This field is required.'],
      },
    });
    const backwards = await rest(h, 'POST', '/api/events/', {
      token: admin.access,
      body: { name: 'Backwards', capacity: 5, start_time: times.end_time, end_time: times.start_time },
    });
    expect(backwards).toMatchObject({ status: 400, body: { end_time: ['End time must be after start time.'] } });
    const mass = await rest(h, 'POST', '/api/events/', {
      token: admin.access,
      body: { name: 'M', capacity: 5, ...times, held: 5, available_capacity: 0 },
    });
    expect(mass).toMatchObject({
      status: 400,
      body: { held: ['Unknown field.'], available_capacity: ['Unknown field.'] },
    });
  });
});

describe('update and delete', () => {
  it('patches, puts and deletes (admin only)', async () => {
    const event = await createEvent(h, { capacity: 5 });
    const patched = await rest(h, 'PATCH', `/api/events/${event.id}/`, {
      token: admin.access,
      body: { description: 'patched' },
    });
    expect(patched).toMatchObject({ status: 200, body: { description: 'patched', name: event.name } });
    expect(
      (await rest(h, 'PATCH', `/api/events/${event.id}/`, { token: alice.access, body: { name: 'Hacked' } })).body,
    ).toEqual({ error: 'Only superuser (admin) can update events.', code: 'FORBIDDEN' });
    const put = await rest(h, 'PUT', `/api/events/${event.id}/`, {
      token: admin.access,
      body: { name: 'Renamed', capacity: 7, ...times },
    });
    expect(put).toMatchObject({ status: 200, body: { name: 'Renamed', capacity: 7, description: 'patched' } });
    const partialPut = await rest(h, 'PUT', `/api/events/${event.id}/`, { token: admin.access, body: { name: 'x' } });
    expect(partialPut.status).toBe(400);
    expect((await rest(h, 'DELETE', `/api/events/${event.id}/`, { token: alice.access })).body).toEqual({
      error: 'Only superuser (admin) can delete events.',
      code: 'FORBIDDEN',
    });
    expect(await rest(h, 'DELETE', `/api/events/${event.id}/`, { token: admin.access })).toMatchObject({
      status: 200,
      body: { message: 'Event deleted successfully.' },
    });
    expect((await rest(h, 'GET', `/api/events/${event.id}/`, { token: alice.access })).status).toBe(404);
  });

  describe('a GET → edit → PUT round trip (read-only fields sent back)', () => {
    it('accepts and ignores the read-only fields over REST, PUT and PATCH', async () => {
      const event = await createEvent(h, { capacity: 5 });
      await rest(h, 'POST', '/api/reservations/create_hold/', {
        token: alice.access,
        body: { event_id: event.id, quantity: 2 },
      });
      const read = (await rest(h, 'GET', `/api/events/${event.id}/`, { token: admin.access })).body;
      expect(read).toMatchObject({ id: event.id, available_capacity: 3, hold_count: 2 });
      const put = await rest(h, 'PUT', `/api/events/${event.id}/`, {
        token: admin.access,
        body: { ...read, name: 'Round trip', capacity: 6 },
      });
      expect(put).toMatchObject({ status: 200, body: { name: 'Round trip', capacity: 6, available_capacity: 4 } });
      // Values that differ from the truth are ignored as well: they are not the client's to set.
      const patch = await rest(h, 'PATCH', `/api/events/${event.id}/`, {
        token: admin.access,
        body: {
          ...read,
          available_capacity: 100,
          hold_count: 0,
          confirmed_count: 9,
          created_at: '2000-01-01T00:00:00Z',
        },
      });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ available_capacity: 3, hold_count: 2, confirmed_count: 0, capacity: 5 });
      expect(patch.body.created_at).toBe(read.created_at);
      const l = await ledger(h, event.id);
      expect([l.capacity, l.held, l.confirmed]).toEqual([5, 2, 0]);
    });

    it('still refuses unknown fields, and an id that names another event, changing nothing', async () => {
      const event = await createEvent(h, { capacity: 5 });
      const other = await createEvent(h, { capacity: 5 });
      const read = (await rest(h, 'GET', `/api/events/${event.id}/`, { token: admin.access })).body;
      const unknown = await rest(h, 'PUT', `/api/events/${event.id}/`, {
        token: admin.access,
        body: { ...read, held: 0 },
      });
      expect(unknown).toMatchObject({ status: 400, body: { held: ['Unknown field.'] } });
      for (const method of ['PUT', 'PATCH'] as const) {
        for (const id of [other.id, String(other.id), 'abc', null]) {
          const res = await rest(h, method, `/api/events/${event.id}/`, {
            token: admin.access,
            body: { ...read, id, name: 'Wrong target' },
          });
          expect([method, id, res.status, res.body]).toEqual([
            method,
            id,
            400,
            { id: ['Does not match the id in the URL.'] },
          ]);
        }
      }
      // The matching id, as a number or a string, is fine.
      const same = await rest(h, 'PATCH', `/api/events/${event.id}/`, {
        token: admin.access,
        body: { id: String(event.id), description: 'same id' },
      });
      expect(same).toMatchObject({ status: 200, body: { description: 'same id' } });
      for (const e of [event, other]) {
        expect((await rest(h, 'GET', `/api/events/${e.id}/`, { token: admin.access })).body.name).toBe(e.name);
      }
    });

    it('accepts and ignores the read-only fields over tRPC', async () => {
      const event = await createEvent(h, { capacity: 5 });
      const read = (await trpc(h, 'query', 'events.byId', { id: event.id }, admin.access)).data;
      const put = await trpc(h, 'mutation', 'events.update', { ...read, name: 'Over tRPC' }, admin.access);
      expect(put.data).toMatchObject({ id: event.id, name: 'Over tRPC', available_capacity: 5 });
      const patch = await trpc(
        h,
        'mutation',
        'events.patch',
        { ...read, available_capacity: 0, is_active: false },
        admin.access,
      );
      expect(patch.data).toMatchObject({ available_capacity: 5, is_active: false });
      // Typed as GET returns them, with no coercion: a string count is refused on both transports.
      const wrongType = await trpc(
        h,
        'mutation',
        'events.patch',
        { id: event.id, available_capacity: '1.0' },
        admin.access,
      );
      expect(wrongType.error?.data.httpStatus).toBe(400);
      const wrongTypeRest = await rest(h, 'PATCH', `/api/events/${event.id}/`, {
        token: admin.access,
        body: { hold_count: '2' },
      });
      expect(wrongTypeRest.status).toBe(400);
      const unknown = await trpc(h, 'mutation', 'events.patch', { id: event.id, held: 3 }, admin.access);
      expect(unknown.error?.data.fieldErrors).toEqual({ held: ['Unknown field.'] });
    });
  });

  it('refuses to delete an event with live reservations, and allows it once they lapse', async () => {
    const event = await createEvent(h, { capacity: 5 });
    const held = await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 2 },
    });
    const refused = await rest(h, 'DELETE', `/api/events/${event.id}/`, { token: admin.access });
    expect(refused).toMatchObject({ status: 409, body: { code: 'EVENT_HAS_RESERVATIONS' } });
    await expireNow(h, held.body.id);
    expect((await rest(h, 'DELETE', `/api/events/${event.id}/`, { token: admin.access })).status).toBe(200);
  });

  it('refuses a capacity below the seats held or confirmed with 409 CAPACITY_BELOW_RESERVED', async () => {
    const event = await createEvent(h, { capacity: 10 });
    await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 6 },
    });
    const cut = await rest(h, 'PATCH', `/api/events/${event.id}/`, { token: admin.access, body: { capacity: 5 } });
    expect(cut).toMatchObject({ status: 409, body: { code: 'CAPACITY_BELOW_RESERVED' } });
    const ok = await rest(h, 'PATCH', `/api/events/${event.id}/`, { token: admin.access, body: { capacity: 6 } });
    expect(ok).toMatchObject({ status: 200, body: { capacity: 6, available_capacity: 0, hold_count: 6 } });
  });

  it('rejects a patch that would put the end before the start', async () => {
    const event = await createEvent(h);
    const res = await rest(h, 'PATCH', `/api/events/${event.id}/`, {
      token: admin.access,
      body: { end_time: '2000-01-01T00:00:00Z' },
    });
    expect(res).toMatchObject({ status: 400, body: { end_time: ['End time must be after start time.'] } });
  });

  it('refuses an unpaired surrogate with 400 and changes nothing (it once reached the audit jsonb: a 500)', async () => {
    const event = await createEvent(h);
    for (const name of ['\ud800', 'a\udc00b']) {
      const res = await rest(h, 'PATCH', `/api/events/${event.id}/`, { token: admin.access, body: { name } });
      expect(res).toMatchObject({ status: 400, body: { name: ['Unpaired surrogate characters are not allowed.'] } });
      const viaTrpc = await trpc(h, 'mutation', 'events.patch', { id: event.id, description: name }, admin.access);
      expect(viaTrpc.error?.data?.fieldErrors).toEqual({
        description: ['Unpaired surrogate characters are not allowed.'],
      });
    }
    // A paired surrogate is a character like any other.
    const ok = await rest(h, 'PATCH', `/api/events/${event.id}/`, { token: admin.access, body: { name: 'Gig 🎸' } });
    expect(ok).toMatchObject({ status: 200, body: { name: 'Gig 🎸' } });
    expect((await rest(h, 'GET', `/api/events/${event.id}/`, { token: admin.access })).body.name).toBe('Gig 🎸');
  });
});

describe('read', () => {
  it('counts an overdue hold as gone before any worker runs (database clock)', async () => {
    const event = await createEvent(h, { capacity: 10 });
    const held = await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 4 },
    });
    expect((await rest(h, 'GET', `/api/events/${event.id}/`, { token: alice.access })).body).toMatchObject({
      available_capacity: 6,
      hold_count: 4,
    });
    await expireNow(h, held.body.id);
    expect((await rest(h, 'GET', `/api/events/${event.id}/`, { token: alice.access })).body).toMatchObject({
      available_capacity: 10,
      hold_count: 0,
    });
    const full = await rest(h, 'POST', '/api/reservations/create_hold/', {
      token: alice.access,
      body: { event_id: event.id, quantity: 10 },
    });
    expect(full.status).toBe(201);
  });

  it('answers 404 {"detail":"Not found."} and 400 for a non-numeric id', async () => {
    expect((await rest(h, 'GET', '/api/events/99999999/', { token: alice.access })).body).toEqual({
      detail: 'Not found.',
    });
    expect((await rest(h, 'GET', '/api/events/abc/', { token: alice.access })).status).toBe(400);
  });

  it('requires a token and rejects garbage', async () => {
    expect((await rest(h, 'GET', '/api/events/')).body).toEqual({
      detail: 'Authentication credentials were not provided.',
    });
    expect((await rest(h, 'GET', '/api/events/', { token: 'garbage' })).body).toEqual({
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
    });
  });

  it('paginates 20 a page ordered by start_time then id, with links that keep the filters', async () => {
    // A far-future window of our own so other tests' events do not interfere.
    const year = 2100 + Math.floor(Math.random() * 800);
    const at = (d: number) => `${year}-01-${String(d).padStart(2, '0')}T10:00:00Z`;
    const end = (d: number) => `${year}-01-${String(d).padStart(2, '0')}T12:00:00Z`;
    for (let i = 0; i < 23; i++) {
      await createEvent(h, { start_time: at(1 + (i % 5)), end_time: end(1 + (i % 5)), is_active: i % 2 === 0 });
    }
    const filter = `start_date=${year}-01-01&end_date=${year}-01-31`;
    const page1 = await rest(h, 'GET', `/api/events/?${filter}`, { token: alice.access });
    expect(page1.status).toBe(200);
    expect(page1.body.count).toBe(23);
    expect(page1.body.results).toHaveLength(20);
    expect(page1.body.previous).toBeNull();
    // Relative: no PUBLIC_URL in the tests (test/pagination-links.test.ts covers both forms).
    expect(page1.body.next).toMatch(/^\/api\/events\/\?.*page=2/);
    const keys = page1.body.results.map((e: { start_time: string; id: number }) => [e.start_time, e.id]);
    expect(keys).toEqual([...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])));
    const page2 = await rest(h, 'GET', page1.body.next, { token: alice.access });
    expect(page2.body.results).toHaveLength(3);
    expect(page2.body.next).toBeNull();
    expect(page2.body.previous).toEqual(expect.any(String));
    const inactive = await rest(h, 'GET', `/api/events/?${filter}&is_active=false`, { token: alice.access });
    expect(inactive.body.count).toBe(11);
    expect(inactive.body.results.every((e: { is_active: boolean }) => !e.is_active)).toBe(true);
    expect(await rest(h, 'GET', `/api/events/?${filter}&page=999`, { token: alice.access })).toMatchObject({
      status: 404,
      body: { detail: 'Invalid page.' },
    });
    expect((await rest(h, 'GET', '/api/events/?is_active=maybe', { token: alice.access })).status).toBe(400);
  });
});

describe('over tRPC', () => {
  it('runs the admin and read procedures with typed errors', async () => {
    const created = await trpc(
      h,
      'mutation',
      'events.create',
      { name: unique('T '), capacity: 3, ...times },
      admin.access,
    );
    expect(created.data.capacity).toBe(3);
    const id = created.data.id;
    expect((await trpc(h, 'query', 'events.byId', { id }, alice.access)).data.id).toBe(id);
    expect((await trpc(h, 'query', 'events.list', { page: 1 }, alice.access)).data.count).toBeGreaterThan(0);
    const forbidden = await trpc(h, 'mutation', 'events.patch', { id, name: 'x' }, alice.access);
    expect(forbidden.error?.data).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN' });
    expect((await trpc(h, 'mutation', 'events.patch', { id, capacity: 4 }, admin.access)).data.capacity).toBe(4);
    expect((await trpc(h, 'mutation', 'events.delete', { id }, admin.access)).data.message).toMatch(/deleted/);
    const missing = await trpc(h, 'query', 'events.byId', { id }, alice.access);
    expect(missing.error?.data).toMatchObject({ appCode: 'NOT_FOUND', httpStatus: 404 });
  });
});
