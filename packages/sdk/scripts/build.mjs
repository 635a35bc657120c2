// Builds dist/: ESM and CommonJS bundles (esbuild) and one declaration bundle (rollup-plugin-dts) that inlines the
// router types of @holdfast/server, so consumers get precise types without installing the server or its runtime
// dependencies. The server keeps the router's type light (trpc/context.ts, trpc/meta.ts); the result is checked to
// import nothing but @trpc/*.
/* global console, process */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const typesDir = path.join(root, 'node_modules/.cache/holdfast-sdk/types');
const require = createRequire(import.meta.url);
const serverRoot = realpathSync(path.join(root, 'node_modules/@holdfast/server'));

/** Imports the published declarations may keep. */
const allowedImport = /^@trpc\/(client|server)(\/[\w-]+)?$/;

if (!existsSync(path.join(serverRoot, 'dist/router.d.ts'))) {
  console.error(
    '@holdfast/server has no declarations yet: run `pnpm --filter @holdfast/server build` (`pnpm build` does both, in order).',
  );
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
rmSync(typesDir, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

for (const [format, file] of [
  ['esm', 'index.mjs'],
  ['cjs', 'index.cjs'],
]) {
  await build({
    entryPoints: [path.join(root, 'src/index.ts')],
    outfile: path.join(dist, file),
    bundle: true,
    packages: 'external',
    platform: 'neutral',
    format,
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });
}

/**
 * A server declaration's import of another package (fastify, sequelize, zod, trpc-to-openapi, ...) is left external,
 * never inlined: what the router's type really uses then shows up as an import below and fails the check, instead
 * of being copied in; what it does not use (e.g. contextFactory's FastifyRequest beside the Context type) is dropped.
 */
function isServerDependencyImport(source, importer) {
  if (!importer || source.startsWith('.') || path.isAbsolute(source)) return false;
  return realpathSync(importer).startsWith(serverRoot + path.sep);
}

const bundle = await rollup({
  input: path.join(typesDir, 'index.d.ts'),
  external: (id, importer) => allowedImport.test(id) || isServerDependencyImport(id, importer),
  plugins: [dts({ respectExternal: true, tsconfig: path.join(root, 'tsconfig.build.json') })],
  onwarn(warning, warn) {
    if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
  },
});
await bundle.write({ file: path.join(dist, 'index.d.mts'), format: 'es' });
await bundle.close();
copyFileSync(path.join(dist, 'index.d.mts'), path.join(dist, 'index.d.cts'));

const declarations = readFileSync(path.join(dist, 'index.d.mts'), 'utf8');
const imported = [...declarations.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map(
  (m) => m[1],
);
const leaked = [...new Set(imported)].filter((id) => !allowedImport.test(id));
if (leaked.length > 0) {
  console.error(`dist/index.d.mts imports modules consumers do not have: ${leaked.join(', ')}`);
  process.exit(1);
}
console.log(`built dist/ (declarations import: ${[...new Set(imported)].sort().join(', ')})`);
