// The API never needs MongoDB: the all-in-one process (`pnpm start` in production layout, MONGO_URL set) serves
// holds while its job store is unreachable, and lazy expiry keeps capacity right without the worker.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@holdfast/test-kit';
import { TEST_JWT_SECRET, unique } from './support/harness';

describe('MongoDB down', () => {
  it('leaves the API answering: ready, sign-in, holds, and lapsed holds stop counting', async () => {
    const entry = path.resolve(__dirname, '../dist/serve-all.js');
    if (!existsSync(entry))
      throw new Error('packages/worker/dist is missing: run `pnpm build` first (pnpm test does).');
    const [port, deadMongo] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [entry], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        DATABASE_URL: process.env.TEST_DATABASE_URL,
        MONGO_URL: `mongodb://127.0.0.1:${deadMongo}/holdfast`,
        JWT_SECRET: TEST_JWT_SECRET,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        HOLD_TTL_SECONDS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}/api`;
    const post = (url: string, body: unknown, token?: string) =>
      fetch(`${base}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    try {
      let ready = false;
      for (let i = 0; i < 120 && !ready; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 250));
      }
      expect({ ready, output: ready ? '' : output }).toEqual({ ready: true, output: '' });
      const username = unique('nomongo');
      const password = 'Str0ngPassw0rd!';
      expect(
        (
          await post('/auth/users/register/', {
            username,
            email: `${username}@example.com`,
            password,
            password2: password,
          })
        ).status,
      ).toBe(201);
      const { access } = (await (await post('/token/', { username, password })).json()) as { access: string };
      // Events need an admin; the event is made through the REST API by a second, promoted account below.
      const admin = unique('nomongoadmin');
      await post('/auth/users/register/', {
        username: admin,
        email: `${admin}@example.com`,
        password,
        password2: password,
      });
      const { Client } = await import('pg');
      const db = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await db.connect();
      await db.query('UPDATE users SET is_superuser = true WHERE username = $1', [admin]);
      await db.end();
      const { access: adminAccess } = (await (await post('/token/', { username: admin, password })).json()) as {
        access: string;
      };
      const created = await post(
        '/events/',
        { name: 'No Mongo', capacity: 2, start_time: '2031-01-01T10:00:00Z', end_time: '2031-01-01T12:00:00Z' },
        adminAccess,
      );
      const event = (await created.json()) as { id: number };
      expect(created.status).toBe(201);
      expect((await post('/reservations/create_hold/', { event_id: event.id, quantity: 2 }, access)).status).toBe(201);
      expect((await post('/reservations/create_hold/', { event_id: event.id }, access)).status).toBe(409);
      // The 1 s hold lapses; without any worker the seats come back by the database clock.
      await new Promise((r) => setTimeout(r, 1500));
      const again = await post('/reservations/create_hold/', { event_id: event.id, quantity: 2 }, access);
      expect(again.status).toBe(201);
      // Leave no lapsing hold behind: the other worker tests count every expiry in this shared database.
      const { id } = (await again.json()) as { id: number };
      expect((await post(`/reservations/${id}/cancel/`, {}, access)).status).toBe(200);
      // Meanwhile the worker says why it is waiting (and keeps retrying) instead of crashing the process.
      for (let i = 0; i < 60 && !/job store .*(unreachable|down|retry)|MongoDB/i.test(output); i++) {
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(output).toMatch(/job store .*(unreachable|down|retry)|MongoDB/i);
      expect(child.exitCode).toBeNull();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
