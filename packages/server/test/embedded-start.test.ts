// The newcomer's path: the API with no DATABASE_URL starts an embedded PostgreSQL, becomes ready, and leaves no
// PostgreSQL process behind when stopped with SIGTERM.
import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './support/isolated';

function postgresProcessesUsing(dataDir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args']).toString();
  return out.split('\n').filter((l) => l.includes(dataDir) && /postgres/.test(l));
}

describe('embedded default', () => {
  it('starts with no database configured, answers /readyz, and stops its PostgreSQL on SIGTERM', async () => {
    const main = path.resolve(__dirname, '../dist/main.js');
    if (!existsSync(main)) throw new Error('packages/server/dist is missing: run `pnpm build` first (pnpm test does).');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'holdfast-embedded-'));
    const [port, pgPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    Object.assign(env, {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      EMBEDDED_PG_PORT: String(pgPort),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    });
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let ready = false;
      const started = Date.now();
      while (!ready && Date.now() - started < 60_000) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 250));
      }
      expect({ ready, output: ready ? '' : output }).toEqual({ ready: true, output: '' });
      expect(output).toMatch(/generated a development secret/);
      expect(readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
      expect(postgresProcessesUsing(dataDir).length).toBeGreaterThan(0);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The cluster's processes are gone shortly after the API exits.
      let left = postgresProcessesUsing(dataDir);
      for (let i = 0; i < 20 && left.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 250));
        left = postgresProcessesUsing(dataDir);
      }
      expect(left).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
