import { describe, expect, it } from 'vitest';
import { eventFilters, reservationFilters } from './screens/filters';
import { matchPath, parseFilters, serializeFilters, withFilter } from './url-state';

describe('filters ↔ URL', () => {
  it('reads typed filters from a query string', () => {
    const f = parseFilters(
      reservationFilters,
      new URLSearchParams('q=ada&event=12&status=HOLD,CONFIRMED&overdue=true&created_after=2026-11-01&page=3'),
    );
    expect(f).toEqual({
      q: 'ada',
      event: 12,
      user: undefined,
      status: ['HOLD', 'CONFIRMED'],
      overdue: true,
      created_after: '2026-11-01',
      created_before: undefined,
      ordering: '-created_at',
      page: 3,
    });
  });

  it('accepts a repeated status parameter, as the REST API does', () => {
    const f = parseFilters(reservationFilters, new URLSearchParams('status=HOLD&status=EXPIRED&status=HOLD'));
    expect(f.status).toEqual(['HOLD', 'EXPIRED']);
  });

  it('falls back to the default for values a person may have mistyped', () => {
    const f = parseFilters(
      reservationFilters,
      new URLSearchParams('event=abc&status=PAID&overdue=maybe&created_after=2026-13-45&ordering=DROP&page=0'),
    );
    expect(f).toMatchObject({
      event: undefined,
      status: undefined,
      overdue: undefined,
      created_after: undefined,
      ordering: '-created_at',
      page: 1,
    });
  });

  it('writes only what differs from the defaults, in a stable order', () => {
    expect(serializeFilters(eventFilters, { ordering: 'start_time', page: 1 })).toBe('');
    expect(serializeFilters(eventFilters, { page: 2, q: 'jazz night', active: false, ordering: '-name' })).toBe(
      'q=jazz+night&active=false&ordering=-name&page=2',
    );
    expect(serializeFilters(reservationFilters, { status: ['HOLD', 'CONFIRMED'], event: 7 })).toBe(
      'event=7&status=HOLD%2CCONFIRMED',
    );
  });

  it('round-trips: what is written reads back the same', () => {
    const values = parseFilters(reservationFilters, new URLSearchParams(''));
    const changed = { ...values, q: 'Zoë & co', user: 5, status: ['EXPIRED'], overdue: true, page: 4 };
    const again = parseFilters(reservationFilters, new URLSearchParams(serializeFilters(reservationFilters, changed)));
    expect(again).toEqual(changed);
  });

  it('sends the view back to page 1 when a filter other than the page changes', () => {
    const current = parseFilters(eventFilters, new URLSearchParams('page=5&q=x'));
    expect(withFilter(current, { active: true }).page).toBeUndefined();
    expect(withFilter(current, { page: 6 }).page).toBe(6);
  });
});

describe('matchPath', () => {
  it('matches parameters and rejects other shapes', () => {
    expect(matchPath('/events/:id', '/events/42')).toEqual({ id: '42' });
    expect(matchPath('/events/:id/edit', '/events/42')).toBeNull();
    expect(matchPath('/events/:id', '/users/42')).toBeNull();
    expect(matchPath('/events/:id', '/events/%E0%A4%A')).toBeNull();
  });
});
