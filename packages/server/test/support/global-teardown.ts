import { dropTestDatabase } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const db = globalThis.__HOLDFAST_TEST_DB__;
  if (!db) return;
  await dropTestDatabase(db);
  await db.stopEmbedded?.();
}
