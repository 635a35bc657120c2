// Schema migrations with umzug (never sequelize.sync()). Runs under a PostgreSQL advisory lock so that several
// processes starting at once (API replicas, the worker, parallel test runners) migrate exactly once.
import { type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug, type MigrationFn } from 'umzug';
import * as initial from './migrations/0001-initial';
import * as liveHoldsFunction from './migrations/0002-live-holds-function';
import * as securityHardening from './migrations/0003-security-hardening';
import * as auditLog from './migrations/0004-audit-log';
import * as availabilityNotify from './migrations/0005-availability-notify';
import * as refreshRotationGrace from './migrations/0006-refresh-rotation-grace';
import * as overdueSeatsFunction from './migrations/0007-overdue-seats-function';

export type Migration = MigrationFn<Sequelize>;

// Listed explicitly (not globbed) so the compiled package and the test transform see the same set.
const migrations = [
  { name: '0001-initial', ...initial },
  { name: '0002-live-holds-function', ...liveHoldsFunction },
  { name: '0003-security-hardening', ...securityHardening },
  { name: '0004-audit-log', ...auditLog },
  { name: '0005-availability-notify', ...availabilityNotify },
  { name: '0006-refresh-rotation-grace', ...refreshRotationGrace },
  { name: '0007-overdue-seats-function', ...overdueSeatsFunction },
];

const MIGRATION_LOCK_KEY = 7_410_001;

function createUmzug(sequelize: Sequelize): Umzug<Sequelize> {
  return new Umzug({
    migrations,
    context: sequelize,
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/** Applies every pending migration; returns the names applied (empty when already up to date). */
export async function migrate(sequelize: Sequelize): Promise<string[]> {
  return withMigrationLock(sequelize, async () => {
    const applied = await createUmzug(sequelize).up();
    return applied.map((m) => m.name);
  });
}

export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  return (await createUmzug(sequelize).pending()).map((m) => m.name);
}

async function withMigrationLock<T>(sequelize: Sequelize, fn: () => Promise<T>): Promise<T> {
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
