// Audit entries in words: who (a person or the system), what changed (before → after, only the fields that moved).
import { formatDateTime } from './format';

export function actorName(entry: { actor: number | null; actor_username: string | null }): string {
  if (entry.actor === null) return 'system';
  return entry.actor_username ?? `user #${entry.actor}`;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return TIMESTAMP.test(value) ? formatDateTime(value) : value;
  return JSON.stringify(value);
}

/**
 * "status: HOLD → CANCELLED; quantity: 2": fields on both sides whose value differs as "before → after", then the
 * fields only one side records (context such as the event and user) as they were.
 */
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
  const changed = Object.keys(after)
    .filter((k) => k in before && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
  const onlyAfter = Object.keys(after)
    .filter((k) => !(k in before))
    .map((k) => `${k}: ${show(after[k])}`);
  const onlyBefore = Object.keys(before)
    .filter((k) => !(k in after))
    .map((k) => `${k} was ${show(before[k])}`);
  return [...changed, ...onlyAfter, ...onlyBefore].join('; ');
}
