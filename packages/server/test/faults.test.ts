// Fault injection: backends killed mid-transaction during a storm, PostgreSQL restarted under load, the API
// process SIGKILLed mid-load and restarted. After each: no partial reservation, counters equal a recount, no
// 500, and the service recovers by itself.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { migrate } from '../src/db/migrator';
import { recordReliability } from './reliability/record';
import { runStorm, totalViolations } from './reliability/storm';
import { createEvent, createHarness, createUser, ledger, TEST_JWT_SECRET, type Harness } from './support/harness';
import { freePort, listen, withIsolatedDatabase } from './support/isolated';
import { startPrivatePostgres } from './support/private-postgres';
import { withDatabase } from './support/test-database';

const faults: Record<string, unknown> = {};
afterAll(() => recordReliability('faults', faults));

async function consistency(seq: Sequelize) {
  const [row] = await seq.query<{ drift: number; oversold: number; holds_without_expiry: number }>(
    `WITH t AS (
       SELECT e.id, e.capacity, e.held, e.confirmed,
         COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'HOLD'), 0) AS rh,
         COALESCE(sum(r.quantity) FILTER (WHERE r.status = 'CONFIRMED'), 0) AS rc
       FROM events e LEFT JOIN reservations r ON r.event_id = e.id GROUP BY e.id)
     SELECT count(*) FILTER (WHERE held <> rh OR confirmed <> rc)::int AS drift,
            count(*) FILTER (WHERE rh + rc > capacity)::int AS oversold,
            (SELECT count(*) FROM reservations WHERE status = 'HOLD' AND expires_at IS NULL)::int AS holds_without_expiry
     FROM t`,
    { type: QueryTypes.SELECT },
  );
  return row!;
}

describe('faults', () => {
  it('survives backends killed mid-transaction during a storm (pg_terminate_backend)', async () => {
    await withIsolatedDatabase('holdfast_fault_kill', async (db, seq) => {
      let h: Harness | undefined;
      try {
        h = await createHarness({ DATABASE_URL: db.url, HOLD_TTL_SECONDS: '2', DATABASE_POOL_MAX: '10' });
        let killed = 0;
        const report = await runStorm(h, await listen(h), {
          clients: 12,
          events: 3,
          capacity: 10,
          durationMs: 6000,
          chaos: async (signal) => {
            while (!signal.aborted) {
              await new Promise((r) => setTimeout(r, 150));
              const rows = await seq.query<{ pid: number }>(
                `SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'holdfast'
                  AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')`,
                { type: QueryTypes.SELECT },
              );
              killed += rows.length;
            }
          },
        });
        const after = await consistency(seq);
        const busy = Object.entries(report.byOutcome)
          .filter(([k]) => k.includes(':503'))
          .reduce((s, [, n]) => s + n, 0);
        faults.backendKills = {
          killed,
          operations: report.operations,
          retryable503: busy,
          status500: report.status500,
          ...after,
        };
        console.log(
          `faults: backends killed=${killed} operations=${report.operations} 503=${busy} 500=${report.status500}`,
        );
        expect(killed).toBeGreaterThan(0);
        expect(report.status500).toBe(0);
        expect(report.status5xx).toBe(busy); // every 5xx was a retryable 503 BUSY
        expect(totalViolations(report)).toBe(0);
        expect(after).toEqual({ drift: 0, oversold: 0, holds_without_expiry: 0 });
        // Recovered: a plain hold works again.
        const user = await createUser(h);
        const event = await createEvent(h, { capacity: 2 });
        const res = await h.app.inject({
          method: 'POST',
          url: '/api/reservations/create_hold/',
          headers: { authorization: `Bearer ${user.access}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ event_id: event.id }),
        });
        expect(res.statusCode).toBe(201);
      } finally {
        await h?.close();
      }
    });
  });

  it('answers /readyz 503 then 200 across a PostgreSQL restart, and no request hangs', async () => {
    const pg = startPrivatePostgres(await freePort());
    let h: Harness | undefined;
    try {
      const url = withDatabase(pg.url, 'postgres');
      const seq = new Sequelize(url, { dialect: 'postgres', logging: false });
      await migrate(seq);
      await seq.close();
      h = await createHarness({ DATABASE_URL: url, DATABASE_POOL_MAX: '5' });
      const base = await listen(h);
      const user = await createUser(h);
      const event = await createEvent(h, { capacity: 1000 });
      const hold = async () => {
        const started = Date.now();
        const res = await fetch(`${base}/api/reservations/create_hold/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${user.access}`, 'content-type': 'application/json' },
          body: JSON.stringify({ event_id: event.id }),
          signal: AbortSignal.timeout(30_000),
        });
        return { status: res.status, ms: Date.now() - started };
      };
      expect((await hold()).status).toBe(201);
      pg.stop();
      const readyDown = await fetch(`${base}/readyz`);
      expect(readyDown.status).toBe(503);
      const during = await Promise.all([hold(), hold(), hold()]);
      for (const r of during) {
        expect(r.status).toBe(503);
        expect(r.ms).toBeLessThan(20_000);
      }
      pg.start();
      let ready = 0;
      for (let i = 0; i < 40 && ready !== 200; i++) {
        ready = (await fetch(`${base}/readyz`)).status;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(ready).toBe(200);
      let after = await hold();
      for (let i = 0; i < 5 && after.status !== 201; i++) after = await hold();
      expect(after.status).toBe(201);
      const l = await ledger(h, event.id);
      expect(l.held).toBe(l.recount_held);
      faults.postgresRestart = {
        readyzWhileDown: readyDown.status,
        requestsWhileDown: during.map((r) => r.status),
        slowestWhileDownMs: Math.max(...during.map((r) => r.ms)),
        readyzAfter: ready,
      };
    } finally {
      await h?.close();
      pg.destroy();
    }
  });

  it('keeps the state consistent when the API process is SIGKILLed mid-load and restarted', async () => {
    const main = path.resolve(__dirname, '../dist/main.js');
    if (!existsSync(main)) throw new Error('packages/server/dist is missing: run `pnpm build` first (pnpm test does).');
    await withIsolatedDatabase('holdfast_fault_sigkill', async (db, seq) => {
      let child: ChildProcess | undefined;
      let h: Harness | undefined;
      try {
        h = await createHarness({ DATABASE_URL: db.url });
        const users = await Promise.all(Array.from({ length: 6 }, () => createUser(h!)));
        const event = await createEvent(h, { capacity: 50 });
        const port = await freePort();
        const startApi = async () => {
          const proc = spawn(process.execPath, [main], {
            env: {
              ...process.env,
              NODE_ENV: 'production',
              DATABASE_URL: db.url,
              PORT: String(port),
              HOST: '127.0.0.1',
              JWT_SECRET: TEST_JWT_SECRET,
              LOG_LEVEL: 'error',
              MAX_ACTIVE_HOLDS_PER_USER: '0',
              MAX_HELD_SEATS_PER_USER: '0',
            },
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          proc.stderr?.on('data', (d) => (stderr += String(d)));
          // Ready when /readyz says so, however long a busy machine takes to start node; a process that exits
          // instead fails at once (the test's own timeout bounds the wait).
          const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
          let gone = false;
          void exited.then(() => (gone = true));
          while (!gone) {
            const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
              (r) => r.ok,
              () => false,
            );
            if (ok) return proc;
            await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
          }
          throw new Error(`API exited before it was ready: ${stderr.trim()}`);
        };
        child = await startApi();
        let sent = 0;
        const load = users.map(async (u) => {
          for (;;) {
            sent++;
            const ok = await fetch(`http://127.0.0.1:${port}/api/reservations/create_hold/`, {
              method: 'POST',
              headers: { authorization: `Bearer ${u.access}`, 'content-type': 'application/json' },
              body: JSON.stringify({ event_id: event.id }),
            }).then(
              () => true,
              () => false,
            );
            if (!ok) return;
          }
        });
        await new Promise((r) => setTimeout(r, 800));
        child.kill('SIGKILL');
        await Promise.all(load);
        const afterKill = await consistency(seq);
        expect(afterKill).toEqual({ drift: 0, oversold: 0, holds_without_expiry: 0 });
        child = await startApi();
        const res = await fetch(`http://127.0.0.1:${port}/api/events/${event.id}/`, {
          headers: { authorization: `Bearer ${users[0]!.access}` },
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { hold_count: number; available_capacity: number };
        const l = await ledger(h, event.id);
        expect(body.hold_count).toBe(l.live_held);
        expect(await consistency(seq)).toEqual({ drift: 0, oversold: 0, holds_without_expiry: 0 });
        faults.apiSigkill = { requestsSent: sent, holdsCommitted: l.recount_held, ...afterKill };
      } finally {
        child?.kill('SIGKILL');
        await h?.close();
      }
    });
  });
});
