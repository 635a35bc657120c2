// Where tests get PostgreSQL: DATABASE_URL if set (CI: the machine's server), else an embedded cluster of the
// server's own (src/db/embedded.ts). The databases themselves come from @holdfast/test-kit.
import path from 'node:path';
import { createTestDatabase as createDatabaseOn, type TestDatabase } from '@holdfast/test-kit/database';
// Safe to import anywhere: embedded.ts loads the ESM-only package natively, only when a cluster is started.
import { startEmbeddedPostgres } from '../../src/db/embedded';

export { dropTestDatabase, withDatabase, type TestDatabase } from '@holdfast/test-kit/database';

export function createTestDatabase(prefix = 'holdfast_test'): Promise<TestDatabase> {
  return createDatabaseOn(prefix, {
    startEmbedded: () =>
      startEmbeddedPostgres({
        dataDir: path.resolve(__dirname, '../../../../.data/test'),
        port: Number(process.env.EMBEDDED_PG_PORT ?? 54339),
        database: 'postgres',
        log: () => undefined,
      }),
  });
}
