// Pure formatting for the screens: dates in the viewer's time zone (or a given one, for tests), relative times,
// the capacity bar's proportions, and the conversions between ISO strings and <input type="datetime-local">.

export interface FormatOptions {
  timeZone?: string;
  locale?: string;
}

export function formatDateTime(iso: string | null | undefined, opts: FormatOptions = {}): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(opts.locale ?? 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
  }).format(date);
}

/** "in 4 min", "12 s ago", "in 3 h", "2 d ago": precise enough to act on, short enough for a table cell. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '—';
  const diff = Math.round((at - now) / 1000);
  const abs = Math.abs(diff);
  const text =
    abs < 60
      ? `${abs} s`
      : abs < 3600
        ? `${Math.floor(abs / 60)} min`
        : abs < 86_400
          ? `${Math.floor(abs / 3600)} h`
          : `${Math.floor(abs / 86_400)} d`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

export interface CapacityParts {
  confirmed: number;
  held: number;
  free: number;
  /** Percentages of capacity, summing to 100 (free absorbs rounding), each ≥ 0. */
  confirmedPct: number;
  heldPct: number;
  freePct: number;
}

/**
 * The bar's three parts. Counts come from the API (confirmed_count, hold_count, available_capacity); if they ever
 * exceed capacity (a lowered capacity racing a hold) the bar still sums to 100 %, drawn over the larger total.
 */
export function capacityParts(e: {
  capacity: number;
  confirmed_count: number;
  hold_count: number;
  available_capacity: number;
}): CapacityParts {
  const confirmed = Math.max(0, e.confirmed_count);
  const held = Math.max(0, e.hold_count);
  const free = Math.max(0, e.available_capacity);
  const total = Math.max(e.capacity, confirmed + held + free, 1);
  const pct = (n: number) => Math.round((n / total) * 1000) / 10;
  const confirmedPct = pct(confirmed);
  const heldPct = pct(held);
  return {
    confirmed,
    held,
    free,
    confirmedPct,
    heldPct,
    freePct: Math.max(0, Math.round((100 - confirmedPct - heldPct) * 10) / 10),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as the local wall time a datetime-local input shows ("2026-11-30T19:00"). */
export function toDateTimeLocal(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the viewer's wall time) as an ISO instant in UTC; '' stays '' so the API names the field. */
export function fromDateTimeLocal(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

export function formatCount(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

/** The export's file name says what it holds: "reservations-event-12-HOLD-2026-11-30.csv". */
export function exportFileName(filters: { event?: number; status?: string[] }, now: Date = new Date()): string {
  const parts = ['reservations'];
  if (filters.event) parts.push(`event-${filters.event}`);
  if (filters.status?.length) parts.push(filters.status.join('-'));
  parts.push(now.toISOString().slice(0, 10));
  return `${parts.join('-')}.csv`;
}
