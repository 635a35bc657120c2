// The newcomer's path: the API with no DATABASE_URL starts an embedded PostgreSQL, becomes ready, and leaves no
// PostgreSQL process behind when stopped with SIGTERM. DATA_DIR sits under a private (0700) folder, as in a clone
// under /root or `mktemp -d`: as root, the `postgres` system user cannot enter it, and the start must still work.
// A server that exits during start-up fails the test at once, with its output.
import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EMBEDDED_STATE_ROOT } from '../src/db/embedded';
import { freePort } from './support/isolated';

function postgresProcessesUsing(clusterDir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args']).toString();
  return out.split('\n').filter((l) => l.includes(clusterDir) && /postgres/.test(l));
}

const asRoot = process.getuid?.() === 0;

describe('embedded default', () => {
  it('starts from a folder under a private parent, answers /readyz, and stops its PostgreSQL on SIGTERM', async () => {
    const main = path.resolve(__dirname, '../dist/main.js');
    if (!existsSync(main)) throw new Error('packages/server/dist is missing: run `pnpm build` first (pnpm test does).');
    const privateParent = mkdtempSync(path.join(os.tmpdir(), 'holdfast-private-'));
    chmodSync(privateParent, 0o700);
    const dataDir = path.join(privateParent, 'project', '.data');
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
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    const clusterLink = path.join(dataDir, 'postgres');
    try {
      let ready = false;
      // Polls until ready or until the server exits: a failed start is reported at once, not after a timeout.
      while (!ready && exitCode === undefined) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (!ready) await Promise.race([exited, new Promise((r) => setTimeout(r, 250))]);
      }
      expect({ ready, exitCode, output: ready ? '' : output }).toEqual({
        ready: true,
        exitCode: undefined,
        output: '',
      });
      expect(output).toMatch(/generated a development secret/);
      expect(readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
      // The private parent was left private; as root the cluster lives where the postgres user can reach it.
      expect(lstatSync(privateParent).mode & 0o777).toBe(0o700);
      const clusterDir = realpathSync(clusterLink);
      if (asRoot) {
        expect(lstatSync(clusterLink).isSymbolicLink()).toBe(true);
        expect(path.dirname(clusterDir)).toBe(path.join(EMBEDDED_STATE_ROOT, 'clusters'));
        expect(output).toMatch(/cannot enter: the cluster's files are in /);
      }
      expect(postgresProcessesUsing(clusterDir).length).toBeGreaterThan(0);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The cluster's processes are gone shortly after the API exits.
      let left = postgresProcessesUsing(clusterDir);
      for (let i = 0; i < 20 && left.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 250));
        left = postgresProcessesUsing(clusterDir);
      }
      expect(left).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      const target = lstatSync(clusterLink, { throwIfNoEntry: false })?.isSymbolicLink()
        ? realpathSync(clusterLink)
        : undefined;
      if (target?.startsWith(path.join(EMBEDDED_STATE_ROOT, 'clusters') + path.sep)) {
        rmSync(target, { recursive: true, force: true });
      }
      rmSync(privateParent, { recursive: true, force: true });
    }
  });
});
