"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createSequelize = createSequelize;
exports.pingDatabase = pingDatabase;
// The Sequelize instance: PostgreSQL pool, models, and the per-connection timeouts that keep lock waits and slow
// statements bounded (a request waits at most lock_timeout for an event row, then answers 503 BUSY).
require("reflect-metadata");
const sequelize_typescript_1 = require("sequelize-typescript");
const models_1 = require("./models");
function createSequelize(opts) {
    return new sequelize_typescript_1.Sequelize(opts.url, {
        dialect: 'postgres',
        models: models_1.models,
        logging: opts.logging ?? false,
        benchmark: false,
        // Keep timestamps in UTC on the wire; the database clock is the only clock that decides expiry.
        timezone: '+00:00',
        pool: { max: opts.poolMax, min: 0, idle: 10_000, acquire: 15_000, evict: 5_000 },
        dialectOptions: {
            application_name: 'holdfast',
            lock_timeout: opts.lockTimeoutMs,
            statement_timeout: opts.statementTimeoutMs,
            idle_in_transaction_session_timeout: Math.max(opts.statementTimeoutMs * 2, 10_000),
            connectionTimeoutMillis: 5_000,
            keepAlive: true,
        },
        define: { underscored: true, timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' },
    });
}
/** True when a trivial query succeeds within timeoutMs. */
async function pingDatabase(sequelize, timeoutMs = 2_000) {
    let timer;
    const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
        return await Promise.race([sequelize.query('SELECT 1').then(() => true), timeout]);
    }
    catch {
        return false;
    }
    finally {
        clearTimeout(timer);
    }
}
