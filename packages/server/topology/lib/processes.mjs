// The production layout as local processes: a private PostgreSQL cluster, FerretDB, API processes, workers and
// nginx in front. Every process is started by this module, tracked, and stopped by its own pid at the end.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_DIR = path.resolve(SERVER_DIR, '../..');
const API_MAIN = path.join(SERVER_DIR, 'dist/main.js');
const WORKER_MAIN = path.join(REPO_DIR, 'packages/worker/dist/main.js');

const children = new Set();

/** Kills every child still running (last resort on exit or failure), each by its own pid. */
export function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function track(child, logFile) {
  children.add(child);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, at: Date.now() });
    });
  });
  if (logFile && child.stdout) {
    const lines = [];
    child.stdout.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    const keep = (chunk) => {
      for (const line of chunk.split('\n')) if (line) lines.push(line);
      if (lines.length > 2000) lines.splice(0, lines.length - 2000);
    };
    child.stdout.on('data', keep);
    child.stderr?.on('data', keep);
    return { exited, lines };
  }
  return { exited, lines: [] };
}

async function waitFor(what, check, timeoutMs = 30_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

// ---- PostgreSQL: a private cluster of the machine's binaries, so restarting it hurts nobody else ----

function pgBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return path.join(root, version, 'bin');
}

export async function startPostgres(workDir) {
  const bin = pgBin();
  const dir = path.join(workDir, 'pg');
  mkdirSync(dir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd, args) =>
    execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'pipe' });
  const data = path.join(dir, 'data');
  const port = await freePort();
  run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const pgctl = (action, extra = []) =>
    run(path.join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`,
      '-w',
      '-t',
      '30',
      ...extra,
      action,
    ]);
  pgctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/holdfast`,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => pgctl('stop', ['-m', 'fast']),
    start: () => pgctl('start'),
    destroy: () => {
      try {
        pgctl('stop', ['-m', 'immediate']);
      } catch {
        // already stopped
      }
    },
  };
}

// ---- FerretDB: the MongoDB wire protocol for the workers' job store, its data kept across a restart ----

export async function startFerret(workDir) {
  const binary = execFileSync('bash', [path.join(REPO_DIR, '.ci/ferretdb.sh'), 'build'], { stdio: 'pipe' })
    .toString()
    .trim();
  const dataDir = path.join(workDir, 'ferretdb');
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  let proc;
  const start = async () => {
    const child = spawn(
      binary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dataDir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${dataDir}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      { stdio: 'ignore' },
    );
    proc = { child, ...track(child) };
    await waitFor('FerretDB', () => portOpen(port));
  };
  await start();
  return {
    url: `mongodb://127.0.0.1:${port}/holdfast_topology`,
    start,
    async stop() {
      proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}

async function portOpen(port) {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---- API processes and workers ----

/**
 * An API process on a fixed port (a restart comes back on the same one, as a deploy would). `preload` is a
 * module node loads first: the negative control uses it to take the drain away.
 */
export function apiProcess(index, port, env) {
  let current;
  let preload;
  const start = async () => {
    const args = [...(preload ? ['--require', preload] : []), API_MAIN];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = { child, startedAt: Date.now(), ...track(child, true) };
    await waitFor(`API ${index}`, async () => {
      if (current.child.exitCode !== null)
        throw new Error(`API ${index} exited: ${current.lines.slice(-5).join('\n')}`);
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      return res.ok;
    });
    return current;
  };
  return {
    index,
    port,
    base: `http://127.0.0.1:${port}`,
    start,
    /** Starts it with (or, given no preload, without) a module loaded first; later start()s keep the choice. */
    startWith(opts) {
      preload = opts.preload;
      return start();
    },
    get pid() {
      return current?.child.pid;
    },
    get exited() {
      return current.exited;
    },
    get lines() {
      return current?.lines ?? [];
    },
    signal(sig) {
      current.child.kill(sig);
    },
  };
}

export function workerProcess(index, env) {
  let current;
  const start = async () => {
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = { child, ...track(child, true) };
    await waitFor(`worker ${index}`, async () => current.lines.some((l) => l.includes(' started: job store')));
    return current;
  };
  return {
    index,
    start,
    get pid() {
      return current?.child.pid;
    },
    get exited() {
      return current.exited;
    },
    signal(sig) {
      current.child.kill(sig);
    },
  };
}

// ---- nginx: the reverse proxy in front of the API processes ----

/**
 * nginx as a reverse proxy: round robin over the API processes, passive health (max_fails/fail_timeout), an
 * upstream marked `down` while its /readyz fails (see healthChecks in run.mjs: open-source nginx has no active
 * checks, so the harness plays the part of the deploy tool or health-check sidecar that production uses),
 * keep-alive connections to the upstreams (as production proxies keep them, which is what makes a drain matter),
 * and retries on the next process only where they are safe: a connection refused or reset before anything was
 * sent, and a network failure or 502 of an idempotent request. nginx never retries a POST once it was sent.
 */
export async function startNginx(workDir, upstreamPorts) {
  const prefix = path.join(workDir, 'nginx');
  for (const d of ['logs', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) {
    mkdirSync(path.join(prefix, d), { recursive: true });
  }
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const down = new Set();
  const conf = () => `# generated by packages/server/topology (do not edit)
${asRoot ? 'user root;' : ''}
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 512; }
http {
  log_format topology '$msec|$request_time|$status|$request_method|$upstream_addr|$upstream_status|$http_x_request_id';
  access_log ${prefix}/logs/access.log topology;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  upstream holdfast_api {
${upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=3 fail_timeout=2s${down.has(p) ? ' down' : ''};`).join('\n')}
    keepalive 16;
    # Shorter than the API's drain delay: an idle upstream connection is dropped by nginx itself before the
    # draining process closes it.
    keepalive_timeout 2s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://holdfast_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      # Not http_503: a 503 from the API is BUSY with Retry-After, an answer for the client to retry. With it nginx
      # counts those 503s as upstream failures (max_fails) and, in a PostgreSQL outage, answered 502 (no live
      # upstream) instead of passing them on. Draining processes leave by health check instead.
      proxy_next_upstream error timeout http_502;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
      proxy_buffering off;
    }
  }
}
`;
  const confFile = path.join(prefix, 'nginx.conf');
  writeFileSync(confFile, conf());
  const child = spawn('/usr/sbin/nginx', ['-p', prefix, '-c', confFile, '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = { child, ...track(child, true) };
  await waitFor('nginx', () => portOpen(port));
  return {
    base: `http://127.0.0.1:${port}`,
    accessLog: path.join(prefix, 'logs/access.log'),
    /**
     * Takes an upstream out of rotation (`down`) or puts it back, by rewriting the config and reloading nginx
     * (SIGHUP: new workers take the new config, old ones finish their requests). Returns whether it changed.
     */
    setDown(port, isDown) {
      if (down.has(port) === isDown) return false;
      if (isDown) down.add(port);
      else down.delete(port);
      writeFileSync(confFile, conf());
      child.kill('SIGHUP');
      return true;
    },
    async stop() {
      child.kill('SIGQUIT');
      await proc.exited;
    },
  };
}

export function workDirFor(form) {
  const dir = path.join(os.tmpdir(), `holdfast-topology-${form}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) {
    // The postgres user must reach its data directory below this one.
    execFileSync('chmod', ['755', dir]);
  }
  return dir;
}
