// Side-by-side comparison of API set-ups on one database: Node 20 against Node 24, or 1, 2 and 3 API processes.
// Each arm is a set of running API processes; each scenario runs on every arm in short interleaved rounds (the order
// rotates each round), so the drift of the machine's other load falls on every arm alike, and each arm's ratio to
// the first is the median of per-round ratios (adjacent runs), not a ratio of medians.
//
// An arm of several processes spreads its HTTP connections evenly over their ports (the client's round-robin, as an
// L4 balancer with keep-alive connections would): no proxy hop is measured, which flatters scale-out a little
// against a real balancer (packages/server/topology runs nginx for that).
import type pg from 'pg';
import { dynamicPost, getAsUsers, httpRun, postAsUsers, round, type Measurement } from './load';
import { median, summedCounts } from './report';
import { newHotEvent } from './seed';
import type { ApiServer } from './server';

export const COMPARE_SCENARIOS = ['rest-hot', 'trpc-hot', 'list', 'spread'] as const;
export type CompareScenario = (typeof COMPARE_SCENARIOS)[number];

const SCENARIO_LABEL: Record<CompareScenario, string> = {
  'rest-hot': 'REST create_hold, one hot event',
  'trpc-hot': 'tRPC reservations.createHold, one hot event',
  list: 'GET /api/events/ (page of 20)',
  spread: 'REST create_hold, spread over the spread events',
};

export interface Arm {
  label: string;
  servers: ApiServer[];
}

export interface CompareInput {
  arms: Arm[];
  scenarios: CompareScenario[];
  rounds: number;
  durationS: number;
  connections: number;
  tokens: string[];
  spreadEvents: number[];
  sql: pg.Client;
  log: (m: string) => void;
  /** Runs before each measured run (e.g. a CHECKPOINT), so that no run pays for the previous one's dirty pages. */
  settle?: () => Promise<void>;
}

export interface CompareCell {
  arm: string;
  /** Median over rounds. */
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  rounds: number[];
  /** Median of the per-round ratios to the first arm (1 for the first arm). */
  ratio: number;
  ratioRounds: number[];
}

export interface CompareRow {
  scenario: CompareScenario;
  label: string;
  cells: CompareCell[];
}

/** One run of a scenario on an arm: its connections spread over the arm's processes, measured together. */
async function runOnArm(input: CompareInput, arm: Arm, scenario: CompareScenario, seconds: number) {
  const hot =
    scenario === 'rest-hot' || scenario === 'trpc-hot' ? await newHotEvent(input.sql, `compare-${arm.label}`) : 0;
  const pick = () => input.spreadEvents[Math.floor(Math.random() * input.spreadEvents.length)] ?? 0;
  const requests =
    scenario === 'list'
      ? getAsUsers('/api/events/', input.tokens)
      : scenario === 'spread'
        ? () => dynamicPost('/api/reservations/create_hold/', input.tokens, () => ({ event_id: pick(), quantity: 1 }))
        : postAsUsers(
            scenario === 'trpc-hot' ? '/trpc/reservations.createHold' : '/api/reservations/create_hold/',
            { event_id: hot, quantity: 1 },
            input.tokens,
          );
  const n = arm.servers.length;
  const parts = await Promise.all(
    arm.servers.map((server, i) =>
      httpRun({
        url: server.baseUrl,
        // 50 over 3 → 17, 17, 16.
        connections: Math.floor(input.connections / n) + (i < input.connections % n ? 1 : 0),
        durationS: seconds,
        requests: typeof requests === 'function' ? requests() : requests,
        rss: server.rss,
      }),
    ),
  );
  return combine(parts);
}

/** Concurrent runs on several processes as one: rates and counts add up; latencies are the worst process's. */
export function combine(parts: Measurement[]): Measurement {
  const sum = (f: (m: Measurement) => number) => parts.reduce((n, m) => n + f(m), 0);
  const max = (f: (m: Measurement) => number) => Math.max(...parts.map(f));
  return {
    rps: round(
      sum((m) => m.rps),
      1,
    ),
    p50: max((m) => m.p50),
    p99: max((m) => m.p99),
    ...summedCounts(parts),
    durationS: max((m) => m.durationS),
    statusCodes: {},
    rssPeakMb: max((m) => m.rssPeakMb ?? 0),
  };
}

export async function compareArms(input: CompareInput): Promise<CompareRow[]> {
  const { arms, scenarios } = input;
  const plan = scenarios.flatMap((scenario) => arms.map((arm, a) => ({ scenario, arm, a })));
  input.log(`compare: warm-up, 2 s per arm and scenario (${plan.length})`);
  for (const p of plan) await runOnArm(input, p.arm, p.scenario, 2);
  const results: Measurement[][] = plan.map(() => []);
  for (let r = 0; r < input.rounds; r++) {
    for (let k = 0; k < plan.length; k++) {
      // Rotate within each scenario's arms so that no arm always runs first.
      const s = Math.floor(k / arms.length);
      const i = s * arms.length + (((k % arms.length) + r) % arms.length);
      const p = plan[i];
      if (!p) continue;
      await input.settle?.();
      const m = await runOnArm(input, p.arm, p.scenario, input.durationS);
      results[i]?.push(m);
      input.log(
        `round ${r + 1}/${input.rounds} ${p.scenario} ${p.arm.label}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, errors ${m.errors}`,
      );
    }
  }
  return scenarios.map((scenario, s) => {
    const base = results[s * arms.length] ?? [];
    return {
      scenario,
      label: SCENARIO_LABEL[scenario],
      cells: arms.map((arm, a) => {
        const ms = results[s * arms.length + a] ?? [];
        const ratioRounds = ms.map((m, r) => round(m.rps / (base[r]?.rps || Infinity)));
        return {
          arm: arm.label,
          rps: round(median(ms.map((m) => m.rps)), 1),
          p50: median(ms.map((m) => m.p50)),
          p99: median(ms.map((m) => m.p99)),
          errors: ms.reduce((n, m) => n + m.errors, 0),
          rounds: ms.map((m) => Math.round(m.rps)),
          ratio: round(median(ratioRounds)),
          ratioRounds,
        };
      }),
    };
  });
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Columns: scenario, then each arm's req/s (p50), then each later arm's ratio to the first. */
export function compareTable(rows: CompareRow[], markdown: boolean): string {
  const first = rows[0]?.cells ?? [];
  const head = [
    'scenario',
    ...first.map((c) => `${c.arm} req/s (p50 ms)`),
    ...first.slice(1).map((c) => `${c.arm} / ${first[0]?.arm ?? ''}`),
  ];
  const body = rows.map((row) => [
    row.label,
    ...row.cells.map((c) => `${fmt(c.rps)} (${fmt(c.p50, 1)})${c.errors > 0 ? `, ${c.errors} errors` : ''}`),
    ...row.cells.slice(1).map((c) => `${c.ratio.toFixed(2)} (${c.ratioRounds.map((x) => x.toFixed(2)).join(' / ')})`),
  ]);
  if (markdown) {
    return [
      `| ${head.join(' | ')} |`,
      `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
      ...body.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
  }
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
