// Where Agenda keeps its jobs: MongoDB in production (MONGO_URL), else Agenda's PostgreSQL backend in its own tables
// (agenda_jobs) next to the app's. Either way this module opens the connection itself and hands Agenda a backend that
// is already connected: `new Agenda()` connects in its constructor without catching, so a store that is down there
// would be an unhandled rejection. Connection, ping and schema all happen here, where a failure is an ordinary error
// the worker can retry with backoff.
import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { AgendaBackend } from 'agenda';
import { MongoClient, type Collection, type ObjectId } from 'mongodb';
import { Pool } from 'pg';
import { describeError, type WorkerLogger } from './logger';

export type JobStoreTarget = { kind: 'mongodb'; url: string } | { kind: 'postgresql'; url: string };

export interface JobStore {
  kind: JobStoreTarget['kind'];
  /** The URL without credentials, for log lines. */
  location: string;
  /** Connected; Agenda must neither connect nor disconnect it (its connect/disconnect are no-ops). */
  backend: AgendaBackend;
  close(): Promise<void>;
}

/**
 * How long a MongoDB operation waits for a reachable server before failing (driver default: 30 s). Short, so a
 * store outage surfaces as errors within one poll or two, and a sweep stuck on it ends quickly on shutdown.
 */
const MONGO_SERVER_SELECTION_TIMEOUT_MS = 3000;

export function jobStoreTarget(mongoUrl: string | undefined, databaseUrl: string): JobStoreTarget {
  return mongoUrl ? { kind: 'mongodb', url: mongoUrl } : { kind: 'postgresql', url: databaseUrl };
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** Opens the store, checks that it answers and prepares its indexes or tables. Throws when it cannot. */
export async function connectJobStore(target: JobStoreTarget, log: WorkerLogger): Promise<JobStore> {
  return target.kind === 'mongodb' ? connectMongo(target.url) : connectPostgres(target.url, log);
}

async function connectMongo(url: string): Promise<JobStore> {
  const timeout = MONGO_SERVER_SELECTION_TIMEOUT_MS;
  const client = new MongoClient(url, {
    appName: 'holdfast-worker',
    serverSelectionTimeoutMS: timeout,
    connectTimeoutMS: timeout,
  });
  try {
    await client.connect();
    const db = client.db();
    await db.command({ ping: 1 });
    // Given a Db it did not open, the backend leaves the client (and its reconnects) to us.
    const backend = new MongoBackend({ mongo: db, collection: MONGO_COLLECTION });
    await backend.connect();
    await ensureUniqueJobNames(db.collection(MONGO_COLLECTION));
    return {
      kind: 'mongodb',
      location: redactUrl(url),
      backend: alreadyConnected(backend),
      close: () => client.close(),
    };
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
}

const MONGO_COLLECTION = 'agendaJobs';

/**
 * Agenda upserts a recurring job by name, but its MongoDB index is not unique, so workers registering at the same
 * moment can each insert one (seen on FerretDB with three workers starting together). This collection holds only
 * the worker's recurring jobs, one per name, so a unique index on name is right; it is not partial, because FerretDB
 * has no partial indexes. Duplicates left by an earlier race are removed first, keeping the oldest of each name.
 */
async function ensureUniqueJobNames(jobs: Collection): Promise<void> {
  const docs = await jobs.find({}, { projection: { _id: 1, name: 1 } }).toArray();
  docs.sort((a, b) => a._id.toHexString().localeCompare(b._id.toHexString()));
  const names = new Set<string>();
  const extra: ObjectId[] = [];
  for (const doc of docs) {
    if (names.has(String(doc.name))) extra.push(doc._id);
    else names.add(String(doc.name));
  }
  if (extra.length > 0) await jobs.deleteMany({ _id: { $in: extra } });
  await jobs.createIndex({ name: 1 }, { unique: true, name: 'holdfast_unique_job_name' });
}

// Any constant works; it only has to be the same in every worker.
const SCHEMA_LOCK_KEY = 'holdfast-worker:agenda-schema';

async function connectPostgres(url: string, log: WorkerLogger): Promise<JobStore> {
  const pool = new Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 5000,
    application_name: 'holdfast-worker',
  });
  // An idle client losing its server emits on the pool; unhandled, that would end the process.
  pool.on('error', (err) => log.warn(`job store connection dropped (PostgreSQL): ${describeError(err)}`));
  try {
    // Notifications are off: the jobs are recurring and polled, so LISTEN would only pin a connection.
    const backend = new PostgresBackend({ pool, disableNotifications: true });
    // The backend's CREATE TABLE/INDEX/FUNCTION IF NOT EXISTS race when several workers start together;
    // a session advisory lock (on another pooled connection) lets one create and the rest find it done.
    const guard = await pool.connect();
    try {
      await guard.query('SELECT pg_advisory_lock(hashtext($1))', [SCHEMA_LOCK_KEY]);
      try {
        await backend.connect();
      } finally {
        await guard.query('SELECT pg_advisory_unlock(hashtext($1))', [SCHEMA_LOCK_KEY]);
      }
    } finally {
      guard.release();
    }
    return {
      kind: 'postgresql',
      location: redactUrl(url),
      backend: alreadyConnected(backend),
      close: () => pool.end(),
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}

function alreadyConnected(backend: AgendaBackend): AgendaBackend {
  return {
    name: backend.name,
    repository: backend.repository,
    logger: backend.logger,
    notificationChannel: undefined,
    ownsConnection: false,
    connect: async () => undefined,
    disconnect: async () => undefined,
  };
}
