// Audit entries in words: who (a person or the system), what changed (before → after, only the fields that moved).

export function actorName(entry: { actor: number | null; actor_username: string | null }): string {
  if (entry.actor === null) return 'system';
  return entry.actor_username ?? `user #${entry.actor}`;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** "capacity: 10 → 12; is_active: true → false" — fields whose value differs; one side only when the other is null. */
export function changeSummary(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string {
  if (!before && !after) return '';
  if (!before)
    return Object.entries(after!)
      .map(([k, v]) => `${k}: ${show(v)}`)
      .join('; ');
  if (!after)
    return Object.entries(before)
      .map(([k, v]) => `${k} was ${show(v)}`)
      .join('; ');
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`)
    .join('; ');
}
