import { Sequelize } from 'sequelize';
import { migrate } from '../../src/db/migrator';
import { createTestDatabase, type TestDatabase } from './test-database';

declare global {
  var __HOLDFAST_TEST_DB__: TestDatabase | undefined;
}

export default async function globalSetup(): Promise<void> {
  const db = await createTestDatabase();
  const sequelize = new Sequelize(db.url, { dialect: 'postgres', logging: false });
  try {
    await migrate(sequelize);
  } finally {
    await sequelize.close();
  }
  globalThis.__HOLDFAST_TEST_DB__ = db;
  // Workers inherit the environment of the process that runs globalSetup.
  process.env.TEST_DATABASE_URL = db.url;
  process.env.TEST_ADMIN_DATABASE_URL = db.adminUrl;
}
