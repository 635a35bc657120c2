// `pnpm test:topology` (full) and `pnpm test:topology:short` (CI, under 3 minutes): the production layout as
// local processes — a private PostgreSQL, FerretDB, 2 API processes behind nginx, 2 workers — broken the ways
// production breaks, each time under a steady mixed load through the proxy, with the ledger checked after each.
// Writes test-artifacts/topology/<form>.json (scripts/topology-report.mjs turns the full run into the tables of
// docs/RELIABILITY.md) and exits 1 when a scenario misses what it must hold.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { call, createRecord, runLoad, summarize } from './lib/load.mjs';
import { expiryLags, ledgerCheck, overdueNow, withClient } from './lib/ledger.mjs';
import {
  apiProcess,
  freePort,
  killAll,
  REPO_DIR,
  startFerret,
  startNginx,
  startPostgres,
  workDirFor,
  workerProcess,
} from './lib/processes.mjs';

const form = process.argv.includes('--short') ? 'short' : 'full';
const SHORT = form === 'short';
const common = { holdTtlSeconds: 3, drainDelayMs: 3000, maxExpiryLagMs: 15_000 };
/** Both forms' settings (written to the output, so the report can describe the CI form too). */
const FORMS = {
  // Load before and after each fault (steadyMs), clients and their think time, the job store outage.
  short: { ...common, clients: 4, thinkMs: 100, steadyMs: 2500, mongoDownMs: 10_000 },
  full: { ...common, clients: 6, thinkMs: 60, steadyMs: 5000, mongoDownMs: 30_000 },
};
const settings = FORMS[form];
const NO_DRAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'no-drain.cjs');
const JWT_SECRET = randomBytes(32).toString('base64url');

const log = (msg) => console.log(`[topology ${new Date().toISOString().slice(11, 23)}] ${msg}`);

async function main() {
  const started = Date.now();
  const work = workDirFor(form);
  process.on('exit', () => killAll());
  // Ctrl-C: exit through the handlers above, so nothing started here outlives the run.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
  log(`${form} form; work dir ${work}`);
  const pgServer = await startPostgres(work);
  // pg_ctl starts PostgreSQL as a daemon, not a child: stop it on any exit (a failed run keeps the work dir's logs).
  let pgStopped = false;
  process.on('exit', () => {
    if (!pgStopped) pgServer.destroy();
  });
  await withClient(pgServer.adminUrl, (db) => db.query('CREATE DATABASE holdfast'));
  const ferret = await startFerret(work);
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: pgServer.url,
    MONGO_URL: ferret.url,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    BCRYPT_COST: '4',
    DATABASE_POOL_MAX: '6',
    HOLD_TTL_SECONDS: String(settings.holdTtlSeconds),
    MAX_ACTIVE_HOLDS_PER_USER: '0',
    DRAIN_DELAY_MS: String(settings.drainDelayMs),
    WORKER_IN_PROCESS: '0',
    LOGIN_IP_MAX_PER_MINUTE: '1000',
  };
  const apis = [apiProcess(0, await freePort(), env), apiProcess(1, await freePort(), env)];
  await apis[0].start(); // applies the migrations first
  await apis[1].start();
  const workers = [workerProcess(0, { ...env, LOG_LEVEL: 'info' }), workerProcess(1, { ...env, LOG_LEVEL: 'info' })];
  await Promise.all(workers.map((w) => w.start()));
  const nginx = await startNginx(
    work,
    apis.map((a) => a.port),
  );
  log(`up: PostgreSQL, FerretDB, API :${apis.map((a) => a.port).join(' :')}, 2 workers, nginx ${nginx.base}`);

  const t = { base: nginx.base, pgServer, ferret, apis, workers, nginx, env };
  const health = healthChecks(apis, nginx);
  t.admin = await signUp(t, 'admin', true);
  t.users = [];
  for (let i = 0; i < settings.clients; i++) t.users.push(await signUp(t, `client${i}`));

  const scenarios = [
    ['rolling-restart', rollingRestart],
    ['api-sigkill', apiSigkill],
    ['worker-sigkill', workerSigkill],
    ['mongodb-down', mongoDown],
    ['postgresql-restart', postgresRestart],
  ];
  if (!SHORT) {
    // The rolling restart again with the drain taken away (SIGTERM then ends an API process at once): the harness
    // must see it. The processes are swapped before the load starts and swapped back after its ledger check.
    scenarios.push([
      'negative-control-no-drain',
      rollingRestart,
      { before: () => replaceApis(t, NO_DRAIN), after: () => replaceApis(t, undefined) },
    ]);
  }
  // `--only <name>` runs one scenario (while working on it); the output then says so.
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const results = [];
  for (const [name, run, opts] of scenarios.filter(([n]) => !only || n === only)) {
    log(`scenario ${name}`);
    const result = await scenario(t, name, run, opts);
    results.push(result);
    log(
      `${name}: ${result.ok ? 'PASS' : 'FAIL'} — ${result.load.requests} requests, ${result.load.failed} failed, ` +
        `max expiry lag ${Math.round(result.maxExpiryLagMs)} ms, ledger ${result.ledger.ok ? 'ok' : JSON.stringify(result.ledger)}` +
        (result.problems.length ? `; ${result.problems.join('; ')}` : ''),
    );
  }

  await health.stop();
  await nginx.stop();
  for (const a of apis) a.signal('SIGTERM');
  for (const w of workers) w.signal('SIGTERM');
  await Promise.all([...apis, ...workers].map((p) => p.exited));
  await ferret.stop();
  pgServer.destroy();
  pgStopped = true;
  rmSync(work, { recursive: true, force: true });

  const out = {
    form,
    only,
    recordedAt: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    // `nginx -v` prints to stderr.
    nginx: spawnSync('/usr/sbin/nginx', ['-v']).stderr.toString().trim().replace('nginx version: ', ''),
    settings,
    forms: FORMS,
    nginxReloads: health.reloads,
    scenarios: results.map(({ load, ...rest }) => ({ ...rest, load: { ...load, failedRequests: undefined } })),
  };
  const dir = path.join(REPO_DIR, 'test-artifacts/topology');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${form}.json`), `${JSON.stringify(out, null, 2)}\n`);
  const failed = results.filter((r) => !r.ok);
  log(`done in ${out.durationS} s: ${results.length - failed.length}/${results.length} scenarios held`);
  if (failed.length > 0) {
    for (const r of failed) log(`FAILED ${r.name}: ${r.problems.join('; ')}`);
    process.exit(1);
  }
}

/**
 * The health checks nginx lacks in its open-source build: every 200 ms, /readyz of each API process; one that
 * fails while another is ready is marked `down` in nginx (config rewrite + reload), and put back once ready. This
 * is what takes a draining process out of rotation before it stops listening, as a deploy tool, an orchestrator's
 * readiness probe or a health-check sidecar does in production. Never all at once: when every process fails
 * (PostgreSQL down), they all stay in and answer 503 BUSY themselves.
 */
function healthChecks(apis, nginx) {
  const stop = new AbortController();
  let reloads = 0;
  const loop = (async () => {
    while (!stop.signal.aborted) {
      const ready = await Promise.all(
        apis.map((a) =>
          fetch(`${a.base}/readyz`, { signal: AbortSignal.timeout(500) }).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      );
      const anyReady = ready.some(Boolean);
      apis.forEach((a, i) => {
        if (nginx.setDown(a.port, anyReady && !ready[i])) reloads++;
      });
      await sleep(200);
    }
  })();
  return {
    get reloads() {
      return reloads;
    },
    async stop() {
      stop.abort();
      await loop;
    },
  };
}

async function signUp(t, name, admin = false) {
  const username = `${name}_${randomBytes(3).toString('hex')}`;
  const password = 'Str0ngPassw0rd!';
  const reg = await call(t.base, undefined, 'register', 'POST', '/api/auth/users/register/', {
    body: { username, email: `${username}@example.com`, password, password2: password },
  });
  if (reg.status !== 201) throw new Error(`register ${username}: ${JSON.stringify(reg)}`);
  if (admin) {
    await withClient(t.pgServer.url, (db) =>
      db.query('UPDATE users SET is_superuser = true WHERE username = $1', [username]),
    );
  }
  const login = await call(t.base, undefined, 'login', 'POST', '/api/auth/users/login/', {
    body: { username, password },
  });
  if (login.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(login)}`);
  return { id: login.body.user.id, username, access: login.body.access };
}

async function createEvent(t, capacity) {
  const start = new Date(Date.now() + 24 * 3600_000);
  const r = await call(t.base, undefined, 'event', 'POST', '/api/events/', {
    token: t.admin.access,
    body: {
      name: `topology ${randomBytes(3).toString('hex')}`,
      capacity,
      start_time: start.toISOString(),
      end_time: new Date(start.getTime() + 3600_000).toISOString(),
    },
  });
  if (r.status !== 201) throw new Error(`create event: ${JSON.stringify(r)}`);
  return r.body.id;
}

/**
 * Runs one scenario: fresh events (two roomy, one small enough to sell out), the load through the proxy, a
 * sampler of the oldest overdue hold, the fault (`run`), then the load stops, the lapsed holds are left to the
 * workers and the ledger is checked.
 */
async function scenario(t, name, run, opts = {}) {
  await opts.before?.();
  const events = [await createEvent(t, 100_000), await createEvent(t, 100_000), await createEvent(t, 30)];
  const record = createRecord();
  const stop = new AbortController();
  const from = Date.now();
  const load = runLoad({
    base: t.base,
    record,
    users: t.users,
    events,
    signal: stop.signal,
    thinkMs: settings.thinkMs,
  });
  let maxOverdueMs = 0;
  // A connection per sample: PostgreSQL itself restarts in one scenario.
  const sampler = (async () => {
    while (!stop.signal.aborted) {
      const ms = await withClient(t.pgServer.url, overdueNow).catch(() => 0);
      maxOverdueMs = Math.max(maxOverdueMs, ms);
      await sleep(250);
    }
  })();
  const problems = [];
  const facts = {};
  const extraEvents = [];
  try {
    await run(t, { record, facts, problems, events, extraEvents });
  } catch (err) {
    problems.push(`scenario error: ${err?.stack ?? err}`);
  }
  stop.abort();
  await load;
  const to = Date.now();
  // Let the last holds lapse and the workers expire them (the lag limit is the bound).
  await sleep(settings.holdTtlSeconds * 1000);
  const settleDeadline = Date.now() + settings.maxExpiryLagMs;
  let lags = await expiryLags(t.pgServer.url, [...events, ...extraEvents]);
  while (lags.still_held > 0 && Date.now() < settleDeadline) {
    await sleep(250);
    lags = await expiryLags(t.pgServer.url, [...events, ...extraEvents]);
  }
  await sampler;
  const ledger = await ledgerCheck(t.pgServer.url, record, [...events, ...extraEvents]);
  const summary = summarize(record, from, to);
  const maxExpiryLagMs = Math.max(maxOverdueMs, lags.max_ms);
  if (!ledger.ok) problems.push(`ledger: ${JSON.stringify(ledger)}`);
  if (lags.still_held > 0)
    problems.push(`${lags.still_held} holds still HOLD ${settings.maxExpiryLagMs} ms after the load`);
  const expectations = facts.expect ?? {};
  if ((expectations.maxFailed ?? 0) < summary.failed && !expectations.failuresExplained) {
    problems.push(`${summary.failed} failed requests: ${JSON.stringify(summary.failures)}`);
  }
  if ((expectations.maxExpiryLagMs ?? settings.maxExpiryLagMs) < maxExpiryLagMs) {
    problems.push(
      `expiry lag ${Math.round(maxExpiryLagMs)} ms over ${expectations.maxExpiryLagMs ?? settings.maxExpiryLagMs} ms`,
    );
  }
  delete facts.expect;
  await opts.after?.();
  const negative = name.startsWith('negative-control');
  // A negative control passes when the harness saw the breakage (its checks are the real scenario's).
  const ok = negative ? problems.length > 0 : problems.length === 0;
  return {
    name,
    ok,
    negative,
    seconds: Math.round((to - from) / 100) / 10,
    load: summary,
    expired: lags.expired,
    maxExpiryLagMs,
    ledger,
    facts,
    problems,
  };
}

// ---- scenarios ----

/** Both API processes restarted one after the other (SIGTERM, drain, start again) under load: nothing fails. */
async function rollingRestart(t, ctx) {
  await sleep(settings.steadyMs);
  ctx.facts.restarts = [];
  for (const api of t.apis) {
    ctx.facts.restarts.push(await restartOne(t, api, ctx));
    await sleep(settings.steadyMs);
  }
}

/** Restarts every API process (no load running), with `preload` loaded first or without it. */
async function replaceApis(t, preload) {
  for (const api of t.apis) {
    api.signal('SIGTERM');
    await api.exited;
    await api.startWith({ preload });
  }
}

/**
 * SIGTERM to one API process while a request of ours is in flight on it (waiting on an event row lock we hold):
 * /readyz must turn 503 at once, the in-flight request must get its real answer, the process must exit 0 after the
 * drain delay, and a new one takes its port.
 */
async function restartOne(t, api, ctx) {
  const probeEvent = await createEvent(t, 10);
  const fact = { api: api.index };
  await withClient(t.pgServer.url, async (db) => {
    await db.query('BEGIN');
    await db.query('SELECT id FROM events WHERE id = $1 FOR UPDATE', [probeEvent]);
    const inFlight = call(api.base, undefined, 'probe', 'POST', '/api/reservations/create_hold/', {
      token: t.users[0].access,
      body: { event_id: probeEvent },
      key: `probe-${probeEvent}`,
    });
    await waitUntil(async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
      );
      return rows[0].n > 0;
    });
    const signalled = Date.now();
    api.signal('SIGTERM');
    await sleep(100);
    fact.readyzWhileDraining = await fetch(`${api.base}/readyz`).then(
      (r) => r.status,
      (err) => `network error (${err?.cause?.code ?? err})`,
    );
    await sleep(200);
    await db.query('COMMIT');
    const answer = await inFlight;
    fact.inFlightAnswer = answer.failed ?? answer.status;
    const exit = await api.exited;
    fact.exit = exit.signal ?? exit.code;
    fact.drainMs = exit.at - signalled;
  });
  await api.start();
  if (fact.readyzWhileDraining !== 503) {
    ctx.problems.push(`API ${api.index}: /readyz ${fact.readyzWhileDraining} while draining`);
  }
  if (fact.inFlightAnswer !== 201)
    ctx.problems.push(`API ${api.index}: in-flight request answered ${fact.inFlightAnswer}`);
  if (fact.exit !== 0) ctx.problems.push(`API ${api.index}: exit ${fact.exit}`);
  return fact;
}

/**
 * SIGKILL of one API process under load, with requests of ours in flight on both processes (holds through the
 * proxy waiting on an event row lock we hold): the POSTs in flight on the killed process fail (nginx never
 * retries a POST it has sent), everything else — the same holds on the other process, the GETs (retried by nginx),
 * every request sent after the kill — is served.
 */
async function apiSigkill(t, ctx) {
  await sleep(settings.steadyMs);
  const victim = t.apis[0];
  const probeEvent = await createEvent(t, 50);
  ctx.extraEvents.push(probeEvent);
  let killedAt = 0;
  let diedAt = 0;
  await withClient(t.pgServer.url, async (db) => {
    await db.query('BEGIN');
    await db.query('SELECT id FROM events WHERE id = $1 FOR UPDATE', [probeEvent]);
    const probes = t.users.map((user, i) =>
      call(t.base, ctx.record, 'hold', 'POST', '/api/reservations/create_hold/', {
        token: user.access,
        body: { event_id: probeEvent },
        key: `kill-probe-${probeEvent}-${i}`,
      }).then((r) => {
        if (r.status === 201) ctx.record.holds.set(r.body.id, { user: user.id, event: probeEvent, quantity: 1 });
        else if (r.failed)
          ctx.record.unknownHolds.set(user.username, (ctx.record.unknownHolds.get(user.username) ?? 0) + 1);
        return r;
      }),
    );
    await waitUntil(async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
      );
      return rows[0].n >= probes.length;
    });
    killedAt = Date.now();
    victim.signal('SIGKILL');
    diedAt = (await victim.exited).at;
    await sleep(200);
    await db.query('COMMIT');
    const answers = await Promise.all(probes);
    ctx.facts.probesInFlight = answers.length;
    ctx.facts.probesFailed = answers.filter((a) => a.failed).length;
  });
  await sleep(settings.steadyMs);
  await victim.start();
  await sleep(settings.steadyMs);
  const failed = ctx.record.requests.filter((r) => r.failed);
  // In flight at the kill: sent before the process was seen dead (nginx may still pick a kept-alive connection to
  // it until then), answered after the SIGKILL.
  const outside = failed.filter((r) => !(r.start <= diedAt && r.end >= killedAt));
  ctx.facts.deathObservedAfterMs = diedAt - killedAt;
  ctx.facts.failedSentAtMs = failed.map((r) => r.start - killedAt);
  const upstreams = upstreamsOf(t, failed);
  const elsewhere = [...upstreams].filter((u) => u !== `127.0.0.1:${victim.port}`);
  ctx.facts.inFlightFailed = failed.length - outside.length;
  ctx.facts.failedNotInFlight = outside.length;
  ctx.facts.servedAfterKill = ctx.record.requests.filter((r) => r.start > killedAt && !r.failed).length;
  ctx.facts.failedUpstreams = [...upstreams];
  ctx.facts.expect = { failuresExplained: outside.length === 0 && elsewhere.length === 0 };
  if (ctx.facts.probesFailed === 0) ctx.problems.push('no request was in flight on the killed process');
  if (ctx.facts.probesFailed === ctx.facts.probesInFlight)
    ctx.problems.push('the other process served none of the probes');
  if (outside.length > 0) ctx.problems.push(`${outside.length} failed requests were not in flight at the kill`);
  if (elsewhere.length > 0) ctx.problems.push(`failed requests went to ${elsewhere.join(', ')}`);
}

/** The upstreams nginx tried for the failed requests (from its access log, by request id). */
function upstreamsOf(t, failed) {
  const ids = new Set(failed.flatMap((r) => r.ids));
  const upstreams = new Set();
  for (const line of readFileSync(t.nginx.accessLog, 'utf8').split('\n')) {
    const [, , , , upstreamAddr, , id] = line.split('|');
    if (ids.has(id)) for (const u of upstreamAddr.split(',')) upstreams.add(u.trim());
  }
  return upstreams;
}

/**
 * SIGKILL of the worker that holds the expiry job's lock (it is sweeping or about to, with overdue holds waiting):
 * the other worker takes over once the short lock lapses, and every hold is EXPIRED within 15 s of its expiry.
 */
async function workerSigkill(t, ctx) {
  await sleep(settings.steadyMs);
  // The worker package's own driver: the server package does not depend on it.
  const { MongoClient } = createRequire(path.join(REPO_DIR, 'packages/worker/package.json'))('mongodb');
  const client = new MongoClient(t.ferret.url, { serverSelectionTimeoutMS: 3000 });
  try {
    const jobs = client.db().collection('agendaJobs');
    let victim;
    await waitUntil(
      async () => {
        const job = await jobs.findOne({ name: 'expire-holds' });
        const owner = job?.lockedAt ? String(job.lastModifiedBy ?? '') : '';
        victim = t.workers.find((w) => owner.includes(`:${w.pid}:`));
        if (!victim) return false;
        return withClient(t.pgServer.url, (db) => overdueNow(db)).then((ms) => ms > 0);
      },
      20_000,
      20,
    );
    ctx.facts.killedWorker = victim.index;
    ctx.facts.killedAt = new Date().toISOString();
    victim.signal('SIGKILL');
    await victim.exited;
    await sleep(Math.max(settings.steadyMs, 8000));
    await victim.start();
  } finally {
    await client.close();
  }
}

/** The job store down for a while: the API does not notice; holds pile up overdue, then the workers catch up. */
async function mongoDown(t, ctx) {
  await sleep(settings.steadyMs);
  await t.ferret.stop();
  const down = Date.now();
  await sleep(settings.mongoDownMs);
  await t.ferret.start();
  const up = Date.now();
  ctx.facts.downSeconds = Math.round((up - down) / 1000);
  // Recovered when no hold is overdue by more than two sweep intervals.
  await withClient(t.pgServer.url, (db) => waitUntil(async () => (await overdueNow(db)) < 4000, 60_000, 250));
  ctx.facts.recoveredAfterMs = Date.now() - up;
  await sleep(settings.steadyMs);
  // Holds lapsing during the outage wait for it to end: the lag limit is the outage plus the recovery.
  ctx.facts.expect = { maxExpiryLagMs: settings.mongoDownMs + settings.maxExpiryLagMs };
}

/** PostgreSQL restarted under load: 503 BUSY (retried by the client) while it is down, then full recovery. */
async function postgresRestart(t, ctx) {
  await sleep(settings.steadyMs);
  const down = Date.now();
  t.pgServer.stop();
  await sleep(2000);
  t.pgServer.start();
  ctx.facts.downMs = Date.now() - down;
  await waitUntil(async () => (await fetch(`${t.base}/readyz`)).ok, 30_000, 200);
  ctx.facts.readyAfterMs = Date.now() - down;
  await sleep(settings.steadyMs);
}

async function waitUntil(check, timeoutMs = 10_000, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

main().catch((err) => {
  console.error(err);
  killAll();
  process.exit(1);
});
