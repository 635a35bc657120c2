import { describe, expect, it } from 'vitest';
import { actorName, changeSummary } from './audit-format';
import { capacityParts, exportFileName, formatCount, formatDateTime, formatRelative } from './format';
import { allowedActions } from './reservation-rules';
import { dayBound, exportQueryString, reservationQuery } from './screens/filters';

describe('formatting', () => {
  it('shows a timestamp in the given time zone', () => {
    expect(formatDateTime('2026-11-30T19:05:00Z', { timeZone: 'UTC' })).toBe('30 Nov 2026, 19:05');
    expect(formatDateTime('2026-11-30T19:05:00Z', { timeZone: 'Europe/Paris' })).toBe('30 Nov 2026, 20:05');
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
  });

  it('says how far away a time is, in the unit that fits', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(formatRelative('2026-11-30T12:00:45Z', now)).toBe('in 45 s');
    expect(formatRelative('2026-11-30T12:04:59Z', now)).toBe('in 4 min');
    expect(formatRelative('2026-11-30T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative('2026-11-28T12:00:00Z', now)).toBe('2 d ago');
  });

  it('counts with the right plural', () => {
    expect(formatCount(1, 'reservation')).toBe('1 reservation');
    expect(formatCount(1200, 'reservation')).toBe('1,200 reservations');
    expect(formatCount(2, 'entry', 'entries')).toBe('2 entries');
  });

  it('names an export after its filters and day', () => {
    const day = new Date('2026-11-30T10:00:00Z');
    expect(exportFileName({ event: 12, status: ['HOLD', 'CONFIRMED'] }, day)).toBe(
      'reservations-event-12-HOLD-CONFIRMED-2026-11-30.csv',
    );
    expect(exportFileName({}, day)).toBe('reservations-2026-11-30.csv');
  });
});

describe('the capacity bar', () => {
  it('splits capacity into confirmed, held and free, summing to 100 %', () => {
    const p = capacityParts({ capacity: 3, confirmed_count: 1, hold_count: 1, available_capacity: 1 });
    expect([p.confirmed, p.held, p.free]).toEqual([1, 1, 1]);
    expect([p.confirmedPct, p.heldPct, p.freePct]).toEqual([33.3, 33.3, 33.4]);
  });

  it('stays whole when counts exceed capacity (capacity lowered under a racing hold)', () => {
    const p = capacityParts({ capacity: 4, confirmed_count: 3, hold_count: 2, available_capacity: 0 });
    expect(p.confirmedPct + p.heldPct + p.freePct).toBeCloseTo(100);
    expect(p.confirmedPct).toBe(60);
  });

  it('shows an empty event as all free', () => {
    const p = capacityParts({ capacity: 10, confirmed_count: 0, hold_count: 0, available_capacity: 10 });
    expect([p.confirmedPct, p.heldPct, p.freePct]).toEqual([0, 0, 100]);
  });
});

describe('actions a reservation allows', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  it('offers extend, expire and cancel on a live hold only', () => {
    expect(allowedActions({ status: 'HOLD', expires_at: '2026-11-30T12:05:00Z' }, now)).toEqual([
      'extend',
      'expire',
      'cancel',
    ]);
    expect(allowedActions({ status: 'HOLD', expires_at: '2026-11-30T11:59:00Z' }, now)).toEqual(['cancel']);
    expect(allowedActions({ status: 'CONFIRMED', expires_at: null }, now)).toEqual(['cancel']);
    expect(allowedActions({ status: 'CANCELLED', expires_at: null }, now)).toEqual([]);
    expect(allowedActions({ status: 'EXPIRED', expires_at: null }, now)).toEqual([]);
  });
});

describe('reservation filters → API', () => {
  it('sends only the filters that are set, and repeats status in the export URL', () => {
    const query = reservationQuery({
      q: undefined,
      event: 7,
      user: undefined,
      status: ['HOLD', 'CONFIRMED'],
      overdue: true,
      created_after: undefined,
      created_before: '2026-12-01',
      ordering: '-created_at',
      page: 2,
    });
    const before = dayBound('2026-12-01', false);
    expect(query).toEqual({
      event: 7,
      status: ['HOLD', 'CONFIRMED'],
      overdue: true,
      created_before: before,
      ordering: '-created_at',
    });
    expect(exportQueryString(query)).toBe(
      `event=7&status=HOLD&status=CONFIRMED&overdue=true&created_before=${encodeURIComponent(before)}&ordering=-created_at`,
    );
  });

  it('turns a day filter into the bounds of that local day', () => {
    const since = new Date(dayBound('2026-11-30', false));
    const until = new Date(dayBound('2026-11-30', true));
    expect(since.getDate()).toBe(30);
    expect(since.getHours()).toBe(0);
    expect(until.getTime() - since.getTime()).toBeGreaterThanOrEqual(23 * 3600_000);
  });
});

describe('audit entries in words', () => {
  it('names the system when there is no actor', () => {
    expect(actorName({ actor: null, actor_username: null })).toBe('system');
    expect(actorName({ actor: 3, actor_username: 'ada' })).toBe('ada');
    expect(actorName({ actor: 3, actor_username: null })).toBe('user #3');
  });

  it('lists only the fields that changed', () => {
    expect(
      changeSummary({ capacity: 10, name: 'A', is_active: true }, { capacity: 12, name: 'A', is_active: false }),
    ).toBe('capacity: 10 → 12; is_active: true → false');
    expect(changeSummary(null, { status: 'HOLD', quantity: 2 })).toBe('status: HOLD; quantity: 2');
    expect(changeSummary(null, null)).toBe('');
    // A cancel records the status on both sides and its context after: the change first, the context as it is.
    expect(changeSummary({ status: 'HOLD' }, { status: 'CANCELLED', event: 1, quantity: 2 })).toBe(
      'status: HOLD → CANCELLED; event: 1; quantity: 2',
    );
    expect(changeSummary({ name: 'A', capacity: 3 }, { name: 'A' })).toBe('capacity was 3');
  });
});
