// What a section shows for a query: a spinner while it loads, the error with a retry, a message when there is
// nothing to list, and otherwise its data. Lists of pages add the pagination under the rows.
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Empty, ErrorBox, Loading, Pagination } from './ui';

/**
 * Loading, error or the data. With `isEmpty`, data that has nothing to show renders `empty` instead; without it the
 * data always goes to `children` (which may decide emptiness itself).
 */
export function QueryState<TData>({
  query,
  loading,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<TData, unknown>;
  /** What is loading, for the spinner: "Loading events". */
  loading: string;
  isEmpty?: (data: TData) => boolean;
  empty?: ReactNode;
  children: (data: TData) => ReactNode;
}) {
  if (query.isPending) return <Loading what={loading} />;
  if (query.isError) return <ErrorBox error={query.error} onRetry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <Empty>{empty}</Empty>;
  return <>{children(query.data)}</>;
}

/** A page of a DRF-style list, as the admin list procedures return it. */
interface ListPage<Row> {
  count: number;
  results: Row[];
}

/** `isEmpty` for a list page: no row on it. */
export function hasNoRows(page: { results: readonly unknown[] }): boolean {
  return page.results.length === 0;
}

/**
 * One page of a paged list under its filters. While another page or filter loads, the rows on screen stay and dim
 * (aria-busy, styles.css): the screens' queries keep their previous data (placeholderData: keepPreviousData).
 */
export function PagedResults<Row>({
  query,
  loading,
  empty,
  page,
  onPage,
  noun,
  plural,
  children,
}: {
  query: UseQueryResult<ListPage<Row>, unknown>;
  loading: string;
  /** What the list says when no row matches. */
  empty: ReactNode;
  page: number;
  onPage: (page: number) => void;
  /** What a row is, for "1–20 of 45 events". */
  noun: string;
  plural?: string;
  children: (rows: Row[]) => ReactNode;
}) {
  return (
    <div className="results" aria-busy={query.isFetching}>
      <QueryState query={query} loading={loading} isEmpty={hasNoRows} empty={empty}>
        {(data) => (
          <>
            {children(data.results)}
            <Pagination page={page} count={data.count} noun={noun} plural={plural} onPage={onPage} />
          </>
        )}
      </QueryState>
    </div>
  );
}
