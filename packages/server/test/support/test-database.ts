// Where tests get PostgreSQL: DATABASE_URL if set (CI: the machine's server), else an embedded cluster.
// Each run gets a fresh database, migrated once, dropped at the end.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
// Safe to import anywhere: embedded.ts loads the ESM-only package natively, only when a cluster is started.
import { startEmbeddedPostgres } from '../../src/db/embedded';

export interface TestDatabase {
  adminUrl: string;
  url: string;
  name: string;
  stopEmbedded?: () => Promise<void>;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(prefix = 'holdfast_test'): Promise<TestDatabase> {
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.resolve(__dirname, '../../../../.data/test'),
      port: Number(process.env.EMBEDDED_PG_PORT ?? 54339),
      database: 'postgres',
      log: () => undefined,
    });
    adminUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const name = `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return { adminUrl, url: withDatabase(adminUrl, name), name, ...(stopEmbedded ? { stopEmbedded } : {}) };
}

export async function dropTestDatabase(db: { adminUrl: string; name: string }): Promise<void> {
  const client = new Client({ connectionString: db.adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
