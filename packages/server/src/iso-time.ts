/** ISO-8601 UTC with `Z`, dropping a zero fraction as the old API did ("2026-11-26T19:00:00Z"). */
export function isoUtc(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}
