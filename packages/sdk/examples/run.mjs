// Runs an example: `pnpm --filter @holdfast/sdk example <name> -- [flags]`. Bundles examples/<name>.ts with esbuild
// (no type check: `pnpm typecheck` covers examples) and runs it with the same Node.
/* global console, process */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const runnable = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'sign-in.ts')
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !runnable.includes(name)) {
  console.error(`Usage: pnpm --filter @holdfast/sdk example <${runnable.join('|')}> -- [flags]   (--help for flags)`);
  process.exit(2);
}

// Inside the package, so the bundle's external imports (@trpc/*) resolve from its node_modules.
const outfile = path.join(here, '../node_modules/.cache/holdfast-examples', `${name}.mjs`);
await build({
  entryPoints: [path.join(here, `${name}.ts`)],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
if (!existsSync(outfile)) process.exit(1);
const child = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
process.exit(child.status ?? 1);
