"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.migrate = migrate;
exports.pendingMigrations = pendingMigrations;
const umzug_1 = require("umzug");
const initial = __importStar(require("./migrations/0001-initial"));
const liveHoldsFunction = __importStar(require("./migrations/0002-live-holds-function"));
const auditLog = __importStar(require("./migrations/0004-audit-log"));
// Listed explicitly (not globbed) so the compiled package and the test transform see the same set.
const migrations = [
    { name: '0001-initial', ...initial },
    { name: '0002-live-holds-function', ...liveHoldsFunction },
    { name: '0004-audit-log', ...auditLog },
];
const MIGRATION_LOCK_KEY = 7_410_001;
function createUmzug(sequelize) {
    return new umzug_1.Umzug({
        migrations,
        context: sequelize,
        storage: new umzug_1.SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
        logger: undefined,
    });
}
/** Applies every pending migration; returns the names applied (empty when already up to date). */
async function migrate(sequelize) {
    return withMigrationLock(sequelize, async () => {
        const applied = await createUmzug(sequelize).up();
        return applied.map((m) => m.name);
    });
}
async function pendingMigrations(sequelize) {
    return (await createUmzug(sequelize).pending()).map((m) => m.name);
}
async function withMigrationLock(sequelize, fn) {
    // A session-level advisory lock needs one pinned connection; a transaction-level lock would hold every
    // migration in one transaction, which is fine for PostgreSQL DDL and simpler to release.
    return sequelize.transaction(async (transaction) => {
        await sequelize.query('SELECT pg_advisory_xact_lock(:key)', {
            replacements: { key: MIGRATION_LOCK_KEY },
            transaction,
        });
        return fn();
    });
}
