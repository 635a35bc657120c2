// A screen's filters read from and written to its URL.
import { useMemo } from 'react';
import { useLocation, useSetSearch } from '../router';
import { parseFilters, serializeFilters, withFilter, type FilterSpec, type FilterValues } from '../url-state';

export function useFilters<S extends FilterSpec>(spec: S) {
  const { search } = useLocation();
  const setSearch = useSetSearch();
  const key = search.toString();
  const values = useMemo(() => parseFilters(spec, new URLSearchParams(key)), [spec, key]);
  const update = (changes: Partial<FilterValues<S>>) => setSearch(serializeFilters(spec, withFilter(values, changes)));
  const reset = () => setSearch('');
  return { values, update, reset };
}
