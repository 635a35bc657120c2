// The bench's own database: created on the server of DATABASE_URL, dropped (WITH FORCE) when the bench ends.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  name: string;
  url: string;
  serverVersion: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `holdfast_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  let serverVersion = '';
  try {
    serverVersion = await withClient(adminUrl, async (c) => {
      await c.query(`CREATE DATABASE ${name}`);
      const r = await c.query<{ server_version: string }>('SHOW server_version');
      return r.rows[0]?.server_version ?? '';
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `cannot create the bench database on ${redact(adminUrl)}: ${why}\n` +
        'Set DATABASE_URL (or --database-url) to a PostgreSQL server where this user may CREATE DATABASE.',
    );
  }
  let dropped = false;
  return {
    name,
    url: withDatabase(adminUrl, name),
    serverVersion,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
