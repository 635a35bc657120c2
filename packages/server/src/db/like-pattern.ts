/** A case-insensitive "contains" pattern for ILIKE in which the user's % and _ match themselves, not anything. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
