// Job stores for tests: each test gets an empty one of its own (a scratch PostgreSQL database, or a MongoDB database
// with a unique name), so one test's schedule or stale lock never reaches another.
import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  dropTestDatabase,
  scratchMongo as scratchMongoDatabase,
  withPgClient,
} from '@holdfast/test-kit';
import type { JobStoreTarget } from '../../src';

export { mongoRequiredButMissing } from '@holdfast/test-kit';

export type StoreKind = JobStoreTarget['kind'];

/** PostgreSQL always; MongoDB when MONGO_URL is set. */
export function storeKinds(): StoreKind[] {
  return process.env.MONGO_URL ? ['postgresql', 'mongodb'] : ['postgresql'];
}

export interface ScheduledJob {
  name: string;
  lockedAt: Date | null;
}

export interface ScratchStore {
  target: JobStoreTarget;
  scheduledJobs(): Promise<ScheduledJob[]>;
  /**
   * Locks the job in `owner`'s name if no worker holds it now (one atomic update), as a worker that took the lock
   * and died at once would leave it. True if the lock was taken.
   */
  seizeLock(jobName: string, owner: string): Promise<boolean>;
  drop(): Promise<void>;
}

export async function scratchStore(kind: StoreKind, mongoUrl = process.env.MONGO_URL): Promise<ScratchStore> {
  return kind === 'mongodb' ? scratchMongo(mongoUrl) : scratchPostgres();
}

async function scratchPostgres(): Promise<ScratchStore> {
  const admin = process.env.TEST_ADMIN_DATABASE_URL;
  const testUrl = process.env.TEST_DATABASE_URL;
  if (!admin || !testUrl) throw new Error('run through jest: the global setup sets TEST_ADMIN_DATABASE_URL');
  const name = `${new URL(testUrl).pathname.slice(1)}_jobs_${randomBytes(3).toString('hex')}`;
  const url = await createDatabase(admin, name);
  return {
    target: { kind: 'postgresql', url },
    scheduledJobs: () =>
      withPgClient(url, async (c) => {
        const exists = await c.query(`SELECT to_regclass('agenda_jobs') IS NOT NULL AS ok`);
        if (!exists.rows[0]?.ok) return [];
        const res = await c.query<{ name: string; locked_at: Date | null }>('SELECT name, locked_at FROM agenda_jobs');
        return res.rows.map((r) => ({ name: r.name, lockedAt: r.locked_at }));
      }),
    seizeLock: (jobName, owner) =>
      withPgClient(url, async (c) => {
        const res = await c.query(
          'UPDATE agenda_jobs SET locked_at = now(), last_modified_by = $2 WHERE name = $1 AND locked_at IS NULL',
          [jobName, owner],
        );
        return res.rowCount === 1;
      }),
    drop: () => dropTestDatabase({ adminUrl: admin, name }),
  };
}

async function scratchMongo(mongoUrl: string | undefined): Promise<ScratchStore> {
  const { url, withClient: withDb, drop } = scratchMongoDatabase(mongoUrl);
  return {
    target: { kind: 'mongodb', url },
    scheduledJobs: () =>
      withDb(async (client) => {
        const docs = await client.db().collection('agendaJobs').find({}).toArray();
        return docs.map((d) => ({ name: String(d.name), lockedAt: (d.lockedAt as Date | null | undefined) ?? null }));
      }),
    seizeLock: (jobName, owner) =>
      withDb(async (client) => {
        const res = await client
          .db()
          .collection('agendaJobs')
          .updateOne({ name: jobName, lockedAt: null }, { $set: { lockedAt: new Date(), lastModifiedBy: owner } });
        return res.modifiedCount === 1;
      }),
    drop,
  };
}
