// GET /api/admin/reservations/export.csv: the admin list's filters, as streamed CSV.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { csvCell } from '../src/routes/admin-export';
import { createEvent, createHarness, createUser, rest, unique, type Harness, type TestUser } from './support/harness';

let h: Harness;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  h = await createHarness({ MAX_ACTIVE_HOLDS_PER_USER: '0' });
  [admin, alice] = await Promise.all([createUser(h, { admin: true }), createUser(h)]);
});
afterAll(() => h.close());

const csv = (query: string, token = admin.access) =>
  h.app.inject({
    method: 'GET',
    url: `/api/admin/reservations/export.csv${query}`,
    headers: { authorization: `Bearer ${token}` },
  });

describe('CSV export', () => {
  it('streams one row per reservation with the filters of the list, in chunks', async () => {
    const event = await createEvent(h, { name: `=HYPERLINK("x"), "quoted" ${unique('')}`, capacity: 50 });
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await rest(h, 'POST', '/api/reservations/create_hold/', {
        token: alice.access,
        body: { event_id: event.id, quantity: 1 },
      });
      ids.push(r.body.id);
    }
    await rest(h, 'POST', '/api/reservations/confirm/', { token: alice.access, body: { reservation_id: ids[0] } });
    const res = await csv(`?event=${event.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('reservations.csv');
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,event,event_name,user,user_username,status,quantity,expires_at,created_at,updated_at');
    expect(lines).toHaveLength(8);
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(ids);
    // The event name is quoted (it has commas and quotes) and defused (it starts with "=").
    expect(lines[1]).toContain(`"'=HYPERLINK(""x""), ""quoted"" `);
    expect(lines[1]).toContain(',CONFIRMED,1,,');
    const holds = await csv(`?event=${event.id}&status=HOLD`);
    expect(holds.body.trimEnd().split('\r\n')).toHaveLength(7);
    // A chunk size smaller than the result: every row once, in id order.
    const chunks: number[][] = [];
    for await (const chunk of h.rt.services.reservationSearch.exportChunks({ event: event.id }, 3)) {
      chunks.push(chunk.map((r) => r.id));
    }
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 1]);
    expect(chunks.flat()).toEqual(ids);
  });

  it('answers 401 / 403 / 400 like the admin procedures, without the trailing slash too', async () => {
    const anonymous = await h.app.inject({ method: 'GET', url: '/api/admin/reservations/export.csv' });
    expect([anonymous.statusCode, anonymous.json()]).toEqual([
      401,
      { detail: 'Authentication credentials were not provided.' },
    ]);
    const user = await csv('', alice.access);
    expect([user.statusCode, user.json().code]).toEqual([403, 'FORBIDDEN']);
    const bad = await csv('?status=LOST');
    expect(bad.statusCode).toBe(400);
    const slash = await h.app.inject({
      method: 'GET',
      url: '/api/admin/reservations/export.csv/?event=1',
      headers: { authorization: `Bearer ${admin.access}` },
    });
    expect(slash.statusCode).toBe(200);
  });

  it('quotes cells as RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('+1 guest')).toBe("'+1 guest");
    expect(csvCell('@admin')).toBe("'@admin");
  });
});
