// Everything a process needs before it can serve or work: the database (the configured one, or the embedded
// default), migrations, a JWT secret, and the services. Used by main.ts, the CLI and the worker.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { ConfigError, type Config } from './config';
import { createSequelize } from './db/database';
import { EmbeddedPostgresError, startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { migrate } from './db/migrator';
import { createServices, type ServiceOverrides, type Services } from './services';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface Runtime {
  config: Config & { jwtSecret: string };
  sequelize: Sequelize;
  services: Services;
  databaseUrl: string;
  /** Closes the pool, then stops the embedded PostgreSQL if this process started it. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  log: Logger;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  overrides?: ServiceOverrides;
}

export async function startRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const jwtSecret = config.jwtSecret ?? (await developmentJwtSecret(config.dataDir, opts.log));
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      log: (line) => opts.log.info(line),
    });
    databaseUrl = embedded.url;
  }
  const sequelize = createSequelize({
    url: databaseUrl,
    poolMax: config.databasePoolMax,
    lockTimeoutMs: config.lockTimeoutMs,
    statementTimeoutMs: config.statementTimeoutMs,
  });
  try {
    if (opts.migrate !== false) {
      const applied = await migrate(sequelize);
      if (applied.length > 0) opts.log.info(`applied migrations: ${applied.join(', ')}`);
    }
  } catch (err) {
    await sequelize.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw err;
  }
  const fullConfig = { ...config, jwtSecret };
  return {
    config: fullConfig,
    sequelize,
    services: createServices(sequelize, fullConfig, opts.overrides),
    databaseUrl,
    async close() {
      await sequelize.close().catch(() => undefined);
      await embedded?.stop();
    },
  };
}

/**
 * What a process prints when it cannot start: the one-line message of the failures that say what to do (bad
 * configuration, an embedded PostgreSQL that cannot run), anything else whole for its stack.
 */
export function startupFailure(err: unknown): unknown {
  return err instanceof ConfigError || err instanceof EmbeddedPostgresError ? err.message : err;
}

/** Development only (config refuses production without JWT_SECRET): a random secret kept under DATA_DIR. */
async function developmentJwtSecret(dataDir: string, log: Logger): Promise<string> {
  const file = path.resolve(dataDir, 'jwt-secret');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch {
    // First start: generate below.
  }
  const secret = randomBytes(48).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  log.warn(`JWT_SECRET is not set: generated a development secret and stored it in ${file}`);
  return secret;
}
