// The published package as a consumer gets it: build, `pnpm pack`, `npm install <tarball>` into an empty project
// (dependencies from the registry), then a strict compile with this workspace's TypeScript and one real call per
// entry point (ESM and CommonJS) against a live server. Part of the normal run, so CI runs it; about 15 s.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLiveServer, type LiveServer } from './support/live-server';

const exec = promisify(execFile);
const sdkRoot = path.resolve(__dirname, '..');
const fixture = path.join(__dirname, 'consumer/fixture');
const tsc = require.resolve('typescript/bin/tsc');
/** What a consumer must never have to install: the server and its runtime dependencies. */
const SERVER_ONLY = [
  '@holdfast/server',
  'sequelize',
  'sequelize-typescript',
  'pg',
  'bcrypt',
  'fastify',
  'trpc-to-openapi',
  'zod',
];

function pnpm(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  return execPath && /pnpm/.test(execPath) ? [process.execPath, [execPath]] : ['pnpm', []];
}

let work: string;
let server: LiveServer;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'holdfast-sdk-consumer-'));
  server = await startLiveServer();
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe('the packed SDK in an empty project', () => {
  it('installs with npm, type-checks under strict and runs, without the server', async () => {
    await exec(process.execPath, [path.join(sdkRoot, 'scripts/build.mjs')], { cwd: sdkRoot });
    const [command, prefix] = pnpm();
    await exec(command, [...prefix, 'pack', '--pack-destination', work], { cwd: sdkRoot });
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('pnpm pack wrote no tarball');
    const { stdout: listing } = await exec('tar', ['tzf', path.join(work, tarball)]);
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(
      [
        'package/README.md',
        'package/dist/index.cjs',
        'package/dist/index.cjs.map',
        'package/dist/index.d.cts',
        'package/dist/index.d.mts',
        'package/dist/index.mjs',
        'package/dist/index.mjs.map',
        'package/package.json',
      ].sort(),
    );
    expect((await stat(path.join(work, tarball))).size).toBeLessThan(100_000);

    const app = path.join(work, 'app');
    await exec('mkdir', [app]);
    await writeFile(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    // --omit=peer: @trpc/client lists typescript as a peer; this test compiles with the workspace's TypeScript.
    await exec(
      'npm',
      ['install', path.join(work, tarball), '--no-audit', '--no-fund', '--omit=peer', '--prefer-offline'],
      { cwd: app },
    );

    const installed = [
      ...(await readdir(path.join(app, 'node_modules'))).filter((d) => !d.startsWith('@') && !d.startsWith('.')),
      ...(await readdir(path.join(app, 'node_modules/@trpc'))).map((d) => `@trpc/${d}`),
      ...(await readdir(path.join(app, 'node_modules/@holdfast'))).map((d) => `@holdfast/${d}`),
    ];
    expect(installed.filter((name) => SERVER_ONLY.includes(name))).toEqual([]);
    expect(installed).toEqual(expect.arrayContaining(['@holdfast/sdk', '@trpc/client', '@trpc/server']));

    const declarations = await readFile(path.join(app, 'node_modules/@holdfast/sdk/dist/index.d.mts'), 'utf8');
    const imported = [...declarations.matchAll(/\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect([...new Set(imported)].sort()).toEqual(['@trpc/client', '@trpc/server']);

    for (const file of await readdir(fixture)) await copyFile(path.join(fixture, file), path.join(app, file));
    for (const project of ['tsconfig.json', 'tsconfig.bundler.json']) {
      const compiled = await exec(process.execPath, [tsc, '-p', project], { cwd: app }).catch(
        (e: { stdout: string }) => e,
      );
      expect(compiled.stdout).toBe('');
    }

    const { stdout } = await exec(process.execPath, ['smoke.mjs', server.url], { cwd: app });
    expect(stdout.trim().split('\n')).toEqual(['esm: UNAUTHORIZED 401', 'cjs: UNAUTHORIZED 401']);
  }, 120_000);
});
