// Filters ↔ query string. Each screen declares its filters once (name and kind); parsing tolerates anything a
// person may type into the address bar (bad values fall back to the default), and serialising leaves defaults out
// so URLs stay short and a default view has a clean address.

export type FieldKind = 'text' | 'int' | 'bool' | 'date' | 'list';

export interface FilterField<K extends FieldKind = FieldKind> {
  kind: K;
  /** For 'list': the values allowed (others are dropped). */
  allowed?: readonly string[];
  /** For 'text': the values allowed (e.g. an ordering); anything else falls back to the default. */
  oneOf?: readonly string[];
  default?: ValueOf<K>;
}

type ValueOf<K extends FieldKind> = K extends 'int'
  ? number
  : K extends 'bool'
    ? boolean
    : K extends 'list'
      ? string[]
      : string;

export type FilterSpec = Record<string, FilterField>;

export type FilterValues<S extends FilterSpec> = {
  [P in keyof S]: S[P] extends FilterField<infer K> ? ValueOf<K> | undefined : never;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseOne(field: FilterField, params: URLSearchParams, name: string): unknown {
  if (field.kind === 'list') {
    const values = params.getAll(name).flatMap((v) => v.split(','));
    const kept = [...new Set(values.filter((v) => v && (!field.allowed || field.allowed.includes(v))))];
    return kept.length ? kept : field.default;
  }
  const raw = params.get(name);
  if (raw === null || raw.trim() === '') return field.default;
  const value = raw.trim();
  switch (field.kind) {
    case 'int':
      return /^\d{1,9}$/.test(value) && Number(value) >= 1 ? Number(value) : field.default;
    case 'bool':
      return value === 'true' ? true : value === 'false' ? false : field.default;
    case 'date':
      return DATE.test(value) && !Number.isNaN(Date.parse(value)) ? value : field.default;
    default:
      return field.oneOf && !field.oneOf.includes(value) ? field.default : value.slice(0, 200);
  }
}

export function parseFilters<S extends FilterSpec>(spec: S, params: URLSearchParams): FilterValues<S> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec)) out[name] = parseOne(field, params, name);
  return out as FilterValues<S>;
}

function sameAsDefault(field: FilterField, value: unknown): boolean {
  if (field.kind === 'list') {
    const d = (field.default as string[] | undefined) ?? [];
    const v = (value as string[] | undefined) ?? [];
    return d.length === v.length && d.every((x, i) => x === v[i]);
  }
  return value === field.default;
}

/** The query string (without "?") for these values: empty and default values are left out, in the spec's order. */
export function serializeFilters<S extends FilterSpec>(spec: S, values: Partial<FilterValues<S>>): string {
  const params = new URLSearchParams();
  for (const [name, field] of Object.entries(spec)) {
    const value = values[name as keyof S] as unknown;
    if (value === undefined || value === '' || sameAsDefault(field, value)) continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(name, value.join(','));
    } else params.set(name, String(value));
  }
  return params.toString();
}

/** Changing any filter other than the page sends the view back to page 1. */
export function withFilter<S extends FilterSpec>(
  current: FilterValues<S>,
  changes: Partial<FilterValues<S>>,
): FilterValues<S> {
  const next = { ...current, ...changes };
  if (!('page' in changes) && 'page' in next) (next as Record<string, unknown>).page = undefined;
  return next;
}

/** Matches "/events/:id" style patterns; returns the parameters or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    let h: string;
    try {
      h = decodeURIComponent(have[i]!);
    } catch {
      return null;
    }
    if (w.startsWith(':')) params[w.slice(1)] = h;
    else if (w !== h) return null;
  }
  return params;
}
