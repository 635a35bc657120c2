// What a bench script sets up before its first run and must tear down however it ends: a database of its own, a
// SQL session on it, and the API processes it starts. Ctrl-C and SIGTERM stop the servers and drop the database.
import pg from 'pg';
import { createBenchDatabase, type BenchDatabase } from './database';
import type { ApiServer } from './server';

export interface BenchWorkspace {
  db: BenchDatabase;
  /** A session on the bench database (not connected yet). */
  sql: pg.Client;
  /** Push every started server here: stopAll() and an abrupt exit stop them. */
  servers: ApiServer[];
  stopAll(): Promise<void>;
}

export async function openBenchWorkspace(
  databaseUrl: string | undefined,
  log: (message: string) => void,
): Promise<BenchWorkspace> {
  const db = await createBenchDatabase(
    databaseUrl ?? (process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'),
  );
  const servers: ApiServer[] = [];
  const sql = new pg.Client({ connectionString: db.url });
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await sql.end().catch(() => undefined);
    await db.drop().catch((e: unknown) => log(`drop failed: ${String(e)}`));
  };
  process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  process.on('SIGTERM', () => void stopAll().finally(() => process.exit(143)));
  process.on('exit', () => servers.forEach((s) => s.killNow()));
  return { db, sql, servers, stopAll };
}
