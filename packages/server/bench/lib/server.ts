// The API as a child process (dist/main.js, production mode), its peak RSS, and the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

// Compiled to bench/dist/lib/server.js: three levels up is packages/server.
export const SERVER_DIR = path.resolve(__dirname, '..', '..', '..');

export interface ServerSettings {
  databaseUrl: string;
  pool: number;
  bcryptCost: number;
  /** Fixed for the whole bench, so tokens survive a restart of the API (pool-size variants). */
  jwtSecret: string;
  nodeArgs: string[];
  /** The server package to run (its dist/main.js and dist/cli.js): SERVER_DIR, or a patched copy for an A/B run. */
  dir: string;
  /** The script to start instead of dir/dist/main.js (e.g. bench/dist/unaudited-main.js for the audit A/B). */
  entry?: string;
  /** The node binary that runs the API (default: the bench's own, process.execPath). See lib/node-runtime.ts. */
  node?: string;
}

export interface ApiServer {
  pid: number;
  port: number;
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  dir: string;
  rss: RssSampler;
  /** Lines the server printed (LOG_LEVEL=warn: warnings and errors only). */
  output(): string[];
  stop(): Promise<void>;
  /** Last resort from a process 'exit' handler. */
  killNow(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS of a process in MB, or undefined when it is gone. */
export function readRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m?.[1] ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the child's RSS every 100 ms; peak() returns the highest value since the last reset. */
export class RssSampler {
  private windowPeak = 0;
  private overallPeak = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly pid: number) {}
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }
  stop(): void {
    clearInterval(this.timer);
  }
  sample(): number {
    const mb = readRssMb(this.pid) ?? 0;
    if (mb > this.windowPeak) this.windowPeak = mb;
    if (mb > this.overallPeak) this.overallPeak = mb;
    return mb;
  }
  reset(): void {
    this.windowPeak = this.sample();
  }
  peak(): number {
    this.sample();
    return this.windowPeak;
  }
  overall(): number {
    return this.overallPeak;
  }
}

function serverEnv(s: ServerSettings, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing from the caller's shell may change what is measured.
  for (const k of Object.keys(env)) {
    if (
      /^(DATABASE_|LOGIN_|MAX_|HOLD_|BCRYPT_|JWT_|MONGO_|WORKER_|EMBEDDED_|LOCK_|STATEMENT_|CORS_|BODY_|REQUEST_|METRICS_)/.test(
        k,
      )
    ) {
      delete env[k];
    }
  }
  return {
    ...env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: s.databaseUrl,
    DATABASE_POOL_MAX: String(s.pool),
    JWT_SECRET: s.jwtSecret,
    BCRYPT_COST: String(s.bcryptCost),
    // Benches hold many seats per user; the cap (and its subquery) is measured separately, if at all.
    MAX_ACTIVE_HOLDS_PER_USER: '0',
    MAX_HELD_SEATS_PER_USER: '0',
    MAX_HOLD_QUANTITY: '10',
    LOGIN_IP_MAX_PER_MINUTE: '100000000',
    LOGIN_MAX_FAILURES: '1000000',
    LOGIN_ACCOUNT_MAX_FAILURES: '0',
    REGISTRATIONS_PER_IP_PER_HOUR: '100000000',
    WORKER_IN_PROCESS: 'false',
    // Production serves /metrics only with a token; the bench reads the hold batch sizes from it.
    METRICS_TOKEN: randomBytes(24).toString('hex'),
  };
}

/** The API's hold statements so far and the holds they carried (its /metrics histogram holdfast_hold_batch_size). */
export async function holdBatches(server: ApiServer): Promise<{ statements: number; holds: number }> {
  const res = await fetch(`${server.baseUrl}/metrics`, {
    headers: { authorization: `Bearer ${server.env.METRICS_TOKEN ?? ''}` },
  });
  // A build from before METRICS_TOKEN (an A/B's --server-dir) may refuse: then no batch figure, not a failed run.
  const text = res.ok ? await res.text() : '';
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { statements: value('holdfast_hold_batch_size_count'), holds: value('holdfast_hold_batch_size_sum') };
}

/**
 * The heap flags the production image runs with (the Dockerfile's NODE_OPTIONS). Without the old-space limit V8 sizes
 * the old space from the machine's RAM and lets garbage pile up to several hundred MB before a major GC; the live
 * heap is ~40 MB. The limit alone also shrinks the young generation, so request garbage got promoted and major GCs
 * took up to 40 % of the CPU on Node 24: the semi-space size puts it back.
 */
export const PRODUCTION_NODE_ARGS = ['--max-old-space-size=128', '--max-semi-space-size=16'];

export async function startServer(s: ServerSettings, timeoutMs = 60_000): Promise<ApiServer> {
  const port = await freePort();
  const env = serverEnv(s, port);
  const args = [...PRODUCTION_NODE_ARGS, ...s.nodeArgs, s.entry ?? path.join(s.dir, 'dist', 'main.js')];
  const child: ChildProcess = spawn(s.node ?? process.execPath, args, {
    cwd: s.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 200) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitedP = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exitedP;
    clearTimeout(t);
  };
  const started = Date.now();
  for (;;) {
    if (exited) throw new Error(`the API exited during start-up:\n${lines.slice(-30).join('\n')}`);
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`the API was not ready within ${timeoutMs / 1000} s:\n${lines.slice(-30).join('\n')}`);
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('the API child has no pid');
  const rss = new RssSampler(pid);
  rss.start();
  return {
    pid,
    port,
    baseUrl,
    env,
    dir: s.dir,
    rss,
    output: () => [...lines],
    stop: async () => {
      rss.stop();
      await stop();
    },
    killNow: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/** `node dist/cli.js ...` with the server's environment; rejects on a non-zero exit or after timeoutMs. */
export async function runCli(
  server: Pick<ApiServer, 'env' | 'dir'>,
  args: string[],
  timeoutMs = 60_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(server.dir, 'dist', 'cli.js'), ...args], {
      cwd: server.dir,
      env: server.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`holdfast ${args[0]} failed (${signal ?? `exit ${code}`}):\n${out}`));
    });
  });
}
