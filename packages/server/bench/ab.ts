// A/B runs: `node bench/dist/ab.js [--b DIR]... [--scenario rest-hot,trpc-hot,list,spread] [--rounds 5] [--duration 5]`
// Compares arms — each server build (this package's dist = A, and patched copies given with --b: a folder with
// a dist/ and a node_modules link) × each scenario — on one database, alternating short runs round by round so
// that the drift of other load on the machine falls on every arm alike. Reports, per arm, the median rate and the
// median of the per-round ratio to the first arm. Use it to measure a hot-path change before making it in src/,
// or to compare REST with tRPC (`--scenario rest-hot,trpc-hot`), or to measure what the audit log costs the hot
// hold path (`--audit-off`: one more arm, this build with auditing switched off, labelled A-noaudit).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dynamicPost, getAsUsers, httpRun, postAsUsers, round, type Measurement } from './lib/load';
import { median } from './lib/report';
import { newHotEvent, seed } from './lib/seed';
import { SERVER_DIR, startServer, type ApiServer } from './lib/server';
import { openBenchWorkspace } from './lib/workspace';

const SCENARIOS = ['rest-hot', 'trpc-hot', 'list', 'spread'] as const;
const USAGE = `Usage: node bench/dist/ab.js [options]
  --b DIR            a server build to compare with this package's (repeatable): DIR/dist + DIR/node_modules
  --scenario LIST    comma-separated: rest-hot, trpc-hot, list, spread (default rest-hot)
  --rounds N         interleaved rounds (default 5)
  --duration S       seconds per arm per round (default 5)
  --connections N    HTTP connections (default 50)
  --pool N           DATABASE_POOL_MAX of every build (default 10)
  --audit-off        add an arm: this package's build with the audit log off (bench/dist/unaudited-main.js)
  --database-url URL PostgreSQL server (default $DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)
`;
type Scenario = (typeof SCENARIOS)[number];

const log = (m: string) => console.error(`[ab ${new Date().toISOString().slice(11, 19)}] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      b: { type: 'string', multiple: true },
      scenario: { type: 'string', default: 'rest-hot' },
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      pool: { type: 'string', default: '10' },
      'audit-off': { type: 'boolean', default: false },
      'database-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const dirs = [SERVER_DIR, ...(values.b ?? []).map((d) => path.resolve(d))];
  // Each build to start: its folder, the script to run, and its label in the report.
  const builds: { dir: string; entry?: string; name: string }[] = dirs.map((dir, b) => ({
    dir,
    name: b === 0 ? 'A' : `B${b}`,
  }));
  if (values['audit-off']) {
    builds.push({ dir: SERVER_DIR, entry: path.join(__dirname, 'unaudited-main.js'), name: 'A-noaudit' });
  }
  const rounds = Number(values.rounds);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const scenarios = (values.scenario ?? 'rest-hot').split(',').map((s) => s.trim()) as Scenario[];
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);
  const arms = builds.flatMap((build, b) => scenarios.map((scenario) => ({ b, dir: build.dir, scenario })));
  const label = (a: { b: number; scenario: string }) => `${builds[a.b]?.name ?? '?'}:${a.scenario}`;
  const budget = setTimeout(
    () => {
      log('time budget exceeded');
      process.kill(process.pid, 'SIGTERM');
    },
    (240 + (rounds + 1) * arms.length * (duration + 10)) * 1000,
  );
  budget.unref();

  const { db, sql, servers, stopAll } = await openBenchWorkspace(values['database-url'], log);
  try {
    const jwtSecret = randomBytes(36).toString('base64url');
    for (const build of builds) {
      servers.push(
        await startServer({
          databaseUrl: db.url,
          pool: Number(values.pool),
          bcryptCost: 4,
          jwtSecret,
          nodeArgs: [],
          dir: build.dir,
          ...(build.entry ? { entry: build.entry } : {}),
        }),
      );
    }
    await sql.connect();
    const s = await seed(servers[0] as ApiServer, db.url, {
      users: 10,
      existingReservations: 0,
      spreadEvents: 1000,
      hotRoles: [],
      log,
    });
    const tokens = s.users.map((u) => u.access);
    const hotEvent = () => newHotEvent(sql, 'ab');
    const runArm = async (arm: (typeof arms)[number], seconds: number): Promise<Measurement> => {
      const server = servers[arm.b] as ApiServer;
      const requests =
        arm.scenario === 'list'
          ? getAsUsers('/api/events/', tokens)
          : arm.scenario === 'spread'
            ? dynamicPost('/api/reservations/create_hold/', tokens, () => ({
                event_id: s.spreadApi[Math.floor(Math.random() * s.spreadApi.length)],
                quantity: 1,
              }))
            : postAsUsers(
                arm.scenario === 'trpc-hot' ? '/trpc/reservations.createHold' : '/api/reservations/create_hold/',
                { event_id: await hotEvent(), quantity: 1 },
                tokens,
              );
      return httpRun({ url: server.baseUrl, connections, durationS: seconds, requests, rss: server.rss });
    };
    for (const arm of arms) await runArm(arm, 2); // warm-up
    const results: Measurement[][] = arms.map(() => []);
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so that no arm always runs first.
      for (let k = 0; k < arms.length; k++) {
        const i = (k + r) % arms.length;
        const arm = arms[i] as (typeof arms)[number];
        await sql.query('CHECKPOINT');
        await sleep(500);
        const m = await runArm(arm, duration);
        results[i]?.push(m);
        log(`round ${r + 1} ${label(arm)}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, errors ${m.errors}`);
      }
    }
    console.log(`\nA/B: ${rounds} rounds of ${duration} s per arm, ${connections} connections; medians over rounds`);
    console.log(builds.map((b) => `${b.name} = ${b.dir}${b.entry ? ` (${path.basename(b.entry)})` : ''}`).join(', '));
    const base = results[0] ?? [];
    results.forEach((ms, i) => {
      const arm = arms[i] as (typeof arms)[number];
      // Rounds are adjacent in time, so the per-round ratio cancels most of the drift of the machine's load.
      const paired = median(ms.map((m, r) => m.rps / (base[r]?.rps || Infinity)));
      console.log(
        `${label(arm).padEnd(14)} ${median(ms.map((m) => m.rps)).toFixed(0)} req/s, ` +
          `${round(paired)} × ${label(arms[0] as (typeof arms)[number])} (median per-round ratio), ` +
          `p50 ${median(ms.map((m) => m.p50))} ms, p99 ${median(ms.map((m) => m.p99))} ms, ` +
          `errors ${ms.reduce((n, m) => n + m.errors, 0)}; rounds ${ms.map((m) => m.rps.toFixed(0)).join(' ')}`,
      );
    });
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
