// MongoDB going away: a FerretDB of this test's own (port 27018, data kept in a temp dir across restarts) is
// started late, stopped mid-run and started again. The worker must neither crash nor need a restart.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Runtime } from '@holdfast/server';
import { startWorker } from '../src';
import {
  createEvent,
  createHolds,
  createUser,
  eventually,
  ledger,
  lockWaiters,
  openRuntime,
  recordingLog,
  reservationRows,
} from './support/harness';

const PORT = 27018;
const SCRIPT = path.resolve(__dirname, '../../../.ci/ferretdb.sh');
const run = promisify(execFile);
// Runs whenever MongoDB is under test; it brings its own FerretDB, so MONGO_URL itself is not used.
const enabled = Boolean(process.env.MONGO_URL) || process.env.REQUIRE_MONGO === '1';

let rt: Runtime;
let dataDir: string;

async function ferretdb(command: 'start' | 'stop'): Promise<void> {
  await run('bash', [SCRIPT, command, String(PORT)], { env: { ...process.env, FERRETDB_DIR: dataDir } });
}

(enabled ? describe : describe.skip)('worker with MongoDB going away', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'holdfast-ferretdb-outage-'));
    // A long lock timeout lets a sweep wait on an event row lock for as long as stopping FerretDB takes.
    rt = await openRuntime({ holdTtlSeconds: 3, lockTimeoutMs: 15_000 });
  });
  afterAll(async () => {
    await ferretdb('stop').catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    await rt?.close();
  });

  it('waits for MongoDB at start, then recovers and catches up after MongoDB restarts mid-run', async () => {
    const rec = recordingLog('outage');
    const worker = startWorker(rt, {
      log: rec.log,
      jobStore: { kind: 'mongodb', url: `mongodb://127.0.0.1:${PORT}/holdfast_outage` },
    });
    try {
      // 1. MongoDB is not there yet: the worker says so and keeps retrying instead of crashing.
      await eventually('a retry line', () => rec.has('warn', /not available .*retrying in \d+ ms/), 15_000);
      await ferretdb('start');
      expect(await worker.ready).toBe(true);

      const user = await createUser(rt);
      const event = await createEvent(rt);
      const [first] = await createHolds(rt, user, [event.id], 1);
      await eventually(
        'the first hold to expire',
        async () => (await reservationRows(rt, [first!.id]))[0]?.status === 'EXPIRED',
        15_000,
      );

      // 2. MongoDB goes away in the middle of a sweep (held up on an event row lock), so that sweep cannot record
      // its end and its Agenda lock stays behind in the store. Holds lapse meanwhile and nobody can sweep them
      // (the API already counts them as gone).
      const blockedEvent = await createEvent(rt);
      const blocked = await createHolds(rt, user, [blockedEvent.id], 1);
      const blocker = await rt.sequelize.transaction();
      try {
        await rt.sequelize.query('SELECT id FROM events WHERE id = :id FOR UPDATE', {
          replacements: { id: blockedEvent.id },
          transaction: blocker,
        });
        await eventually('a sweep waiting on the event lock', () => lockWaiters(rt).then((n) => n > 0), 10_000, 20);
        await ferretdb('stop');
      } finally {
        await blocker.commit();
      }
      const during = await createHolds(rt, user, [event.id], 3);
      const lastExpiry = Math.max(...during.map((h) => Date.parse(h.expires_at!)));
      await eventually(
        'the worker to report the outage',
        () => rec.has('warn', /Agenda error on job store mongodb .*ECONNREFUSED/),
        15_000,
      );
      // Two sweep intervals past their expiry, they are still HOLD: what follows is a real catch-up.
      await eventually('the holds to be overdue', () => Date.now() > lastExpiry + 4000, 15_000);
      const statuses = async (holds: { id: number }[]) =>
        (
          await reservationRows(
            rt,
            holds.map((h) => h.id),
          )
        ).map((r) => r.status);
      expect(await statuses(during)).toEqual(['HOLD', 'HOLD', 'HOLD']);

      // 3. MongoDB is back with the same data, including the interrupted sweep's lock: once that lock's lifetime
      // (10 s) has passed, the worker takes the job again by itself and catches up.
      const restartedAt = Date.now();
      await ferretdb('start');
      await eventually(
        'the overdue holds to be EXPIRED after the restart',
        async () => (await statuses([...blocked, ...during])).every((s) => s === 'EXPIRED'),
        45_000,
      );
      const catchUpMs = Date.now() - restartedAt;
      process.stdout.write(`MongoDB restart → overdue holds EXPIRED after ${catchUpMs} ms\n`);
      expect(rec.has('info', /job store mongodb answering again/)).toBe(true);
      expect(await ledger(rt, event.id)).toMatchObject({ held: 0, recount_held: 0 });

      // 4. And it is back on schedule: a new hold is EXPIRED within 10 s of its expiry.
      const [after] = await createHolds(rt, user, [event.id], 1);
      const row = await eventually(
        'the post-recovery hold to expire',
        async () => {
          const [r] = await reservationRows(rt, [after!.id]);
          return r?.status === 'EXPIRED' && r;
        },
        Date.parse(after!.expires_at!) - Date.now() + 11_000,
      );
      expect(row.lapse_ms).toBeLessThan(10_000);
    } finally {
      await worker.stop();
    }
  });
});
