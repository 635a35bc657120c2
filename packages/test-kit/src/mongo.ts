// MongoDB for the worker's job store: a real server speaking the wire protocol (FerretDB in CI:
// `bash .ci/ferretdb.sh start <port>`, MONGO_URL=mongodb://127.0.0.1:<port>/x). Each test takes a database of its own.
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';

/** REQUIRE_MONGO=1 turns a missing MONGO_URL into a failure instead of a skipped backend. */
export function mongoRequiredButMissing(): boolean {
  return process.env.REQUIRE_MONGO === '1' && !process.env.MONGO_URL;
}

export interface ScratchMongo {
  url: string;
  /** Runs `fn` with a fresh client on the scratch database, closed afterwards. */
  withClient<T>(fn: (client: MongoClient) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/** A database with a unique name on the server of `mongoUrl` (created by MongoDB on first write). */
export function scratchMongo(mongoUrl: string | undefined, prefix = 'holdfast_jobs'): ScratchMongo {
  if (!mongoUrl) throw new Error('MONGO_URL is not set');
  const u = new URL(mongoUrl);
  u.pathname = `/${prefix}_${randomBytes(4).toString('hex')}`;
  const url = u.toString();
  const withClient = async <T>(fn: (client: MongoClient) => Promise<T>): Promise<T> => {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  };
  return { url, withClient, drop: () => withClient((client) => client.db().dropDatabase()).then(() => undefined) };
}
