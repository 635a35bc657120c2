// `node bench/dist/hot-path.js`: the hot-hold investigation of issue 19. Three questions, one scratch database:
//
// 1. Hot REST holds against the textbook locked-transaction ceiling (lib/ceiling.ts shape `separate`: BEGIN;
//    SELECT … FOR UPDATE; INSERT; UPDATE; COMMIT per hold straight through pg, as many workers as the API's pool),
//    and against the API's own statement sent one hold at a time (shape `server`). Interleaved rounds.
// 2. What each suspect costs, toggled in this scratch database only and measured in interleaved rounds against the
//    schema as migrated: `notify` drops the availability NOTIFY trigger of migration 0005; `res-indexes` drops the
//    two reservations B-trees of migration 0004 (created_idx, event_created_idx); `audit-indexes` drops audit_log's
//    B-trees; `audit` runs a second API with the audit log off (bench/dist/unaudited-main.js).
// 3. Whether the rate stays flat as the tables grow: holds on one event through the API and, beside it, the
//    textbook transaction on another, round after round until reservations (and audit_log) reach --grow rows.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { ceilingRun, type HoldShape } from './lib/ceiling';
import { dynamicPost, httpRun, postAsUsers, round, type Measurement } from './lib/load';
import { median } from './lib/report';
import { newHotEvent, seed } from './lib/seed';
import { holdBatches, SERVER_DIR, startServer, type ApiServer } from './lib/server';
import { openBenchWorkspace } from './lib/workspace';

const USAGE = `Usage: node bench/dist/hot-path.js [options]
  --rounds N        interleaved rounds of parts 1 and 2 (default 3)
  --duration S      seconds per arm per round (default 5)
  --toggles LIST    suspects to toggle: notify,res-indexes,audit-indexes,audit (default all; "none" to skip)
  --grow N          part 3: keep holding until reservations has N rows (default 300000; 0 to skip)
  --grow-step S     part 3: seconds of API holds per step (default 20; the textbook arm runs half of that)
  --spread          also REST holds spread over 1,000 events (one hold per statement: where NOTIFY's commit lock
                    should show), with each toggle
  --no-hot          skip the hot-event arms of parts 1 and 2 (with --spread: the spread arms only)
  --connections N   HTTP connections (default 50)
  --pool N          the API's DATABASE_POOL_MAX and the ceilings' workers (default 10)
  --database-url U  PostgreSQL server (default $DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)
`;

const log = (m: string) => console.error(`[hot-path ${new Date().toISOString().slice(11, 19)}] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOLD_REST = '/api/reservations/create_hold/';

/** A schema change to undo: `off` applies it, `on` restores the schema as migrated. */
interface Toggle {
  name: string;
  off(sql: pg.Client): Promise<void>;
  on(sql: pg.Client): Promise<void>;
}

async function indexToggle(sql: pg.Client, name: string, indexes: string[]): Promise<Toggle> {
  const defs = await sql.query<{ indexname: string; indexdef: string }>(
    'SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY($1)',
    [indexes],
  );
  if (defs.rows.length !== indexes.length) throw new Error(`${name}: expected indexes ${indexes.join(', ')}`);
  return {
    name,
    off: async (c) => {
      for (const i of indexes) await c.query(`DROP INDEX ${i}`);
    },
    on: async (c) => {
      for (const d of defs.rows) await c.query(d.indexdef);
    },
  };
}

async function notifyToggle(sql: pg.Client): Promise<Toggle> {
  const r = await sql.query<{ def: string }>(
    `SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgname = 'events_announce_availability'`,
  );
  const def = r.rows[0]?.def;
  if (!def) throw new Error('trigger events_announce_availability not found');
  return {
    name: 'notify',
    off: async (c) => void (await c.query('DROP TRIGGER events_announce_availability ON events')),
    on: async (c) => void (await c.query(def)),
  };
}

type Result = Measurement & { holdsPerStatement?: number };

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '5' },
      toggles: { type: 'string', default: 'notify,res-indexes,audit-indexes,audit' },
      grow: { type: 'string', default: '300000' },
      'grow-step': { type: 'string', default: '20' },
      spread: { type: 'boolean', default: false },
      'no-hot': { type: 'boolean', default: false },
      connections: { type: 'string', default: '50' },
      pool: { type: 'string', default: '10' },
      'database-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const rounds = Number(values.rounds);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const pool = Number(values.pool);
  const grow = Number(values.grow);
  const growStep = Number(values['grow-step']);
  const toggleNames = (values.toggles ?? '').split(',').filter((t) => t && t !== 'none');

  const { db, sql, servers, stopAll } = await openBenchWorkspace(values['database-url'], log);
  try {
    const settings = { databaseUrl: db.url, pool, bcryptCost: 4, jwtSecret: randomBytes(36).toString('base64url') };
    const api = await startServer({ ...settings, nodeArgs: [], dir: SERVER_DIR });
    servers.push(api);
    const unaudited = toggleNames.includes('audit')
      ? await startServer({
          ...settings,
          nodeArgs: [],
          dir: SERVER_DIR,
          entry: path.join(__dirname, 'unaudited-main.js'),
        })
      : undefined;
    if (unaudited) servers.push(unaudited);
    await sql.connect();
    const s = await seed(api, db.url, {
      users: 10,
      existingReservations: 0,
      spreadEvents: values.spread ? 1000 : 10,
      hotRoles: [],
      log,
    });
    const tokens = s.users.map((u) => u.access);
    const userIds = s.users.map((u) => u.id);
    log(`database ${db.name}; API pid ${api.pid}${unaudited ? `, unaudited API pid ${unaudited.pid}` : ''}`);

    const apiHolds = async (server: ApiServer, eventId: number, seconds: number): Promise<Result> => {
      const before = await holdBatches(server);
      const m = await httpRun({
        url: server.baseUrl,
        connections,
        durationS: seconds,
        requests: postAsUsers(HOLD_REST, { event_id: eventId, quantity: 1 }, tokens),
      });
      const after = await holdBatches(server);
      const n = after.statements - before.statements;
      return n > 0 ? { ...m, holdsPerStatement: round((after.holds - before.holds) / n, 1) } : m;
    };
    const ceiling = (shape: HoldShape, eventId: number, seconds: number) =>
      ceilingRun({
        databaseUrl: db.url,
        workers: pool,
        durationS: seconds,
        shape,
        pickEvent: () => eventId,
        userIds,
        serverDir: SERVER_DIR,
      });
    const settle = async () => {
      await sql.query('CHECKPOINT');
      await sleep(300);
    };

    // ---- parts 1 and 2: arms in interleaved rounds --------------------------------------------------------
    const toggles: Toggle[] = [];
    for (const t of toggleNames) {
      if (t === 'notify') toggles.push(await notifyToggle(sql));
      else if (t === 'res-indexes')
        toggles.push(await indexToggle(sql, t, ['reservations_created_idx', 'reservations_event_created_idx']));
      else if (t === 'audit-indexes')
        toggles.push(
          await indexToggle(sql, t, ['audit_log_object_idx', 'audit_log_actor_idx', 'audit_log_action_idx']),
        );
      else if (t !== 'audit') throw new Error(`unknown toggle ${t}`);
    }
    interface ArmDef {
      name: string;
      run: (seconds: number) => Promise<Result>;
    }
    const hot = (f: (event: number, seconds: number) => Promise<Result>) => async (seconds: number) =>
      f(await newHotEvent(sql, 'hot-path'), seconds);
    const withToggle =
      (t: Toggle, f: (seconds: number) => Promise<Result>) =>
      async (seconds: number): Promise<Result> => {
        await t.off(sql);
        try {
          return await f(seconds);
        } finally {
          await t.on(sql);
        }
      };
    const restHot = hot((e, d) => apiHolds(api, e, d));
    const textbook = hot((e, d) => ceiling('separate', e, d));
    const restSpread = (server: ApiServer) => async (seconds: number) => {
      const pick = () => s.spreadApi[Math.floor(Math.random() * s.spreadApi.length)] ?? 0;
      return httpRun({
        url: server.baseUrl,
        connections,
        durationS: seconds,
        requests: dynamicPost(HOLD_REST, tokens, () => ({ event_id: pick(), quantity: 1 })),
      });
    };
    const arms: ArmDef[] = [];
    if (!values['no-hot']) {
      arms.push(
        { name: 'REST hot holds (API)', run: restHot },
        { name: 'textbook transaction via pg (BEGIN; SELECT FOR UPDATE; INSERT; UPDATE; COMMIT)', run: textbook },
        { name: "the API's hold statement via pg, one hold each", run: hot((e, d) => ceiling('server', e, d)) },
      );
      for (const t of toggles) {
        arms.push({ name: `REST hot holds, ${t.name} off`, run: withToggle(t, restHot) });
        arms.push({ name: `textbook transaction, ${t.name} off`, run: withToggle(t, textbook) });
      }
      if (unaudited) {
        arms.push({ name: 'REST hot holds, audit off (unaudited API)', run: hot((e, d) => apiHolds(unaudited, e, d)) });
      }
    }
    if (values.spread) {
      arms.push({ name: 'REST spread holds (API)', run: restSpread(api) });
      for (const t of toggles)
        arms.push({ name: `REST spread holds, ${t.name} off`, run: withToggle(t, restSpread(api)) });
      if (unaudited) arms.push({ name: 'REST spread holds, audit off (unaudited API)', run: restSpread(unaudited) });
    }
    log(`warm-up: 2 s per arm (${arms.length})`);
    for (const a of arms) await a.run(2);
    const results: Result[][] = arms.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < arms.length; k++) {
        const i = (k + r) % arms.length;
        const arm = arms[i] as ArmDef;
        await settle();
        const m = await arm.run(duration);
        results[i]?.push(m);
        log(`round ${r + 1}/${rounds} ${arm.name}: ${m.rps.toFixed(0)}/s, errors ${m.errors}`);
      }
    }
    const baseOf = (name: string) => results[arms.findIndex((a) => a.name.startsWith(name))] ?? [];
    const ratioOrDash = (ms: Result[], base: Result[]) =>
      base.length === 0 ? '—' : round(median(ms.map((m, r) => m.rps / (base[r]?.rps || Infinity)))).toFixed(2);
    console.log(
      `\nHot-path investigation ${new Date().toISOString()}; ${os.availableParallelism()} cores, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}; ${rounds} interleaved rounds of ${duration} s per arm; ${connections} HTTP connections; ` +
        `API pool ${pool}, ceilings ${pool} pg workers. Ratios: median of per-round ratios.\n`,
    );
    console.log('| arm | holds/s (rounds) | holds per statement | × REST hot | × textbook | × REST spread |');
    console.log('|---|---:|---:|---:|---:|---:|');
    const restBase = baseOf('REST hot holds (API)');
    const tbBase = baseOf('textbook transaction via pg');
    const spreadBase = baseOf('REST spread holds (API)');
    arms.forEach((a, i) => {
      const ms = results[i] ?? [];
      const hps = ms.map((m) => m.holdsPerStatement).filter((x): x is number => x !== undefined);
      console.log(
        `| ${a.name} | ${Math.round(median(ms.map((m) => m.rps))).toLocaleString('en-US')} (${ms
          .map((m) => Math.round(m.rps))
          .join(' / ')}) | ${hps.length ? median(hps).toFixed(1) : '—'} | ${ratioOrDash(ms, restBase)} | ${ratioOrDash(
          ms,
          tbBase,
        )} | ${ratioOrDash(ms, spreadBase)} |`,
      );
    });

    // ---- part 3: growth ---------------------------------------------------------------------------------------
    if (grow > 0) {
      const eApi = await newHotEvent(sql, 'grow-api');
      const eTb = await newHotEvent(sql, 'grow-textbook');
      const counts = async () => {
        const r = await sql.query<{ res: string; audit: string; resmb: string; auditmb: string }>(
          `SELECT (SELECT count(*) FROM reservations) AS res, (SELECT count(*) FROM audit_log) AS audit,
                  pg_total_relation_size('reservations') / 1048576 AS resmb,
                  pg_total_relation_size('audit_log') / 1048576 AS auditmb`,
        );
        const row = r.rows[0];
        return {
          reservations: Number(row?.res ?? 0),
          audit: Number(row?.audit ?? 0),
          mb: `${row?.resmb ?? '?'} + ${row?.auditmb ?? '?'}`,
        };
      };
      console.log(
        `\nGrowth: ${growStep} s of REST holds on one event, then ${growStep / 2} s of the textbook transaction on ` +
          'another, until reservations reaches ' +
          grow.toLocaleString('en-US') +
          ' rows\n',
      );
      console.log(
        '| step | reservations before | audit_log before | MB (reservations + audit_log) | REST holds/s | holds per statement | textbook holds/s | REST / textbook |',
      );
      console.log('|---:|---:|---:|---|---:|---:|---:|---:|');
      for (let step = 1; ; step++) {
        const c = await counts();
        if (c.reservations >= grow || step > 100) break;
        await settle();
        const a = await apiHolds(api, eApi, growStep);
        await settle();
        const t = await ceiling('separate', eTb, growStep / 2);
        console.log(
          `| ${step} | ${c.reservations.toLocaleString('en-US')} | ${c.audit.toLocaleString('en-US')} | ${c.mb} | ${Math.round(
            a.rps,
          )} | ${a.holdsPerStatement ?? '—'} | ${Math.round(t.rps)} | ${(a.rps / Math.max(t.rps, 1)).toFixed(2)} |`,
        );
      }
      const c = await counts();
      console.log(`\nat the end: ${c.reservations} reservations, ${c.audit} audit_log rows (${c.mb} MB)`);
    }
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
