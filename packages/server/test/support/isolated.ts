// Tests that break things (drop a constraint, kill backends) get a database of their own, migrated and dropped
// around them, so the suite's shared database is never touched.
import { Sequelize } from 'sequelize';
import { migrate } from '../../src/db/migrator';
import { NO_EVENT_LOCK } from './event-locking';
import { createHarness, type Harness } from './harness';
import { createTestDatabase, dropTestDatabase } from './test-database';

export { freePort, listen } from '@holdfast/test-kit';

export async function withIsolatedDatabase<T>(
  prefix: string,
  fn: (db: { url: string }, sequelize: Sequelize) => Promise<T>,
): Promise<T> {
  const db = await createTestDatabase(prefix);
  const sequelize = new Sequelize(db.url, { dialect: 'postgres', logging: false });
  try {
    await migrate(sequelize);
    return await fn(db, sequelize);
  } finally {
    await sequelize.close();
    await dropTestDatabase(db);
  }
}

/**
 * The negative control's app: the ledger's event lock left out (NO_EVENT_LOCK injected) and the database's oversell CHECK
 * dropped, on an isolated database. Tests run the same storm against it to prove their checks can fail. Several
 * instances share the database, as API replicas do: within one process holds on an event are already serialized by
 * its batcher, so only the row lock keeps separate processes apart — which is what the control must switch off.
 */
export async function withUnsafeHarness<T>(
  env: Record<string, string>,
  fn: (h: Harness, ...replicas: Harness[]) => Promise<T>,
  opts: { replicas?: number } = {},
): Promise<T> {
  return withIsolatedDatabase('holdfast_unsafe', async (db, sequelize) => {
    await sequelize.query('ALTER TABLE events DROP CONSTRAINT events_not_oversold');
    const instances = await Promise.all(
      Array.from({ length: 1 + (opts.replicas ?? 0) }, () =>
        createHarness({ ...env, DATABASE_URL: db.url }, { overrides: { eventLocking: NO_EVENT_LOCK } }),
      ),
    );
    try {
      const [h, ...replicas] = instances as [Harness, ...Harness[]];
      return await fn(h, ...replicas);
    } finally {
      await Promise.all(instances.map((i) => i.close()));
    }
  });
}
