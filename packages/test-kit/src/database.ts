// Scratch PostgreSQL databases on a server the tests may create databases on: DATABASE_URL if set (CI: the machine's
// server), else an embedded cluster the caller starts. A run gets one, migrated once and dropped at the end; tests
// that break things (or need a job store of their own) make more, and drop them.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  adminUrl: string;
  url: string;
  name: string;
  stopEmbedded?: () => Promise<void>;
}

/** A cluster started for the tests when DATABASE_URL is not set. */
export interface EmbeddedCluster {
  url: string;
  stop(): Promise<void>;
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A unique database name: the prefix, this process and a random tag, so parallel workers never collide. */
export function scratchDatabaseName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
}

export async function withPgClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database `name` through `adminUrl`; returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withPgClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  return withDatabase(adminUrl, name);
}

export async function dropTestDatabase(db: { adminUrl: string; name: string }): Promise<void> {
  await withPgClient(db.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`));
}

export async function createTestDatabase(
  prefix = 'holdfast_test',
  opts: { startEmbedded?: () => Promise<EmbeddedCluster> } = {},
): Promise<TestDatabase> {
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    if (!opts.startEmbedded) throw new Error('DATABASE_URL is not set and no embedded cluster was offered.');
    const embedded = await opts.startEmbedded();
    adminUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const name = scratchDatabaseName(prefix);
  const url = await createDatabase(adminUrl, name);
  return { adminUrl, url, name, ...(stopEmbedded ? { stopEmbedded } : {}) };
}
