// Command-line options of `pnpm bench`. Everything has a default, so the bare command runs the full bench.
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Seconds per measured run. */
  duration: number;
  /** Seconds of unmeasured load before the first measured runs (JIT, pools, caches). */
  warmup: number;
  quick: boolean;
  /** Concurrent HTTP connections for the hold, list and healthz scenarios. */
  connections: number;
  /** Concurrent connections for the login scenario (bcrypt-bound: more only queues). */
  loginConnections: number;
  /** The server's DATABASE_POOL_MAX. */
  pool: number;
  /** Concurrent pg workers of the ceiling (default: the server's pool size). */
  ceilingWorkers: number;
  bcryptCost: number;
  users: number;
  /** Reservations that already exist on the event of scenario 3. */
  existingReservations: number;
  /** Events of the spread scenario (per side: the API and the ceiling each get their own set). */
  spreadEvents: number;
  /** Also run the variants that back the hot-path suggestions (pool sizes, statement shapes). */
  variants: boolean;
  /** Write bench/results/<date>.json. */
  save: boolean;
  /** Regenerate the results block of docs/PERFORMANCE.md. */
  docs: boolean;
  /** Maintenance database URL; the bench creates and drops its own database on that server. */
  databaseUrl: string;
  /** Extra node flags for the server child (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). */
  serverNodeArgs: string[];
  /** Server package directory to run (default packages/server): a patched copy of it for an A/B comparison. */
  serverDir: string | undefined;
  /** Passes over the scenarios; the table shows medians (for noisy machines). */
  repeat: number;
  /** Run only these scenarios (1-7); default all. */
  only: Set<number>;
  /** Live availability streams of scenario 7. */
  subscribers: number;
  /** Another Node.js for the API (a path or a major version such as "24"): the runtimes table, side by side. */
  node: string | undefined;
  /** Numbers of API processes on the one database to compare (scale-out table), e.g. [1, 2, 3]; empty = none. */
  processes: number[];
  /** Scenarios of the runtimes / scale-out tables. */
  compareScenarios: string[];
  /** Interleaved rounds of the runtimes / scale-out tables. */
  compareRounds: number;
  /** Only the runtimes / scale-out tables: skip scenarios 1-7. */
  compareOnly: boolean;
}

const USAGE = `Usage: pnpm bench [-- options]
  --duration S          seconds per measured run (default 10)
  --quick               smoke run: 2 s runs, short warm-up, results not saved, docs untouched
  --connections N       HTTP connections for holds/list/healthz (default 50)
  --login-connections N HTTP connections for the login scenario (default 8)
  --pool N              server DATABASE_POOL_MAX (default 10)
  --ceiling-workers N   concurrent pg workers of the ceiling (default: --pool)
  --bcrypt-cost N       server BCRYPT_COST (default 12, the production default)
  --users N             users whose tokens the load is spread over (default 10)
  --existing N          reservations pre-inserted for scenario 3 (default 100000)
  --spread-events N     events of scenario 6 (default 1000)
  --subscribers N       SSE availability streams of scenario 7 (default 1000)
  --only 1,3            run only these scenarios
  --repeat N            N passes over the scenarios, table of medians (default 1; use 3 on a busy machine)
  --variants            also run the pool-size and statement-shape variants
  --save / --no-save    write packages/server/bench/results/<date>.json (default: save unless --quick)
  --docs / --no-docs    regenerate docs/PERFORMANCE.md (default: docs unless --quick)
  --database-url URL    PostgreSQL server to use (default $DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --server-dir DIR      run DIR/dist/main.js instead of this package's (A/B of a patched copy; see docs)
  --server-node-args=A  extra node flags for the API child, space-separated (e.g. --server-node-args="--cpu-prof")
  --node PATH|MAJOR     also run the API on this Node.js (e.g. 24: node@24 from the CI cache, installed if
                        missing) and print the runtimes table: this Node | that Node, side by side, and ratios.
                        Default: $HOLDFAST_BENCH_NODE
  --processes 1,2,3     scale-out table: 1, 2, 3 API processes on the one database, connections spread over them
  --compare-scenarios L runtimes/scale-out scenarios: rest-hot,trpc-hot,list,spread (default all four for --node,
                        rest-hot,spread for --processes)
  --compare-rounds N    interleaved rounds of those tables (default 3)
  --compare-only        only the runtimes/scale-out tables (skip scenarios 1-7)
`;

function int(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean', default: false },
      connections: { type: 'string' },
      'login-connections': { type: 'string' },
      pool: { type: 'string' },
      'ceiling-workers': { type: 'string' },
      'bcrypt-cost': { type: 'string' },
      users: { type: 'string' },
      existing: { type: 'string' },
      'spread-events': { type: 'string' },
      only: { type: 'string' },
      subscribers: { type: 'string' },
      repeat: { type: 'string' },
      variants: { type: 'boolean', default: false },
      save: { type: 'boolean' },
      'no-save': { type: 'boolean' },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
      'database-url': { type: 'string' },
      'server-node-args': { type: 'string' },
      'server-dir': { type: 'string' },
      node: { type: 'string' },
      processes: { type: 'string' },
      'compare-scenarios': { type: 'string' },
      'compare-rounds': { type: 'string' },
      'compare-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const pool = int('pool', values.pool, 10, 2);
  const only = new Set(
    (values.only ?? '1,2,3,4,5,6,7')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => int('only', s, 0)),
  );
  for (const n of only) if (n > 7) throw new Error(`--only: no scenario ${n}`);
  const duration = int('duration', values.duration, quick ? 2 : 10);
  return {
    duration,
    warmup: values.warmup !== undefined ? Number(values.warmup) : quick ? 1 : 3,
    quick,
    connections: int('connections', values.connections, 50),
    loginConnections: int('login-connections', values['login-connections'], 8),
    pool,
    ceilingWorkers: int('ceiling-workers', values['ceiling-workers'], pool),
    bcryptCost: int('bcrypt-cost', values['bcrypt-cost'], 12, 4),
    users: int('users', values.users, 10),
    existingReservations: int('existing', values.existing, 100_000, 0),
    spreadEvents: int('spread-events', values['spread-events'], 1000),
    variants: values.variants === true,
    save: values['no-save'] ? false : (values.save ?? !quick),
    docs: values['no-docs'] ? false : (values.docs ?? !quick),
    databaseUrl: values['database-url'] ?? (process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'),
    serverNodeArgs: (values['server-node-args'] ?? '').split(/\s+/).filter(Boolean),
    serverDir: values['server-dir'],
    repeat: int('repeat', values.repeat, 1),
    only,
    subscribers: int('subscribers', values.subscribers, 1000),
    node: values.node ?? (process.env.HOLDFAST_BENCH_NODE || undefined),
    processes: (values.processes ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => int('processes', s, 1)),
    compareScenarios: (
      values['compare-scenarios'] ?? (values.processes ? 'rest-hot,spread' : 'rest-hot,trpc-hot,list,spread')
    )
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    compareRounds: int('compare-rounds', values['compare-rounds'], 3),
    compareOnly: values['compare-only'] === true,
  };
}
