// `pnpm bench`: the Holdfast API under load, each hold scenario beside its ceiling measured in the same run.
// Creates its own database, starts dist/main.js as a child (production mode), seeds it, runs the scenarios
// with autocannon, prints the table, writes bench/results/<date>.json and the results block of
// docs/PERFORMANCE.md, and always cleans up (server killed, database dropped), within a time budget.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ceilingRun, type CeilingRun } from './lib/ceiling';
import { COMPARE_SCENARIOS, compareArms, compareTable, type CompareRow, type CompareScenario } from './lib/compare';
import { createBenchDatabase, redact, type BenchDatabase } from './lib/database';
import { openSubscribers, percentile } from './lib/fanout';
import { dynamicPost, getAsUsers, httpRun, postAsUsers, round, type Measurement } from './lib/load';
import { currentNode, resolveNode, type NodeRuntime } from './lib/node-runtime';
import { parseOptions, type BenchOptions } from './lib/options';
import {
  machineInfo,
  machineLine,
  markdownTable,
  median,
  repoRoot,
  saveResults,
  textTable,
  updateDocs,
  combinePasses,
  summedCounts,
  target,
  type Machine,
  type Row,
} from './lib/report';
import { newHotEvent, seed, type Seed } from './lib/seed';
import { holdBatches, SERVER_DIR, startServer, type ApiServer, type ServerSettings } from './lib/server';

const log = (m: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);

const HOLD_REST = '/api/reservations/create_hold/';
const HOLD_TRPC = '/trpc/reservations.createHold';
const HOT_ROLES = [
  'warmup',
  'hot-rest',
  'hot-rest-ceiling',
  'hot-trpc',
  'hot-trpc-ceiling',
  'hot-100k',
  'hot-100k-ceiling',
  'fanout-quiet',
  'fanout-live',
];

// ---- cleanup and time bound ---------------------------------------------------------------------------------

const cleanups: (() => Promise<unknown>)[] = [];
const killers: (() => void)[] = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      await Promise.race([fn().catch((e: unknown) => log(`cleanup: ${String(e)}`)), sleep(20_000)]);
    }
  })();
  return cleaning;
}

function abort(reason: string, code: number): void {
  log(reason);
  void cleanup().finally(() => process.exit(code));
}

process.on('SIGINT', () => abort('interrupted: cleaning up', 130));
process.on('SIGTERM', () => abort('terminated: cleaning up', 143));
// Last resort when the process exits without the async cleanup (the database is then left behind, named).
process.on('exit', () => killers.forEach((k) => k()));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- helpers ----------------------------------------------------------------------------------------------

interface Ctx {
  opts: BenchOptions;
  db: BenchDatabase;
  sql: pg.Client;
  server: ApiServer;
  seed: Seed;
  tokens: string[];
  userIds: number[];
}

/** Quiet the database between runs: flush dirty pages now rather than in the middle of the next run. */
async function settle(ctx: Ctx): Promise<void> {
  await ctx.sql.query('CHECKPOINT').catch(() => undefined);
  await ctx.sql.query('VACUUM events').catch(() => undefined);
  await sleep(1000);
}

function eventOf(ctx: Ctx, role: string): number {
  const id = ctx.seed.events[role];
  if (id === undefined) throw new Error(`no event for ${role}`);
  return id;
}

/** A hold run, with the mean number of holds per statement the API's batching reached during it. */
async function holdRun(server: ApiServer, run: () => Promise<Measurement>): Promise<Measurement> {
  const before = await holdBatches(server);
  const m = await run();
  const after = await holdBatches(server);
  const statements = after.statements - before.statements;
  return statements > 0 ? { ...m, holdsPerStatement: round((after.holds - before.holds) / statements, 2) } : m;
}

async function hotRest(ctx: Ctx, eventId: number, durationS: number, server = ctx.server): Promise<Measurement> {
  return holdRun(server, () =>
    httpRun({
      url: server.baseUrl,
      connections: ctx.opts.connections,
      durationS,
      requests: postAsUsers(HOLD_REST, { event_id: eventId, quantity: 1 }, ctx.tokens),
      rss: server.rss,
    }),
  );
}

async function hotTrpc(ctx: Ctx, eventId: number, durationS: number): Promise<Measurement> {
  return holdRun(ctx.server, () =>
    httpRun({
      url: ctx.server.baseUrl,
      connections: ctx.opts.connections,
      durationS,
      requests: postAsUsers(HOLD_TRPC, { event_id: eventId, quantity: 1 }, ctx.tokens),
      rss: ctx.server.rss,
    }),
  );
}

async function ceiling(ctx: Ctx, pickEvent: () => number, shape: CeilingRun['shape'] = 'server', workers?: number) {
  return ceilingRun({
    databaseUrl: ctx.db.url,
    workers: workers ?? ctx.opts.ceilingWorkers,
    durationS: ctx.opts.duration,
    shape,
    pickEvent,
    userIds: ctx.userIds,
    serverDir: ctx.server.dir,
  });
}

const ratio = (a: Measurement, b: Measurement | undefined) => (b && b.rps > 0 ? round(a.rps / b.rps) : 0);

// ---- scenarios ----------------------------------------------------------------------------------------------

async function warmUp(ctx: Ctx): Promise<void> {
  const s = ctx.opts.warmup;
  if (s <= 0) return;
  log(`warm-up: ${s} s REST holds, ${s} s tRPC holds, ${s} s event list`);
  const warm = eventOf(ctx, 'warmup');
  await hotRest(ctx, warm, s);
  await hotTrpc(ctx, warm, s);
  await httpRun({
    url: ctx.server.baseUrl,
    connections: ctx.opts.connections,
    durationS: s,
    requests: getAsUsers('/api/events/', ctx.tokens),
  });
  await ceilingRun({
    databaseUrl: ctx.db.url,
    workers: ctx.opts.ceilingWorkers,
    durationS: s,
    shape: 'server',
    pickEvent: () => warm,
    userIds: ctx.userIds,
    serverDir: ctx.server.dir,
  }).catch(() => undefined);
}

async function runScenarios(ctx: Ctx): Promise<Row[]> {
  const { opts } = ctx;
  const rows: Row[] = [];
  const d = opts.duration;
  const w = opts.ceilingWorkers;
  const ceilingLabel = `ceiling: the API's hold statement via pg, one hold each, ${w} workers`;
  let s1: Measurement | undefined;
  let s1c: Measurement | undefined;

  if (opts.only.has(1) || opts.only.has(2) || opts.only.has(3)) {
    await settle(ctx);
    log(`1. REST holds on one hot event, ${opts.connections} connections, ${d} s`);
    s1 = await hotRest(ctx, eventOf(ctx, 'hot-rest'), d);
    await settle(ctx);
    log('1c. ceiling');
    s1c = await ceiling(ctx, () => eventOf(ctx, 'hot-rest-ceiling'));
    if (opts.only.has(1)) {
      const ratios = [{ value: ratio(s1, s1c), of: 'ceiling' }];
      rows.push(
        {
          id: '1',
          scenario: 'REST create_hold, one hot event',
          kind: 'api',
          m: s1,
          ratios,
          targets: [target('≥ 0.80 × ceiling', ratios, 0, { min: 0.8 })],
        },
        { id: '1c', scenario: ceilingLabel, kind: 'ceiling', m: s1c, ratios: [], targets: [] },
      );
    }
  }

  if (opts.only.has(2)) {
    await settle(ctx);
    log(`2. tRPC holds (not batched) on one hot event, ${d} s`);
    const m = await hotTrpc(ctx, eventOf(ctx, 'hot-trpc'), d);
    await settle(ctx);
    log('2c. ceiling');
    const c = await ceiling(ctx, () => eventOf(ctx, 'hot-trpc-ceiling'));
    const ratios = [
      { value: ratio(m, c), of: 'ceiling' },
      { value: ratio(m, s1), of: 'REST (1)' },
    ];
    rows.push(
      {
        id: '2',
        scenario: 'tRPC reservations.createHold, one hot event',
        kind: 'api',
        m,
        ratios,
        // The transport the SDK uses must not be the slow one (issue 19: tRPC >= 0.95 x REST); faster is fine.
        targets: [target('≥ 0.95 × REST', ratios, 1, { min: 0.95 })],
      },
      { id: '2c', scenario: ceilingLabel, kind: 'ceiling', m: c, ratios: [], targets: [] },
    );
  }

  if (opts.only.has(3)) {
    const n = opts.existingReservations.toLocaleString('en-US');
    await settle(ctx);
    log(`3. REST holds on a hot event that already has ${n} reservations, ${d} s`);
    const m = await hotRest(ctx, eventOf(ctx, 'hot-100k'), d);
    await settle(ctx);
    log('3c. ceiling');
    const c = await ceiling(ctx, () => eventOf(ctx, 'hot-100k-ceiling'));
    const ratios = [
      { value: ratio(m, c), of: 'ceiling' },
      { value: ratio(m, s1), of: 'scenario 1' },
    ];
    rows.push(
      {
        id: '3',
        scenario: `REST create_hold, hot event with ${n} reservations`,
        kind: 'api',
        m,
        ratios,
        targets: [target('≥ 0.90 × scenario 1', ratios, 1, { min: 0.9 })],
      },
      { id: '3c', scenario: `${ceilingLabel} (${n} reservations)`, kind: 'ceiling', m: c, ratios: [], targets: [] },
    );
  }

  if (opts.only.has(4)) {
    await settle(ctx);
    log(`4. GET /api/events/ (page of 20 events with reservations), ${d} s`);
    const list = await httpRun({
      url: ctx.server.baseUrl,
      connections: opts.connections,
      durationS: d,
      requests: getAsUsers('/api/events/', ctx.tokens),
      rss: ctx.server.rss,
    });
    await settle(ctx);
    log(`4h. GET /healthz, ${d} s`);
    const health = await httpRun({
      url: ctx.server.baseUrl,
      connections: opts.connections,
      durationS: d,
      requests: [{ method: 'GET', path: '/healthz' }],
      rss: ctx.server.rss,
    });
    await settle(ctx);
    log("4c. ceiling: the page's queries via pg");
    const c = await ceiling(ctx, () => 0, 'list-count');
    const ratios = [
      { value: ratio(list, health), of: 'healthz' },
      { value: ratio(list, c), of: 'ceiling' },
    ];
    rows.push(
      {
        id: '4',
        scenario: 'GET /api/events/ (20 events with reservations)',
        kind: 'api',
        m: list,
        ratios,
        targets: [target('≥ 0.50 × healthz', ratios, 0, { min: 0.5 })],
      },
      { id: '4h', scenario: 'GET /healthz (reference)', kind: 'reference', m: health, ratios: [], targets: [] },
      {
        id: '4c',
        scenario: `ceiling: a page's SQL without the caches (user lookup, page, count) via pg, ${w} workers`,
        kind: 'ceiling',
        m: c,
        ratios: [],
        targets: [],
      },
    );
  }

  if (opts.only.has(5)) {
    await settle(ctx);
    log(`5. POST /api/token/ (bcrypt cost ${opts.bcryptCost}), ${opts.loginConnections} connections, ${d} s`);
    const m = await httpRun({
      url: ctx.server.baseUrl,
      connections: opts.loginConnections,
      durationS: d,
      requests: ctx.seed.users.map((u) => ({
        method: 'POST' as const,
        path: '/api/token/',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u.username, password: u.password }),
      })),
      rss: ctx.server.rss,
    });
    rows.push({
      id: '5',
      scenario: `POST /api/token/ (bcrypt cost ${opts.bcryptCost}, ${opts.loginConnections} connections)`,
      kind: 'api',
      m,
      ratios: [],
      targets: [],
    });
  }

  if (opts.only.has(6)) {
    const api = ctx.seed.spreadApi;
    const ceil = ctx.seed.spreadCeiling;
    const pick = (ids: number[]) => () => ids[Math.floor(Math.random() * ids.length)] ?? 0;
    await settle(ctx);
    log(`6. REST holds spread over ${api.length} events, ${d} s`);
    const pickApi = pick(api);
    const m = await holdRun(ctx.server, () =>
      httpRun({
        url: ctx.server.baseUrl,
        connections: opts.connections,
        durationS: d,
        requests: dynamicPost(HOLD_REST, ctx.tokens, () => ({ event_id: pickApi(), quantity: 1 })),
        rss: ctx.server.rss,
      }),
    );
    await settle(ctx);
    log('6c. ceiling');
    const c = await ceiling(ctx, pick(ceil));
    rows.push(
      {
        id: '6',
        scenario: `REST create_hold, spread over ${api.length} events`,
        kind: 'api',
        m,
        ratios: [{ value: ratio(m, c), of: 'ceiling' }],
        targets: [],
      },
      { id: '6c', scenario: `${ceilingLabel} (${ceil.length} events)`, kind: 'ceiling', m: c, ratios: [], targets: [] },
    );
  }
  if (opts.only.has(7)) rows.push(...(await fanOutScenario(ctx)));
  return rows;
}

/** 7: the hot-event hold storm with and without `--subscribers` live availability streams on the same process. */
async function fanOutScenario(ctx: Ctx): Promise<Row[]> {
  const { opts } = ctx;
  const d = opts.duration;
  const n = opts.subscribers;
  await settle(ctx);
  log(`7q. REST holds on one hot event, no subscriber, ${d} s`);
  const quiet = await hotRest(ctx, eventOf(ctx, 'fanout-quiet'), d);
  await settle(ctx);
  log(`7. opening ${n} availability streams on the hot event`);
  const rssBefore = ctx.server.rss.sample();
  const live = eventOf(ctx, 'fanout-live');
  const subscribers = await openSubscribers(ctx.server.baseUrl, live, ctx.tokens, n);
  await sleep(1000);
  const rssOpen = ctx.server.rss.sample();
  try {
    log(`7. REST holds on that event with ${n} subscribers, ${d} s`);
    const m = await hotRest(ctx, live, d);
    // Let the last coalesced value reach everyone before counting.
    await sleep(500);
    const lat = subscribers.latenciesMs;
    const perSubscriberKb = round(((rssOpen - rssBefore) * 1024) / n, 1);
    const ratios = [{ value: ratio(m, quiet), of: 'no subscribers (7q)' }];
    return [
      {
        id: '7',
        scenario: `REST create_hold, one hot event, ${n} SSE subscribers on it`,
        kind: 'api',
        m,
        ratios,
        targets: [target('≥ 0.80 × no subscribers', ratios, 0, { min: 0.8 })],
        notes:
          `change→delivery p50 ${round(percentile(lat, 50), 1)} ms, p99 ${round(percentile(lat, 99), 1)} ms ` +
          `over ${lat.length} deliveries; ${perSubscriberKb} KB RSS per open subscriber; ` +
          `${subscribers.failures} failed streams`,
      },
      {
        id: '7q',
        scenario: 'the same storm, no subscriber (reference)',
        kind: 'reference',
        m: quiet,
        ratios: [],
        targets: [],
      },
    ];
  } finally {
    await subscribers.close();
  }
}

/** Pool sizes and statement shapes: the evidence behind the hot-path suggestions in docs/PERFORMANCE.md. */
async function runVariants(ctx: Ctx, settings: ServerSettings): Promise<Row[]> {
  const rows: Row[] = [];
  const { opts } = ctx;
  const base = { kind: 'ceiling' as const, ratios: [], targets: [] };
  // Ceilings of several shapes, interleaved: VARIANT_ROUNDS rounds, each arm a slice of the duration per round (in a
  // rotated order), so that a change of the machine's other load falls on every arm alike.
  const arms: { id: string; label: string; shape: CeilingRun['shape']; workers: number; event: number }[] = [];
  for (const workers of [...new Set([1, 5, opts.ceilingWorkers, 20, 50])].sort((a, b) => a - b)) {
    arms.push({
      id: `v-c${workers}`,
      label: `ceiling, hot event, the API's hold statement, ${workers} workers`,
      shape: 'server',
      workers,
      event: await newHotEvent(ctx.sql, `variant-ceiling-${workers}`),
    });
  }
  const shapes = [
    ['separate', 'textbook transaction: lock, INSERT, UPDATE, COMMIT (5 round trips)'],
    ['combined', 'lock, then INSERT + UPDATE in one statement, COMMIT (4 round trips)'],
    ['async-commit', '4 round trips + SET LOCAL synchronous_commit = off'],
  ] as const;
  for (const [shape, label] of shapes) {
    arms.push({
      id: `v-${shape}`,
      label: `ceiling, hot event, ${label}, ${opts.ceilingWorkers} workers`,
      shape,
      workers: opts.ceilingWorkers,
      event: await newHotEvent(ctx.sql, `variant-${shape}`),
    });
  }
  for (const [shape, label] of [
    ['list', 'list page SQL with count(*) OVER () (the earlier shape)'],
    ['list-no-total', 'list page SQL without count(*) OVER ()'],
    ['list-count', 'list page SQL, total from a separate SELECT count(*) (what the API sends on a cache miss)'],
  ] as const) {
    arms.push({
      id: `v-${shape}`,
      label: `ceiling, ${label}, ${opts.ceilingWorkers} workers`,
      shape,
      workers: opts.ceilingWorkers,
      event: 0,
    });
  }
  const slice = Math.max(2, Math.round(opts.duration / VARIANT_ROUNDS));
  const slices: Measurement[][] = arms.map(() => []);
  for (let r = 0; r < VARIANT_ROUNDS; r++) {
    log(`variants: ceiling round ${r + 1} of ${VARIANT_ROUNDS} (${arms.length} arms × ${slice} s)`);
    for (let k = 0; k < arms.length; k++) {
      const i = (k + r) % arms.length;
      const arm = arms[i];
      if (!arm) continue;
      await ctx.sql.query('CHECKPOINT').catch(() => undefined);
      await sleep(300);
      slices[i]?.push(
        await ceilingRun({
          databaseUrl: ctx.db.url,
          workers: arm.workers,
          durationS: slice,
          shape: arm.shape,
          pickEvent: () => arm.event,
          userIds: ctx.userIds,
          serverDir: ctx.server.dir,
        }),
      );
    }
  }
  arms.forEach((arm, i) => {
    rows.push({ ...base, id: arm.id, scenario: arm.label, m: mergeSlices(slices[i] ?? []) });
  });
  // The API itself with other pool sizes (restarts the server; the JWT secret is fixed, so tokens stay valid).
  // The main server's pool first, measured here too so that the four are next to each other in time.
  for (const pool of [opts.pool, ...[5, 20, 50].filter((p) => p !== opts.pool)]) {
    const server = pool === opts.pool ? ctx.server : await startServer({ ...settings, pool });
    if (server !== ctx.server) {
      cleanups.push(() => server.stop());
      killers.push(() => server.killNow());
    }
    try {
      const id = await newHotEvent(ctx.sql, `variant-api-pool-${pool}`);
      await hotRest(ctx, id, Math.min(2, opts.duration), server); // warm-up
      const id2 = await newHotEvent(ctx.sql, `variant-api-pool-${pool}-measured`);
      await settle(ctx);
      log(`variant: REST holds, server pool ${pool}`);
      rows.push({
        id: `v-api${pool}`,
        scenario: `REST create_hold, hot event, server pool ${pool}`,
        kind: 'api',
        m: await hotRest(ctx, id2, opts.duration, server),
        ratios: [],
        targets: [],
      });
    } finally {
      if (server !== ctx.server) await server.stop();
    }
  }
  return rows;
}

const VARIANT_ROUNDS = 3;

/** One measurement from slices of the same arm: rate over all slices, median of the slices' percentiles. */
function mergeSlices(ms: Measurement[]): Measurement {
  const sum = (f: (m: Measurement) => number) => ms.reduce((n, m) => n + f(m), 0);
  const durationS = sum((m) => m.durationS);
  return {
    rps: round(sum((m) => m.ok) / Math.max(durationS, 0.001), 1),
    p50: median(ms.map((m) => m.p50)),
    p99: median(ms.map((m) => m.p99)),
    ...summedCounts(ms),
    durationS: round(durationS),
    statusCodes: {},
    passes: ms.map((m) => m.rps),
  };
}

interface Comparisons {
  runtimes?: { base: NodeRuntime; other: NodeRuntime; rows: CompareRow[] };
  scaleOut?: { processes: number[]; rows: CompareRow[] };
}

/**
 * The side-by-side tables: `--node` (this Node.js against another, same build, same database) and `--processes`
 * (1..N API processes on the one database). Extra API processes are started here and stopped at the end.
 */
async function runComparisons(
  ctx: Ctx,
  settings: ServerSettings,
  other: NodeRuntime | undefined,
): Promise<Comparisons> {
  const { opts } = ctx;
  const scenarios = opts.compareScenarios.map((s) => {
    if (!(COMPARE_SCENARIOS as readonly string[]).includes(s)) throw new Error(`--compare-scenarios: unknown ${s}`);
    return s as CompareScenario;
  });
  const extra: ApiServer[] = [];
  const start = async (s: ServerSettings) => {
    const server = await startServer(s);
    extra.push(server);
    cleanups.push(() => server.stop());
    killers.push(() => server.killNow());
    return server;
  };
  const common = {
    scenarios,
    rounds: opts.compareRounds,
    durationS: opts.duration,
    connections: opts.connections,
    tokens: ctx.tokens,
    spreadEvents: ctx.seed.spreadApi,
    sql: ctx.sql,
    log,
    settle: async () => {
      await ctx.sql.query('CHECKPOINT').catch(() => undefined);
      await sleep(500);
    },
  };
  const out: Comparisons = {};
  try {
    if (other) {
      const base = currentNode();
      const otherServer = await start({ ...settings, node: other.path });
      log(
        `runtimes: ${base.label} (${base.version}) pid ${ctx.server.pid}; ${other.label} (${other.version}) pid ${otherServer.pid}`,
      );
      const rows = await compareArms({
        ...common,
        arms: [
          { label: base.label, servers: [ctx.server] },
          {
            label: base.label === other.label ? `${other.label} (${other.path})` : other.label,
            servers: [otherServer],
          },
        ],
      });
      out.runtimes = { base, other, rows };
    }
    if (opts.processes.length > 0) {
      const servers = [ctx.server];
      while (servers.length < Math.max(...opts.processes)) servers.push(await start(settings));
      log(`scale-out: API processes ${servers.map((s) => s.pid).join(', ')} on one database`);
      const rows = await compareArms({
        ...common,
        arms: opts.processes.map((n) => ({
          label: `${n} process${n > 1 ? 'es' : ''}`,
          servers: servers.slice(0, n),
        })),
      });
      out.scaleOut = { processes: opts.processes, rows };
    }
  } finally {
    for (const s of extra) await s.stop();
  }
  return out;
}

/** The bench must not have broken the invariant it stresses: counters equal the sums of the reservations. */
async function checkCounters(ctx: Ctx): Promise<{ eventsChecked: number; mismatched: number }> {
  const r = await ctx.sql.query<{ n: string; bad: string }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE e.held <> COALESCE(s.held, 0) OR e.confirmed <> COALESCE(s.confirmed, 0)) AS bad
       FROM events e
       LEFT JOIN (SELECT event_id, sum(quantity) FILTER (WHERE status = 'HOLD') AS held,
                         sum(quantity) FILTER (WHERE status = 'CONFIRMED') AS confirmed
                    FROM reservations GROUP BY event_id) s ON s.event_id = e.id`,
  );
  return { eventsChecked: Number(r.rows[0]?.n ?? 0), mismatched: Number(r.rows[0]?.bad ?? 0) };
}

// ---- main ---------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const runs = opts.compareOnly
    ? 0
    : ([1, 2, 3, 4, 5, 6, 7].filter((n) => opts.only.has(n)).length * 2 + 1) * opts.repeat + 4;
  const other = opts.node !== undefined ? resolveNode(opts.node, log) : undefined;
  // Arm-runs of the side-by-side tables: each arm × scenario, a warm-up plus the rounds.
  const compareRuns =
    ((other ? 2 : 0) + opts.processes.length) * opts.compareScenarios.length * (opts.compareRounds + 1);
  const budgetS =
    300 +
    runs * (opts.duration + 20) +
    compareRuns * (opts.duration + 10) +
    (opts.variants ? 11 * (opts.duration + 15) + 4 * (opts.duration + 60) : 0);
  setTimeout(() => abort(`time budget of ${budgetS} s exceeded: aborting`, 2), budgetS * 1000).unref();
  const started = new Date();
  log(`database server ${redact(opts.databaseUrl)}; runs of ${opts.duration} s; time budget ${budgetS} s`);

  const db = await createBenchDatabase(opts.databaseUrl);
  cleanups.push(async () => {
    await db.drop();
    log(`dropped database ${db.name}`);
  });
  log(`created database ${db.name}`);
  const machine: Machine = machineInfo(db.serverVersion);

  const settings: ServerSettings = {
    databaseUrl: db.url,
    pool: opts.pool,
    bcryptCost: opts.bcryptCost,
    jwtSecret: randomBytes(36).toString('base64url'),
    nodeArgs: opts.serverNodeArgs,
    dir: opts.serverDir ? path.resolve(opts.serverDir) : SERVER_DIR,
  };
  const server = await startServer(settings);
  cleanups.push(() => server.stop());
  killers.push(() => server.killNow());
  log(`API pid ${server.pid} on ${server.baseUrl} (migrated on start), RSS ${server.rss.sample().toFixed(0)} MB`);

  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  cleanups.push(() => sql.end());

  const seeded = await seed(server, db.url, {
    users: opts.users,
    existingReservations: opts.existingReservations,
    spreadEvents: opts.spreadEvents,
    hotRoles: HOT_ROLES,
    log,
  });
  const ctx: Ctx = {
    opts,
    db,
    sql,
    server,
    seed: seeded,
    tokens: seeded.users.map((u) => u.access),
    userIds: seeded.users.map((u) => u.id),
  };
  const rssAfterSetup = round(server.rss.sample(), 1);

  if (!opts.compareOnly) await warmUp(ctx);
  const passes: Row[][] = [];
  for (let pass = 1; pass <= (opts.compareOnly ? 0 : opts.repeat); pass++) {
    if (opts.repeat > 1) log(`pass ${pass} of ${opts.repeat}`);
    passes.push(await runScenarios(ctx));
  }
  const rows = passes.length > 0 ? combinePasses(passes) : [];
  const variants = opts.variants ? await runVariants(ctx, settings) : [];
  const comparisons = await runComparisons(ctx, settings, other);
  const counters = await checkCounters(ctx);
  machine.loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);

  const apiRows = rows.filter((r) => r.kind !== 'ceiling');
  const totalErrors = apiRows.reduce((n, r) => n + r.m.errors, 0);
  const peakRss = round(Math.max(server.rss.overall(), ...rows.map((r) => r.m.rssPeakMb ?? 0)), 1);
  const serverLines = server.output().filter((l) => !l.startsWith('[holdfast]'));
  const checks = [
    { text: `zero errors on the API (${totalErrors})`, pass: totalErrors === 0 },
    { text: `server peak RSS < 200 MB (${peakRss.toFixed(0)} MB)`, pass: peakRss < 200 },
    {
      text: `held/confirmed counters equal the reservations on all ${counters.eventsChecked} events (${counters.mismatched} differ)`,
      pass: counters.mismatched === 0,
    },
  ];

  const table = rows.length > 0 ? textTable(rows) : '(scenarios 1-7 not run: --compare-only)';
  const compareNote = (n: number) =>
    `${opts.compareRounds} interleaved rounds of ${opts.duration} s per arm, ${opts.connections} HTTP connections ` +
    `(spread evenly over the ${n > 1 ? 'processes' : 'process'}), median req/s (p50 ms); ratio = median of the ` +
    `per-round ratios (rounds in brackets)`;
  const compareBlocks: string[] = [];
  if (comparisons.runtimes) {
    const { base, other: o } = comparisons.runtimes;
    compareBlocks.push(
      `Runtimes: ${base.label} (${base.version}) | ${o.label} (${o.version}), same build, same database; ${compareNote(1)}`,
    );
  }
  if (comparisons.scaleOut) {
    compareBlocks.push(
      `Scale-out: ${comparisons.scaleOut.processes.join(', ')} API processes on one PostgreSQL, ${opts.pool} pool ` +
        `connections each, on ${os.availableParallelism()} cores shared with PostgreSQL and the load generator; ` +
        compareNote(Math.max(...comparisons.scaleOut.processes)),
    );
  }
  console.log(`\nHoldfast bench ${started.toISOString()}${opts.quick ? ' (quick)' : ''}\n${machineLine(machine)}`);
  console.log(
    `runs of ${opts.duration} s; ${opts.connections} HTTP connections (login ${opts.loginConnections}); ` +
      `server pool ${opts.pool}; ceiling ${opts.ceilingWorkers} pg workers; ${opts.users} users; bcrypt cost ${opts.bcryptCost}` +
      (opts.repeat > 1 ? `; median of ${opts.repeat} passes` : '') +
      '\n',
  );
  console.log(table);
  const notes = rows.filter((r) => r.notes).map((r) => `${r.id}: ${r.notes}`);
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
  if (variants.length > 0) console.log(`\nVariants\n${textTable(variants)}`);
  if (comparisons.runtimes) console.log(`\n${compareBlocks[0]}\n${compareTable(comparisons.runtimes.rows, true)}`);
  if (comparisons.scaleOut) {
    console.log(`\n${compareBlocks.at(-1)}\n${compareTable(comparisons.scaleOut.rows, true)}`);
  }
  console.log('');
  for (const c of checks) console.log(`${c.pass ? '✓' : '✗'} ${c.text}`);
  if (serverLines.length > 0) {
    console.log(
      `\nThe API logged ${serverLines.length} warning/error lines; last ones:\n${serverLines.slice(-5).join('\n')}`,
    );
  }

  const result = {
    date: started.toISOString(),
    quick: opts.quick,
    machine,
    options: {
      durationS: opts.duration,
      warmupS: opts.warmup,
      connections: opts.connections,
      loginConnections: opts.loginConnections,
      serverPool: opts.pool,
      ceilingWorkers: opts.ceilingWorkers,
      bcryptCost: opts.bcryptCost,
      users: opts.users,
      existingReservations: opts.existingReservations,
      spreadEvents: opts.spreadEvents,
      repeat: opts.repeat,
      subscribers: opts.subscribers,
      serverDir: settings.dir,
      node: other ? { path: other.path, version: other.version } : undefined,
      processes: opts.processes,
      compareScenarios: opts.compareScenarios,
      compareRounds: opts.compareRounds,
    },
    rssAfterSetupMb: rssAfterSetup,
    passes: opts.repeat > 1 ? passes : undefined,
    peakRssMb: peakRss,
    scenarios: rows,
    variants,
    runtimes: comparisons.runtimes,
    scaleOut: comparisons.scaleOut,
    checks,
    serverLogLines: serverLines.length,
  };
  const root = repoRoot();
  if (opts.save) {
    const file = await saveResults(path.join(SERVER_DIR, 'bench', 'results'), started, result);
    log(`wrote ${path.relative(root, file)}`);
  }
  // The generated block holds the scenario table: a --compare-only run has none and leaves the docs alone.
  if (opts.docs && !opts.compareOnly) {
    const block = [
      `Run of ${started.toISOString().slice(0, 19)}Z${opts.quick ? ' (quick)' : ''} — ${machineLine(machine)}.`,
      '',
      `Runs of ${opts.duration} s after a ${opts.warmup} s warm-up` +
        (opts.repeat > 1 ? `, median of ${opts.repeat} passes (ratios taken within each pass)` : '') +
        `; ${opts.connections} HTTP connections ` +
        `(login: ${opts.loginConnections}) spread over ${opts.users} users' tokens; server \`DATABASE_POOL_MAX=${opts.pool}\`; ` +
        `ceiling: ${opts.ceilingWorkers} pg workers; bcrypt cost ${opts.bcryptCost}. Latencies in ms; RSS = peak VmRSS of the API process.`,
      '',
      markdownTable(rows),
      '',
      ...(notes.length > 0 ? [...notes.map((n) => `- ${n}`), ''] : []),
      ...checks.map((c) => `- ${c.pass ? '✓' : '✗'} ${c.text}`),
      ...(variants.length > 0 ? ['', 'Variants (same run):', '', markdownTable(variants)] : []),
      ...(comparisons.runtimes ? ['', `${compareBlocks[0]}:`, '', compareTable(comparisons.runtimes.rows, true)] : []),
      ...(comparisons.scaleOut
        ? ['', `${compareBlocks.at(-1)}:`, '', compareTable(comparisons.scaleOut.rows, true)]
        : []),
    ].join('\n');
    const file = path.join(root, 'docs', 'PERFORMANCE.md');
    await updateDocs(file, block);
    log(`updated ${path.relative(root, file)}`);
  }
  // Missed targets are reported (✗), not failed: the numbers depend on the machine and on what else runs on it.
  return 0;
}

main()
  .then(
    async (code) => {
      await cleanup();
      process.exit(code);
    },
    async (err: unknown) => {
      // After an interrupt, the errors of the work being torn down are expected: say nothing more.
      if (cleaning) return;
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      await cleanup();
      process.exit(1);
    },
  )
  .catch(() => process.exit(1));
