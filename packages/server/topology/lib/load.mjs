// A steady mixed load through the proxy: holds, confirms, cancels and lists from a few clients with a think time
// between requests (modest CPU), bounded in time. The client behaves like a well-written one: every write carries
// an Idempotency-Key, and a 503 with Retry-After is retried after that delay with the same key. Anything else that
// is not an answer of the API (a reset connection, a proxy 502/504, a 503 without Retry-After, a 500) is a failed
// request and is recorded with its request ids, times and reason.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const MAX_ATTEMPTS = 40;

let sequence = 0;
const requestId = () => `topo-${process.pid}-${++sequence}-${randomBytes(3).toString('hex')}`;

/** What the clients learned: every request's outcome and every reservation the API acknowledged. */
export function createRecord() {
  return {
    requests: [],
    holds: new Map(), // id → { user, event, quantity }
    confirmed: new Set(),
    cancelled: new Set(),
    /** Writes whose outcome the client cannot know (failed after being sent). */
    unknownHolds: new Map(), // username → count
    unknownWrites: new Set(), // reservation ids with a confirm/cancel of unknown outcome
  };
}

/**
 * One logical request, retried on 503 + Retry-After. Returns { status, body } for an answer of the API, or
 * { failed: reason } for anything else.
 */
export async function call(base, record, op, method, path, { token, body, key } = {}) {
  const entry = { op, method, path, start: Date.now(), end: 0, ids: [], attempts: 0, retried503: 0 };
  record?.requests.push(entry);
  for (;;) {
    entry.attempts++;
    const id = requestId();
    entry.ids.push(id);
    let res;
    let text;
    try {
      ({ res, text } = await send(
        `${base}${path}`,
        method,
        {
          'x-request-id': id,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body === undefined ? undefined : JSON.stringify(body),
      ));
    } catch (err) {
      return finish(entry, { failed: `network error (${err?.code ?? err?.message ?? String(err)})` });
    }
    const retryAfter = res.headers['retry-after'] ?? null;
    if (res.statusCode === 503 && retryAfter !== null && entry.attempts < MAX_ATTEMPTS) {
      entry.retried503++;
      await sleep(Math.min(Number(retryAfter) || 1, 5) * 1000);
      continue;
    }
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.statusCode >= 500) {
      const why = res.statusCode === 503 && retryAfter === null ? '503 without Retry-After' : `${res.statusCode}`;
      return finish(entry, { failed: `${why}${json?.code ? ` ${json.code}` : ''}`, status: res.statusCode });
    }
    return finish(entry, { status: res.statusCode, body: json });
  }
}

/**
 * One HTTP exchange on a connection of its own (`Connection: close`): the proxy reloads its configuration during
 * the run, and a client reusing an idle keep-alive connection the proxy is closing would see a reset that says
 * nothing about the API.
 */
function send(url, method, headers, payload) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent: false, headers: { ...headers, connection: 'close' }, timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ res, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}

function finish(entry, result) {
  entry.end = Date.now();
  entry.status = result.status;
  if (result.failed) entry.failed = result.failed;
  else entry.outcome = `${entry.op}:${result.status}${result.body?.code ? `:${result.body.code}` : ''}`;
  return result;
}

/**
 * Runs `clients` loops until `signal` aborts. Each client is one user: it holds (1–2 seats, on a random event of
 * `events`), then confirms, cancels or leaves the hold to lapse, and lists now and then.
 */
export function runLoad({ base, record, users, events, signal, thinkMs = 80 }) {
  const loops = users.map(async (user, u) => {
    // Keys are unique to this loop: the same user runs in several scenarios, and a key reused with another body
    // would be refused (422), not replayed.
    const run = randomBytes(4).toString('hex');
    const pending = [];
    let n = 0;
    while (!signal.aborted) {
      n++;
      const roll = Math.random();
      if (pending.length > 0 && roll < 0.35) {
        const id = pending.shift();
        if (Math.random() < 0.6) {
          const r = await call(base, record, 'confirm', 'POST', '/api/reservations/confirm/', {
            token: user.access,
            body: { reservation_id: id },
            key: `c-${id}`,
          });
          if (r.status === 200) record.confirmed.add(id);
          else if (r.failed) record.unknownWrites.add(id);
        } else {
          const r = await call(base, record, 'cancel', 'POST', `/api/reservations/${id}/cancel/`, {
            token: user.access,
            key: `x-${id}`,
          });
          if (r.status === 200) record.cancelled.add(id);
          else if (r.failed) record.unknownWrites.add(id);
        }
      } else if (roll < 0.6) {
        const event = events[(u + n) % events.length];
        const quantity = 1 + (n % 2);
        const r = await call(base, record, 'hold', 'POST', '/api/reservations/create_hold/', {
          token: user.access,
          body: { event_id: event, quantity },
          key: `h-${run}-${n}`,
        });
        if (r.status === 201) {
          record.holds.set(r.body.id, { user: user.id, event, quantity });
          // About a third of the holds are left to lapse: the workers expire them.
          if (Math.random() < 0.7) pending.push(r.body.id);
        } else if (r.failed) {
          record.unknownHolds.set(user.username, (record.unknownHolds.get(user.username) ?? 0) + 1);
        }
      } else if (roll < 0.8) {
        await call(base, record, 'list', 'GET', '/api/reservations/', { token: user.access });
      } else {
        await call(base, record, 'events', 'GET', `/api/events/${events[n % events.length]}/`, {
          token: user.access,
        });
      }
      await sleep(thinkMs);
    }
  });
  return Promise.all(loops);
}

/** Outcome counts and failures of the requests in [from, to). */
export function summarize(record, from, to = Infinity) {
  const requests = record.requests.filter((r) => r.start >= from && r.start < to);
  const outcomes = {};
  const failures = {};
  let retried503 = 0;
  for (const r of requests) {
    retried503 += r.retried503;
    if (r.failed) failures[`${r.op}: ${r.failed}`] = (failures[`${r.op}: ${r.failed}`] ?? 0) + 1;
    else outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  }
  return {
    requests: requests.length,
    failed: requests.filter((r) => r.failed).length,
    retried503,
    outcomes,
    failures,
    failedRequests: requests.filter((r) => r.failed),
  };
}
