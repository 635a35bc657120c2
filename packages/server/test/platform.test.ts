// The platform around the API: configuration, readiness, migrations, the compose file.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../src/config';
import { migrate, pendingMigrations } from '../src/db/migrator';
import { createHarness, rest, type Harness } from './support/harness';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

describe('config', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8000,
      holdTtlSeconds: 300,
      maxHoldQuantity: 10,
      maxActiveHoldsPerUser: 10,
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 604800,
      env: 'development',
      databaseUrl: undefined,
      corsOrigins: '*',
    });
  });

  it('names every bad variable in one clear error', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', HOLD_TTL_SECONDS: '0' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', HOLD_TTL_SECONDS: '0' });
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/^Invalid configuration:/);
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/DATABASE_URL/);
      expect(message).toMatch(/HOLD_TTL_SECONDS/);
    }
  });

  it('refuses production without JWT_SECRET and a short secret anywhere', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required when NODE_ENV=production/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32 characters/);
  });

  it('restricts CORS in production unless origins are configured', () => {
    const secret = 'x'.repeat(40);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).corsOrigins).toEqual([]);
    expect(
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, CORS_ORIGINS: 'https://a.example, https://b.example' })
        .corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });
});

describe('PUBLIC_URL', () => {
  it('takes an http(s) URL with an optional path, drops a trailing slash, and refuses anything else', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://tickets.example/holdfast/' }).publicUrl).toBe(
      'https://tickets.example/holdfast',
    );
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:8000' }).publicUrl).toBe('http://localhost:8000');
    for (const bad of [
      'tickets.example',
      'ftp://tickets.example',
      'https://tickets.example/?a=1',
      'https://t.example/#x',
    ]) {
      expect(() => loadConfig({ PUBLIC_URL: bad })).toThrow(/PUBLIC_URL/);
    }
  });
});

describe('migrations', () => {
  it('are idempotent and safe to run from several processes at once', async () => {
    const db = await createTestDatabase('holdfast_migrate');
    const clients = [1, 2, 3].map(() => new Sequelize(db.url, { dialect: 'postgres', logging: false }));
    try {
      const applied = await Promise.all(clients.map((c) => migrate(c)));
      expect(applied.flat()).toEqual([
        '0001-initial',
        '0002-live-holds-function',
        '0003-security-hardening',
        '0004-audit-log',
        '0005-availability-notify',
        '0006-refresh-rotation-grace',
        '0007-overdue-seats-function',
      ]);
      expect(await migrate(clients[0]!)).toEqual([]);
      expect(await pendingMigrations(clients[0]!)).toEqual([]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await dropTestDatabase(db);
    }
  });
});

/** A TCP relay to PostgreSQL that can be cut and restored, standing in for a database that goes away. */
async function startRelay(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const open = (port: number) =>
    new Promise<number>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve((server!.address() as net.AddressInfo).port));
    });
  const port = await open(0);
  return {
    port,
    async cut() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: () => open(port),
  };
}

describe('readiness', () => {
  let h: Harness | undefined;
  afterAll(async () => h?.close());

  it('answers /readyz 503 while the database is unreachable and 200 when it returns', async () => {
    const dbUrl = new URL(process.env.TEST_DATABASE_URL!);
    const relay = await startRelay(dbUrl);
    const viaRelay = new URL(dbUrl);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(relay.port);
    h = await createHarness({ DATABASE_URL: viaRelay.toString() });
    expect((await rest(h, 'GET', '/healthz')).status).toBe(200);
    expect(await rest(h, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    await relay.cut();
    const down = await rest(h, 'GET', '/readyz');
    expect(down).toMatchObject({ status: 503, body: { database: 'down' } });
    expect((await rest(h, 'GET', '/healthz')).status).toBe(200);
    await relay.restore();
    let up = await rest(h, 'GET', '/readyz');
    for (let i = 0; i < 20 && up.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      up = await rest(h, 'GET', '/readyz');
    }
    expect(up.status).toBe(200);
    await relay.cut();
  });
});

describe('docker-compose.yml', () => {
  it('parses and wires postgres, mongo, migrate, api and worker with healthchecks', () => {
    const file = readFileSync(path.resolve(__dirname, '../../../docker-compose.yml'), 'utf8');
    const compose = parse(file, { merge: true }) as {
      services: Record<
        string,
        {
          healthcheck?: unknown;
          depends_on?: Record<string, { condition: string }>;
          environment?: Record<string, string>;
        }
      >;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'migrate', 'mongo', 'postgres', 'worker']);
    expect(compose.services.postgres?.healthcheck).toBeDefined();
    expect(compose.services.mongo?.healthcheck).toBeDefined();
    expect(compose.services.api?.healthcheck).toBeDefined();
    expect(compose.services.api?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(compose.services.worker?.depends_on?.mongo?.condition).toBe('service_healthy');
    expect(compose.services.api?.environment?.NODE_ENV).toBe('production');
    // Secrets come from the environment, never from the file.
    expect(compose.services.api?.environment?.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
  });
});
