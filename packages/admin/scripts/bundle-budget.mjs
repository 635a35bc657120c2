// Prints the gzipped size of the JavaScript the first page load needs (the entry script and what index.html
// preloads) and fails the build above the budget: a back office should open fast on a slow link too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 250 * 1024;
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const scripts = [
  ...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/admin\/([^"]+\.js)"/g),
].map((m) => m[1]);
if (scripts.length === 0) throw new Error('bundle-budget: no script found in dist/index.html');
let total = 0;
for (const file of scripts) {
  const size = gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
  total += size;
  console.log(`  ${file}: ${(size / 1024).toFixed(1)} kB gzipped`);
}
console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} kB gzipped (budget ${BUDGET_BYTES / 1024} kB)`);
if (total > BUDGET_BYTES) {
  console.error('bundle-budget: the initial JavaScript is over budget');
  process.exit(1);
}
