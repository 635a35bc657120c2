// The results table (terminal and Markdown), the JSON file under bench/results/ and the generated block of
// docs/PERFORMANCE.md.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Measurement } from './load';

/** The counters of several measurements added up: requests sent, answered 2xx, and each kind of failure. */
export function summedCounts(
  ms: readonly Measurement[],
): Pick<Measurement, 'errors' | 'non2xx' | 'socketErrors' | 'timeouts' | 'total' | 'ok'> {
  const sum = (f: (m: Measurement) => number) => ms.reduce((n, m) => n + f(m), 0);
  return {
    errors: sum((m) => m.errors),
    non2xx: sum((m) => m.non2xx),
    socketErrors: sum((m) => m.socketErrors),
    timeouts: sum((m) => m.timeouts),
    total: sum((m) => m.total),
    ok: sum((m) => m.ok),
  };
}

export interface Ratio {
  value: number;
  /** What the value is a ratio to, e.g. "ceiling" or "healthz". */
  of: string;
}

export interface Target {
  text: string;
  /** Index into the row's ratios that the target is about. */
  ratio: number;
  min?: number;
  max?: number;
  pass: boolean;
}

export function target(text: string, ratios: Ratio[], index: number, bounds: { min?: number; max?: number }): Target {
  const t: Target = { text, ratio: index, ...bounds, pass: false };
  return evaluate(t, ratios);
}

function evaluate(t: Target, ratios: Ratio[]): Target {
  const v = ratios[t.ratio]?.value ?? 0;
  return { ...t, pass: (t.min === undefined || v >= t.min) && (t.max === undefined || v <= t.max) };
}

/** The median (the mean of the middle two for an even count). */
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/**
 * Rows of several passes of the same scenarios → one row each: the median of rate, p50, p99 and of each ratio
 * (each ratio is taken within its pass, between runs that were next to each other), errors summed, RSS the peak.
 */
export function combinePasses(passes: Row[][]): Row[] {
  const first = passes[0] ?? [];
  if (passes.length === 1) return first;
  return first.map((row) => {
    const same = passes.map((p) => p.find((r) => r.id === row.id)).filter((r): r is Row => r !== undefined);
    const ms = same.map((r) => r.m);
    const sum = (f: (m: Measurement) => number) => ms.reduce((n, m) => n + f(m), 0);
    const m: Measurement = {
      ...row.m,
      rps: Math.round(median(ms.map((x) => x.rps)) * 10) / 10,
      p50: median(ms.map((x) => x.p50)),
      p99: median(ms.map((x) => x.p99)),
      ...summedCounts(ms),
      durationS: sum((x) => x.durationS),
      passes: ms.map((x) => x.rps),
      ...(row.m.rssPeakMb !== undefined ? { rssPeakMb: Math.max(...ms.map((x) => x.rssPeakMb ?? 0)) } : {}),
      ...(row.m.holdsPerStatement !== undefined
        ? { holdsPerStatement: median(ms.map((x) => x.holdsPerStatement ?? 0)) }
        : {}),
    };
    const ratios = row.ratios.map((r, i) => ({
      ...r,
      value: Math.round(median(same.map((x) => x.ratios[i]?.value ?? 0)) * 100) / 100,
    }));
    return { ...row, m, ratios, targets: row.targets.map((t) => evaluate(t, ratios)) };
  });
}

export interface Row {
  id: string;
  scenario: string;
  kind: 'api' | 'ceiling' | 'reference';
  m: Measurement;
  ratios: Ratio[];
  targets: Target[];
  notes?: string;
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  os: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export function machineInfo(postgres: string): Machine {
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function cells(r: Row): string[] {
  return [
    r.id,
    r.m.holdsPerStatement === undefined
      ? r.scenario
      : `${r.scenario} (${fmt(r.m.holdsPerStatement, 1)} holds per statement)`,
    fmt(r.m.rps),
    fmt(r.m.p50, 1),
    fmt(r.m.p99, 1),
    fmt(r.m.errors),
    r.m.rssPeakMb === undefined ? '—' : fmt(r.m.rssPeakMb, 0),
    r.ratios.map((x) => `${x.value.toFixed(2)} × ${x.of}`).join('; ') || '—',
    r.targets.map((t) => `${t.pass ? '✓' : '✗'} ${t.text}`).join('; ') || '—',
  ];
}

const HEAD = ['#', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'RSS MB', 'ratio', 'target'];

export function textTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const right = new Set([2, 3, 4, 5, 6]);
  const line = (r: string[]) =>
    r
      .map((c, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - [...c].length);
        return right.has(i) ? pad + c : c + pad;
      })
      .join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function markdownTable(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => ([2, 3, 4, 5, 6].includes(i) ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

export function machineLine(m: Machine): string {
  return (
    `${m.nproc} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}, PostgreSQL ${m.postgres}; ` +
    `load average at start ${m.loadAverageAtStart.join(' / ')}` +
    (m.loadAverageAtEnd ? `, at end ${m.loadAverageAtEnd.join(' / ')}` : '')
  );
}

/** Repository root: the folder with pnpm-workspace.yaml above this file. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('pnpm-workspace.yaml not found above the bench');
    dir = up;
  }
  return dir;
}

/** JSON as Prettier (the repo's formatter, checked by `pnpm lint`) would write it. */
async function prettyJson(value: unknown): Promise<string> {
  const raw = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = (await import('prettier')) as unknown as {
      format(src: string, o: { parser: string; printWidth: number }): Promise<string>;
    };
    return await prettier.format(raw, { parser: 'json', printWidth: 120 });
  } catch {
    return raw;
  }
}

export async function saveResults(dir: string, date: Date, value: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(
    dir,
    `${date
      .toISOString()
      .replace(/:/g, '-')
      .replace(/\.\d{3}Z$/, 'Z')}.json`,
  );
  await writeFile(file, await prettyJson(value));
  return file;
}

export const DOCS_BEGIN = '<!-- bench:results:begin (generated by `pnpm bench`; do not edit by hand) -->';
export const DOCS_END = '<!-- bench:results:end -->';

/** Replaces the generated block of docs/PERFORMANCE.md (creating the file with a stub around it if missing). */
export async function updateDocs(file: string, block: string): Promise<void> {
  const generated = `${DOCS_BEGIN}\n${block.trim()}\n${DOCS_END}`;
  let doc: string;
  try {
    doc = await readFile(file, 'utf8');
  } catch {
    doc = `# Performance\n\nRun \`pnpm bench\` (see packages/server/bench).\n\n${DOCS_BEGIN}\n${DOCS_END}\n`;
  }
  const begin = doc.indexOf('<!-- bench:results:begin');
  const end = doc.indexOf(DOCS_END);
  doc =
    begin >= 0 && end > begin
      ? doc.slice(0, begin) + generated + doc.slice(end + DOCS_END.length)
      : `${doc.trimEnd()}\n\n${generated}\n`;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, doc);
}
