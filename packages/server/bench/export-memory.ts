// Peak RSS of the API while it streams a large CSV export (`node bench/dist/export-memory.js [--rows 100000]`).
// Seeds N reservations straight into a fresh database, starts the built API (dist/main.js, production settings),
// reads GET /api/admin/reservations/export.csv to the end over real HTTP, and reports the API's RSS before, its peak
// during the export (VmHWM), the rows and bytes received. Flat memory means the peak does not grow with N: run it
// with --rows 10000 and --rows 100000 and compare.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createBenchDatabase } from './lib/database';
import { readRssMb, runCli, SERVER_DIR, startServer } from './lib/server';

function peakRssMb(pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Number(m[1]) / 1024 : Number.NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '100000' }, 'database-url': { type: 'string' } },
  });
  const rows = Number(values.rows);
  const adminUrl = values['database-url'] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = await createBenchDatabase(adminUrl);
  const server = await startServer({
    databaseUrl: db.url,
    pool: 5,
    bcryptCost: 4,
    jwtSecret: randomBytes(32).toString('hex'),
    nodeArgs: [],
    dir: SERVER_DIR,
  });
  try {
    const password = `Export-${randomBytes(6).toString('hex')}`;
    await runCli(server, [
      'createsuperuser',
      '--username',
      'exporter',
      '--email',
      'e@example.com',
      '--password',
      password,
    ]);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      // Finished reservations (no seat counters to keep): 100 users, 10 events, N rows.
      await client.query(`INSERT INTO users (username, email, password)
        SELECT 'u' || i, 'u' || i || '@example.com', 'x' FROM generate_series(1, 100) i`);
      await client.query(`INSERT INTO events (name, capacity, start_time, end_time)
        SELECT 'Event ' || i, 1000, now() + interval '1 day', now() + interval '2 days' FROM generate_series(1, 10) i`);
      await client.query(
        `INSERT INTO reservations (event_id, user_id, status, quantity, created_at, updated_at)
         SELECT (SELECT min(id) FROM events) + i % 10, (SELECT min(id) FROM users WHERE username LIKE 'u%') + i % 100,
                CASE WHEN i % 2 = 0 THEN 'CANCELLED' ELSE 'EXPIRED' END::reservation_status, 1 + i % 4,
                now() - make_interval(secs => i), now()
           FROM generate_series(1, $1) i`,
        [rows],
      );
      await client.query('ANALYZE');
    } finally {
      await client.end();
    }
    const login = await fetch(`${server.baseUrl}/api/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'exporter', password }),
    });
    const { access } = (await login.json()) as { access: string };
    const before = readRssMb(server.pid) ?? Number.NaN;
    const hwmBefore = peakRssMb(server.pid);
    const started = Date.now();
    const res = await fetch(`${server.baseUrl}/api/admin/reservations/export.csv`, {
      headers: { authorization: `Bearer ${access}` },
    });
    if (!res.ok || !res.body) throw new Error(`export answered ${res.status}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      for (const b of chunk) if (b === 10) lines++;
    }
    const report = {
      rows,
      linesReceived: lines - 1,
      megabytes: +(bytes / 1024 / 1024).toFixed(1),
      seconds: +((Date.now() - started) / 1000).toFixed(1),
      rssBeforeMb: +before.toFixed(1),
      peakRssBeforeExportMb: +hwmBefore.toFixed(1),
      peakRssAfterExportMb: +peakRssMb(server.pid).toFixed(1),
      sampledPeakMb: +server.rss.overall().toFixed(1),
    };
    console.log(JSON.stringify(report, null, 2));
    if (report.linesReceived !== rows) throw new Error(`expected ${rows} rows, received ${report.linesReceived}`);
  } finally {
    await server.stop();
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
