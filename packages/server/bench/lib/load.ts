// One measured HTTP run with autocannon, and the numbers the report keeps from it.
import autocannon from 'autocannon';
import type { RssSampler } from './server';

export interface Measurement {
  /** Responses (any status) per second. */
  rps: number;
  p50: number;
  p99: number;
  /** non-2xx responses + socket errors (timeouts included). */
  errors: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  total: number;
  ok: number;
  durationS: number;
  statusCodes: Record<string, number>;
  /** The rate of each pass (--repeat) or slice (interleaved variants) behind the row. */
  passes?: number[];
  /** Peak VmRSS of the API process during the run, MB (undefined for runs that do not involve it). */
  rssPeakMb?: number;
  /** Hold runs: holds per database statement in the API (its group commit), from holdfast_hold_batch_size. */
  holdsPerStatement?: number;
}

export interface HttpRun {
  url: string;
  connections: number;
  durationS: number;
  requests: autocannon.Request[];
  rss?: RssSampler;
}

export async function httpRun(run: HttpRun): Promise<Measurement> {
  run.rss?.reset();
  const result = await autocannon({
    url: run.url,
    connections: run.connections,
    duration: run.durationS,
    timeout: 10,
    requests: run.requests,
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = v.count ?? 0;
  return {
    // Responses per second over the whole run (autocannon's per-second average is coarse for slow runs).
    rps: round(result.requests.total / Math.max(result.duration, 0.001), 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
    non2xx: result.non2xx,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
    ok: result['2xx'],
    durationS: result.duration,
    statusCodes,
    ...(run.rss ? { rssPeakMb: round(run.rss.peak(), 1) } : {}),
  };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? 0;
}

/** JSON POST requests cycling over the users' tokens (prebuilt: no per-request work in the load generator). */
export function postAsUsers(path: string, body: unknown, tokens: string[]): autocannon.Request[] {
  const payload = JSON.stringify(body);
  return tokens.map((t) => ({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` },
    body: payload,
  }));
}

export function getAsUsers(path: string, tokens: string[]): autocannon.Request[] {
  return tokens.map((t) => ({ method: 'GET', path, headers: { authorization: `Bearer ${t}` } }));
}

/** One request definition whose body (and token) is chosen per request. */
export function dynamicPost(path: string, tokens: string[], body: () => unknown): autocannon.Request[] {
  let n = 0;
  return [
    {
      method: 'POST',
      path,
      setupRequest: (req) => ({
        ...req,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${tokens[n++ % tokens.length]}`,
        },
        body: JSON.stringify(body()),
      }),
    },
  ];
}
