import type { UseQueryResult } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ActionsColumn, CardTable } from './card-table';
import { ChoiceFilter, DateFilter, FilterBar, IdFilter, YesNoFilter } from './filter-bar';
import { PagedResults } from './query-state';

interface Page {
  count: number;
  results: { id: number }[];
}

/** A query in one of its states, as far as the list parts read it. */
function queryIn(state: 'pending' | 'error' | 'success', data?: Page, fetching = false): UseQueryResult<Page, unknown> {
  const result = {
    isPending: state === 'pending',
    isError: state === 'error',
    isFetching: fetching,
    error: state === 'error' ? new Error('The server is away.') : null,
    data,
    refetch: () => Promise.resolve(),
  };
  return result as unknown as UseQueryResult<Page, unknown>;
}

function rowsOf(query: UseQueryResult<Page, unknown>): string {
  return renderToStaticMarkup(
    <PagedResults
      query={query}
      loading="Loading things"
      empty="Nothing here."
      page={1}
      onPage={() => undefined}
      noun="thing"
    >
      {(rows) => rows.map((r) => <p key={r.id}>row {r.id}</p>)}
    </PagedResults>,
  );
}

describe('list parts', () => {
  it('labels each filter control with its screen’s id', () => {
    const html = renderToStaticMarkup(
      <FilterBar filtered onClear={() => undefined}>
        <IdFilter id="rs-event" label="Event id" value={12} onChange={() => undefined} />
        <DateFilter id="ev-from" label="Starting from" value={undefined} onChange={() => undefined} />
      </FilterBar>,
    );
    expect(html).toBe(
      '<div class="toolbar" role="search">' +
        '<div class="field"><label for="rs-event">Event id</label><input id="rs-event" inputMode="numeric" value="12"/></div>' +
        '<div class="field"><label for="ev-from">Starting from</label><input id="ev-from" type="date" value=""/></div>' +
        '<button type="button" class="btn btn-link">Clear filters</button>' +
        '</div>',
    );
  });

  it('offers "Clear filters" only while a filter is set', () => {
    const html = renderToStaticMarkup(
      <FilterBar filtered={false} onClear={() => undefined}>
        <span />
      </FilterBar>,
    );
    expect(html).not.toContain('Clear filters');
  });

  it('shows a yes/no filter as All, yes and no, with the URL’s value selected', () => {
    const html = renderToStaticMarkup(
      <YesNoFilter
        id="us-super"
        label="Role"
        value={false}
        yes="Superusers"
        no="Regular users"
        onChange={() => undefined}
      />,
    );
    expect(html).toContain('<label for="us-super">Role</label><select id="us-super">');
    expect(html).toContain('<option value="">All</option><option value="true">Superusers</option>');
    expect(html).toContain('<option value="false" selected="">Regular users</option>');
  });

  it('lists a menu’s choices in their order', () => {
    const html = renderToStaticMarkup(
      <ChoiceFilter
        id="au-type"
        label="Object"
        value=""
        choices={[
          ['', 'Any'],
          ['event', 'event'],
        ]}
        onChange={() => undefined}
      />,
    );
    expect(html).toContain('<option value="" selected="">Any</option><option value="event">event</option>');
  });

  it('draws a card table with a screen-reader-only actions column', () => {
    const html = renderToStaticMarkup(
      <CardTable
        columns={
          <>
            <th scope="col">Event</th>
            <ActionsColumn />
          </>
        }
      >
        <tr>
          <td data-label="Event">x</td>
        </tr>
      </CardTable>,
    );
    expect(html).toBe(
      '<table class="table table-cards"><thead><tr><th scope="col">Event</th>' +
        '<th scope="col"><span class="sr-only">Actions</span></th></tr></thead>' +
        '<tbody><tr><td data-label="Event">x</td></tr></tbody></table>',
    );
  });

  it('shows a paged list loading, failed, empty, or its rows and pages', () => {
    expect(rowsOf(queryIn('pending', undefined, true))).toMatch(
      /^<div class="results" aria-busy="true"><div class="state" role="status"[^>]*>.*Loading things/,
    );
    expect(rowsOf(queryIn('error'))).toContain('role="alert"><span>');
    expect(rowsOf(queryIn('error'))).toContain('Try again</button>');
    expect(rowsOf(queryIn('success', { count: 0, results: [] }))).toBe(
      '<div class="results" aria-busy="false"><div class="state state-empty">Nothing here.</div></div>',
    );
    const html = rowsOf(queryIn('success', { count: 21, results: [{ id: 1 }, { id: 2 }] }));
    expect(html).toMatch(/^<div class="results" aria-busy="false"><p>row 1<\/p><p>row 2<\/p><nav class="pagination"/);
    expect(html).toContain('1–20 of 21 things');
  });
});
