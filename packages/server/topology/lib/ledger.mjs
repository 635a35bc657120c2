// The checks after every scenario, straight from PostgreSQL: counters equal the reservations, no event oversold,
// every acknowledged hold exists as acknowledged, every acknowledged confirm/cancel stuck, no reservation appeared
// that the clients did not ask for (a retried write never doubles), and the expiry lag of the lapsed holds.
import pg from 'pg';

export async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  // A server restarting under us surfaces as a failed query; the event on the idle client must not end the run.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function ledgerCheck(url, record, eventIds) {
  return withClient(url, async (db) => {
    const counters = await db.query(
      `SELECT e.id, e.capacity, e.held, e.confirmed,
         COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'HOLD'), 0)::int AS recount_held,
         COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'CONFIRMED'), 0)::int AS recount_confirmed
       FROM events e LEFT JOIN reservations r ON r.event_id = e.id GROUP BY e.id`,
    );
    const counterDrift = counters.rows.filter((e) => e.held !== e.recount_held || e.confirmed !== e.recount_confirmed);
    const oversold = counters.rows.filter((e) => e.recount_held + e.recount_confirmed > e.capacity);
    const rows = await db.query(
      `SELECT r.id, r.status, r.quantity, r.event_id, r.user_id, u.username
       FROM reservations r JOIN users u ON u.id = r.user_id WHERE r.event_id = ANY($1)`,
      [eventIds],
    );
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    const missingHolds = [];
    for (const [id, hold] of record.holds) {
      if (!eventIds.includes(hold.event)) continue;
      const row = byId.get(id);
      if (!row || row.user_id !== hold.user || row.event_id !== hold.event || row.quantity !== hold.quantity) {
        missingHolds.push(id);
      }
    }
    const lostConfirms = [...record.confirmed].filter((id) => byId.has(id) && byId.get(id).status !== 'CONFIRMED');
    const lostCancels = [...record.cancelled].filter((id) => byId.has(id) && byId.get(id).status !== 'CANCELLED');
    // Reservations the clients never got an answer for may exist (committed, then the answer was lost); beyond those,
    // any extra reservation of a user is a duplicate.
    const perUser = new Map();
    for (const row of rows.rows) perUser.set(row.username, (perUser.get(row.username) ?? 0) + 1);
    const ackedPerUser = new Map();
    for (const [id] of record.holds) {
      const row = byId.get(id);
      if (row) ackedPerUser.set(row.username, (ackedPerUser.get(row.username) ?? 0) + 1);
    }
    let duplicates = 0;
    for (const [user, count] of perUser) {
      const extra = count - (ackedPerUser.get(user) ?? 0) - (record.unknownHolds.get(user) ?? 0);
      if (extra > 0) duplicates += extra;
    }
    const result = {
      events: counters.rows.length,
      reservations: rows.rows.length,
      counterDrift: counterDrift.length,
      oversold: oversold.length,
      missingHolds: missingHolds.length,
      lostConfirms: lostConfirms.length,
      lostCancels: lostCancels.length,
      duplicates,
    };
    result.ok =
      result.counterDrift === 0 &&
      result.oversold === 0 &&
      result.missingHolds === 0 &&
      result.lostConfirms === 0 &&
      result.lostCancels === 0 &&
      result.duplicates === 0;
    return result;
  });
}

/** The oldest overdue hold right now (ms past its expiry by the database clock), 0 when there is none. */
export async function overdueNow(db) {
  const { rows } = await db.query(
    `SELECT COALESCE(max(extract(epoch FROM now() - expires_at) * 1000), 0)::float8 AS ms
     FROM reservations WHERE status = 'HOLD' AND expires_at <= now()`,
  );
  return rows[0].ms;
}

/** Lapse → EXPIRED of the holds that expired on these events (ms, database clock), and holds still HOLD. */
export async function expiryLags(url, eventIds) {
  return withClient(url, async (db) => {
    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE status = 'EXPIRED')::int AS expired,
         COALESCE(max(extract(epoch FROM updated_at - expires_at) * 1000) FILTER (WHERE status = 'EXPIRED'), 0)::float8
           AS max_ms,
         count(*) FILTER (WHERE status = 'HOLD')::int AS still_held
       FROM reservations WHERE event_id = ANY($1)`,
      [eventIds],
    );
    return rows[0];
  });
}
