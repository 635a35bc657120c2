// Each list screen's filters, as they appear in its URL.
import type { RouterInputs } from '@holdfast/sdk';
import type { FilterSpec, FilterValues } from '../url-state';

export const EVENT_ORDERINGS = [
  'start_time',
  '-start_time',
  'name',
  '-name',
  'capacity',
  '-capacity',
  '-created_at',
] as const;

export const eventFilters = {
  q: { kind: 'text' },
  active: { kind: 'bool' },
  from: { kind: 'date' },
  to: { kind: 'date' },
  ordering: { kind: 'text', oneOf: EVENT_ORDERINGS, default: 'start_time' },
  page: { kind: 'int', default: 1 },
} satisfies FilterSpec;

export const RESERVATION_STATUSES = ['HOLD', 'CONFIRMED', 'CANCELLED', 'EXPIRED'] as const;
export const RESERVATION_ORDERINGS = [
  '-created_at',
  'created_at',
  'expires_at',
  '-expires_at',
  'quantity',
  '-quantity',
] as const;

export const reservationFilters = {
  q: { kind: 'text' },
  event: { kind: 'int' },
  user: { kind: 'int' },
  status: { kind: 'list', allowed: RESERVATION_STATUSES },
  overdue: { kind: 'bool' },
  created_after: { kind: 'date' },
  created_before: { kind: 'date' },
  ordering: { kind: 'text', oneOf: RESERVATION_ORDERINGS, default: '-created_at' },
  page: { kind: 'int', default: 1 },
} satisfies FilterSpec;

export const userFilters = {
  q: { kind: 'text' },
  active: { kind: 'bool' },
  superuser: { kind: 'bool' },
  page: { kind: 'int', default: 1 },
} satisfies FilterSpec;

/**
 * Every member of a string union from the API's types, each named once: the record must list each member (the
 * compiler refuses a missing or an unknown one), so a code the server adds breaks this build instead of silently
 * missing from a menu.
 */
export function everyMember<T extends string>(members: Record<T, true>): readonly T[] {
  return Object.keys(members) as T[];
}

type AuditListInput = InputOf<RouterInputs['admin']['audit']['list']>;
export type AuditObjectType = NonNullable<AuditListInput['object_type']>;
export type AuditActionCode = NonNullable<AuditListInput['action']>;

export const AUDIT_OBJECT_TYPES = everyMember<AuditObjectType>({
  event: true,
  reservation: true,
  user: true,
  auth: true,
});

export const auditFilters = {
  actor: { kind: 'int' },
  object_type: { kind: 'text', oneOf: AUDIT_OBJECT_TYPES },
  object_id: { kind: 'int' },
  action: { kind: 'text' },
  since: { kind: 'date' },
  until: { kind: 'date' },
  page: { kind: 'int', default: 1 },
} satisfies FilterSpec;

/** A procedure's input object, without the `void` tRPC allows for all-optional inputs. */
export type InputOf<T> = Exclude<T, void | undefined>;

type ListInput = InputOf<RouterInputs['admin']['reservations']['list']>;
export type EventListInput = InputOf<RouterInputs['admin']['events']['list']>;

/** The API filters (no page) for these URL filters. */
export function reservationQuery(f: FilterValues<typeof reservationFilters>): Omit<ListInput, 'page'> {
  return {
    ...(f.q ? { q: f.q } : {}),
    ...(f.event ? { event: f.event } : {}),
    ...(f.user ? { user: f.user } : {}),
    ...(f.status?.length ? { status: f.status as (typeof RESERVATION_STATUSES)[number][] } : {}),
    ...(f.overdue ? { overdue: true } : {}),
    // Days are the viewer's days: "created from the 1st" starts at the 1st's local midnight, "before the 3rd" ends there.
    ...(f.created_after ? { created_after: dayBound(f.created_after, false) } : {}),
    ...(f.created_before ? { created_before: dayBound(f.created_before, false) } : {}),
    ...(f.ordering ? { ordering: f.ordering as ListInput['ordering'] } : {}),
  };
}

/** The same filters as a REST query string, for the CSV export (status repeats: ?status=HOLD&status=CONFIRMED). */
export function exportQueryString(query: Omit<ListInput, 'page'>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(name, String(v));
    else params.set(name, String(value));
  }
  return params.toString();
}

/** A date filter's day as the API's instant: `since` from the day's start, `until` up to the next day's start. */
export function dayBound(day: string, end: boolean): string {
  const d = new Date(`${day}T00:00:00`);
  if (end) d.setDate(d.getDate() + 1);
  return d.toISOString();
}
