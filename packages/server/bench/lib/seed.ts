// Users and events for the bench. Accounts and the named events go through the API (REST) and the CLI, as a
// client would create them; the bulk (spread events, pre-existing reservations) is inserted with SQL
// generate_series, with the events' held/confirmed counters set to match.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runCli, type ApiServer } from './server';

export interface BenchUser {
  id: number;
  username: string;
  password: string;
  access: string;
}

export interface Seed {
  admin: BenchUser;
  users: BenchUser[];
  /** Named events by role (hot events: one per measured run, so every run starts from the same state). */
  events: Record<string, number>;
  /** Events on the first page of GET /api/events/, each with reservations. */
  listEvents: number[];
  spreadApi: number[];
  spreadCeiling: number[];
}

export const HOT_CAPACITY = 1_000_000; // the API's maximum (events.schema MAX_CAPACITY)

/** A fresh bookable event with the hot capacity, straight in SQL: each hold run gets one of its own. */
export async function newHotEvent(sql: pg.Client, name: string): Promise<number> {
  const r = await sql.query<{ id: number }>(
    `INSERT INTO events (name, capacity, start_time, end_time)
     VALUES ($1, ${HOT_CAPACITY}, now() + interval '30 days', now() + interval '30 days 3 hours') RETURNING id`,
    [name],
  );
  const id = r.rows[0]?.id;
  if (id === undefined) throw new Error('event insert returned nothing');
  return id;
}

async function call<T>(
  server: ApiServer,
  method: string,
  path: string,
  body: unknown,
  token?: string,
  expect = [200, 201],
): Promise<T> {
  const res = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

export function api(server: ApiServer) {
  return {
    call: <T>(method: string, path: string, body?: unknown, token?: string, expect?: number[]) =>
      call<T>(server, method, path, body, token, expect),
    token: (username: string, password: string) =>
      call<{ access: string; refresh: string }>(server, 'POST', '/api/token/', { username, password }),
  };
}

async function inBatches<T, R>(items: T[], size: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map((t, j) => fn(t, i + j)))));
  }
  return out;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const DAY = 86_400_000;

export async function seed(
  server: ApiServer,
  databaseUrl: string,
  opts: {
    users: number;
    existingReservations: number;
    spreadEvents: number;
    hotRoles: string[];
    log: (m: string) => void;
  },
): Promise<Seed> {
  const a = api(server);
  const suffix = randomBytes(4).toString('hex');
  const password = `Bench-${randomBytes(9).toString('base64url')}-${suffix}`;

  // The admin through the CLI, like an operator would.
  const adminName = `bench_admin_${suffix}`;
  await runCli(server, [
    'createsuperuser',
    '--username',
    adminName,
    '--email',
    `${adminName}@bench.test`,
    '--password',
    password,
  ]);
  const adminToken = await a.token(adminName, password);
  const me = await a.call<{ id: number }>('GET', '/api/auth/users/me/', undefined, adminToken.access);
  const admin: BenchUser = { id: me.id, username: adminName, password, access: adminToken.access };

  // Users through the public register endpoint, then a token each (bcrypt twice per user: a few at a time).
  const names = Array.from({ length: opts.users }, (_, i) => `bench_user_${i + 1}_${suffix}`);
  const users = await inBatches(names, 4, async (username) => {
    const reg = await a.call<{ user: { id: number } }>('POST', '/api/auth/users/register/', {
      username,
      email: `${username}@bench.test`,
      password,
      password2: password,
    });
    const t = await a.token(username, password);
    return { id: reg.user.id, username, password, access: t.access };
  });
  opts.log(`created ${users.length} users and an admin`);

  // Named events through the API. Page 1 of the list (ordered by start_time) is the 20 list events.
  const now = Date.now();
  const makeEvent = async (name: string, capacity: number, startInDays: number) => {
    const start = new Date(now + startInDays * DAY);
    const e = await a.call<{ id: number }>(
      'POST',
      '/api/events/',
      {
        name,
        description: `Holdfast bench event ${name}`,
        capacity,
        start_time: iso(start),
        end_time: iso(new Date(start.getTime() + 3 * 3_600_000)),
        is_active: true,
      },
      admin.access,
    );
    return e.id;
  };
  const listEvents = await inBatches(
    Array.from({ length: 20 }, (_, i) => i),
    5,
    (i) => makeEvent(`list-${i + 1}`, 10_000, 1 + i / 100),
  );
  const events: Record<string, number> = {};
  for (const role of opts.hotRoles) events[role] = await makeEvent(role, HOT_CAPACITY, 30);
  opts.log(`created ${listEvents.length + opts.hotRoles.length} events through the API`);

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const bulk = async (prefix: string, n: number) => {
      const r = await db.query<{ id: number }>(
        `INSERT INTO events (name, description, capacity, start_time, end_time)
         SELECT $1 || g, 'Holdfast bench spread event', ${HOT_CAPACITY},
                now() + interval '60 days' + g * interval '1 minute',
                now() + interval '60 days' + g * interval '1 minute' + interval '3 hours'
           FROM generate_series(1, $2::int) g
         RETURNING id`,
        [prefix, n],
      );
      return r.rows.map((row) => row.id);
    };
    const spreadApi = await bulk('spread-api-', opts.spreadEvents);
    const spreadCeiling = await bulk('spread-ceiling-', opts.spreadEvents);

    const userIds = users.map((u) => u.id);
    // Reservations in every state: live holds, a few overdue holds the worker has not swept yet (lazy expiry
    // must subtract them on reads), confirmed, cancelled and expired ones.
    const insertReservations = async (eventId: number, n: number) => {
      await db.query(
        `INSERT INTO reservations (event_id, user_id, status, quantity, expires_at, created_at, updated_at)
         SELECT $1::int, ($2::int[])[1 + g % array_length($2::int[], 1)],
                s.status::reservation_status, 1 + g % 3,
                CASE s.status WHEN 'CONFIRMED' THEN NULL
                              WHEN 'HOLD' THEN CASE WHEN g % 40 = 0 THEN now() - interval '1 minute'
                                                    ELSE now() + interval '2 hours' END
                              ELSE now() - interval '1 hour' END,
                now() - interval '1 hour', now() - interval '1 hour'
           FROM generate_series(1, $3::int) g,
                LATERAL (SELECT (ARRAY['HOLD','CONFIRMED','HOLD','CONFIRMED','CANCELLED','EXPIRED',
                                       'HOLD','CONFIRMED','CONFIRMED','HOLD'])[1 + g % 10] AS status) s`,
        [eventId, userIds, n],
      );
    };
    for (const id of listEvents) await insertReservations(id, 200);
    for (const role of opts.hotRoles.filter((r) => r.includes('100k'))) {
      const id = events[role];
      if (id !== undefined) await insertReservations(id, opts.existingReservations);
    }
    await db.query(
      `UPDATE events e SET held = s.held, confirmed = s.confirmed
         FROM (SELECT event_id,
                      COALESCE(sum(quantity) FILTER (WHERE status = 'HOLD'), 0) AS held,
                      COALESCE(sum(quantity) FILTER (WHERE status = 'CONFIRMED'), 0) AS confirmed
                 FROM reservations GROUP BY event_id) s
        WHERE e.id = s.event_id`,
    );
    await db.query('VACUUM ANALYZE events');
    await db.query('VACUUM ANALYZE reservations');
    const count = await db.query<{ n: string }>('SELECT count(*) AS n FROM reservations');
    opts.log(
      `inserted ${spreadApi.length + spreadCeiling.length} spread events and ${count.rows[0]?.n} reservations with SQL`,
    );
    return { admin, users, events, listEvents, spreadApi, spreadCeiling };
  } finally {
    await db.end();
  }
}
