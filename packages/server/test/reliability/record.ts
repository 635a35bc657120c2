// Reliability tests record their figures as JSON under test-artifacts/reliability/; scripts/reliability-report.mjs
// turns the latest ones into docs/RELIABILITY.md, so the published numbers are the tests' own output.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const RELIABILITY_DIR = path.resolve(__dirname, '../../../../test-artifacts/reliability');

export function recordReliability(name: string, data: object): void {
  mkdirSync(RELIABILITY_DIR, { recursive: true });
  writeFileSync(
    path.join(RELIABILITY_DIR, `${name}.json`),
    `${JSON.stringify({ name, recordedAt: new Date().toISOString(), ...data }, null, 2)}\n`,
  );
}
