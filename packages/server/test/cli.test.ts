// The operator CLI as a process: exit codes and messages people and scripts rely on.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import path from 'node:path';
import { PASSWORD, unique } from './support/harness';

const cli = path.resolve(__dirname, '../dist/cli.js');

function run(...args: string[]) {
  if (!existsSync(cli)) throw new Error('packages/server/dist is missing: run `pnpm build` first (pnpm test does).');
  const res = spawnSync(process.execPath, [cli, ...args], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      NODE_ENV: 'test',
      JWT_SECRET: 'x'.repeat(40),
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

describe('holdfast CLI', () => {
  it('migrates idempotently', () => {
    expect(run('migrate')).toMatchObject({ code: 0, out: expect.stringContaining('Database is up to date.') });
  });

  it('creates a superuser, refuses a duplicate and a weak password with a clear message and a non-zero exit', () => {
    const username = unique('root');
    const email = `${username}@example.com`;
    expect(run('createsuperuser', '--username', username, '--email', email, '--password', PASSWORD)).toMatchObject({
      code: 0,
      out: expect.stringContaining(`Superuser "${username}" created.`),
    });
    const dup = run('createsuperuser', '--username', username, '--email', `x${email}`, '--password', PASSWORD);
    expect(dup.code).toBe(1);
    expect(dup.out).toContain('username: A user with that username already exists.');
    const weak = run('createsuperuser', '--username', unique('w'), '--email', `w${email}`, '--password', '12345678');
    expect(weak.code).toBe(1);
    expect(weak.out).toMatch(/password: .*too common.*entirely numeric/);
  });

  it('asks for what is missing only in a terminal', () => {
    const res = run('createsuperuser', '--username', unique('nopw'), '--email', 'nopw@example.com');
    expect(res.code).toBe(1);
    expect(res.out).toContain('no terminal to ask in');
  });

  it('changes a password and sweeps overdue holds', () => {
    const username = unique('cp');
    run('createsuperuser', '--username', username, '--email', `${username}@example.com`, '--password', PASSWORD);
    expect(run('changepassword', '--username', username, '--password', 'An0ther-Passw0rd!')).toMatchObject({ code: 0 });
    expect(run('changepassword', '--username', unique('ghost'), '--password', 'An0ther-Passw0rd!').code).toBe(1);
    expect(run('expire-holds').out).toMatch(/Expired \d+ holds on \d+ events\./);
  });

  it('deactivates a user (recorded, with a clear message) and tails the audit entries of an object', async () => {
    const username = unique('op');
    run('createsuperuser', '--username', username, '--email', `${username}@example.com`, '--password', PASSWORD);
    const off = run('user', 'deactivate', '--username', username);
    expect(off).toMatchObject({ code: 0, out: expect.stringContaining(`User "${username}" deactivated`) });
    expect(run('user', 'deactivate', '--username', unique('ghost')).code).toBe(1);
    expect(run('user', 'remove', '--username', username).code).toBe(1);
    const db = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
    const { rows } = await db.query<{ id: number; is_active: boolean }>(
      'SELECT id, is_active FROM users WHERE username = $1',
      [username],
    );
    await db.end();
    expect(rows[0]?.is_active).toBe(false);
    const tail = run('audit', 'user', String(rows[0]!.id));
    expect(tail.code).toBe(0);
    const lines = tail.out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/user\.register\s+by system/);
    expect(lines[1]).toMatch(/user\.update\s+by system .*"is_active":true.* -> .*"is_active":false/);
    expect(run('audit', 'user', String(rows[0]!.id), '--limit', '1').out.trim().split('\n')).toHaveLength(1);
    expect(run('audit', 'user', '999999999').out).toContain('No audit entries for user 999999999.');
    expect(run('audit', 'order', '1').code).toBe(1);
    expect(run('audit', 'user', 'abc').code).toBe(1);
    expect(run('audit', 'user', '1', '--limit', '0').code).toBe(1);
    expect(run('migrate', 'now').code).toBe(1);
  });

  it('prints usage for an unknown command', () => {
    const res = run('frobnicate');
    expect(res.code).toBe(2);
    expect(res.out).toContain('Usage: holdfast <command>');
  });
});
