"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.startRuntime = startRuntime;
// Everything a process needs before it can serve or work: the database (the configured one, or the embedded
// default), migrations, a JWT secret, and the services. Used by main.ts, the CLI and the worker.
const node_crypto_1 = require("node:crypto");
const promises_1 = require("node:fs/promises");
const node_path_1 = __importDefault(require("node:path"));
const database_1 = require("./db/database");
const migrator_1 = require("./db/migrator");
const services_1 = require("./services");
async function startRuntime(config, opts) {
    const jwtSecret = config.jwtSecret ?? (await developmentJwtSecret(config.dataDir, opts.log));
    let embedded;
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
        // Loaded only when needed: most deployments and every test run use DATABASE_URL.
        const { startEmbeddedPostgres } = await import('./db/embedded.js');
        embedded = await startEmbeddedPostgres({
            dataDir: config.dataDir,
            port: config.embeddedPgPort,
            log: (line) => opts.log.info(line),
        });
        databaseUrl = embedded.url;
    }
    const sequelize = (0, database_1.createSequelize)({
        url: databaseUrl,
        poolMax: config.databasePoolMax,
        lockTimeoutMs: config.lockTimeoutMs,
        statementTimeoutMs: config.statementTimeoutMs,
    });
    try {
        if (opts.migrate !== false) {
            const applied = await (0, migrator_1.migrate)(sequelize);
            if (applied.length > 0)
                opts.log.info(`applied migrations: ${applied.join(', ')}`);
        }
    }
    catch (err) {
        await sequelize.close().catch(() => undefined);
        await embedded?.stop().catch(() => undefined);
        throw err;
    }
    const fullConfig = { ...config, jwtSecret };
    return {
        config: fullConfig,
        sequelize,
        services: (0, services_1.createServices)(sequelize, fullConfig, opts.overrides),
        databaseUrl,
        async close() {
            await sequelize.close().catch(() => undefined);
            await embedded?.stop();
        },
    };
}
/** Development only (config refuses production without JWT_SECRET): a random secret kept under DATA_DIR. */
async function developmentJwtSecret(dataDir, log) {
    const file = node_path_1.default.resolve(dataDir, 'jwt-secret');
    try {
        const existing = (await (0, promises_1.readFile)(file, 'utf8')).trim();
        if (existing.length >= 32)
            return existing;
    }
    catch {
        // First start: generate below.
    }
    const secret = (0, node_crypto_1.randomBytes)(48).toString('base64url');
    await (0, promises_1.mkdir)(node_path_1.default.dirname(file), { recursive: true });
    await (0, promises_1.writeFile)(file, `${secret}\n`, { mode: 0o600 });
    log.warn(`JWT_SECRET is not set: generated a development secret and stored it in ${file}`);
    return secret;
}
