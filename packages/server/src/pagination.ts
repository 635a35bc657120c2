// DRF's PageNumberPagination: 20 a page, next/previous links that keep the other query parameters. The links are
// absolute under the configured PUBLIC_URL, else relative (/api/...): never built from the request's Host header,
// which any client can set (a poisoned cache or a phishing page would otherwise hand out links to another host).
import { AppError } from './errors';

export const PAGE_SIZE = 20;

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface PageRequest {
  /** URL of the list endpoint: PUBLIC_URL + /api/events/, or /api/events/ alone. */
  listUrl: string;
  /** The query parameters to keep in the links (filters), without `page`; an array repeats the parameter. */
  query: Record<string, string | readonly string[] | undefined>;
  page: number;
}

export function pageOffset(page: number): number {
  return (page - 1) * PAGE_SIZE;
}

/** Builds the page, or throws 404 "Invalid page." when the page is past the end (DRF's answer). */
export function toPage<T>(req: PageRequest, count: number, results: T[]): Page<T> {
  if (req.page > 1 && results.length === 0) throw new AppError('NOT_FOUND', 'Invalid page.');
  const link = (page: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query)) {
      if (typeof v === 'string') params.set(k, v);
      else if (v) for (const item of v) params.append(k, item);
    }
    if (page > 1) params.set('page', String(page));
    const qs = params.toString();
    return qs ? `${req.listUrl}?${qs}` : req.listUrl;
  };
  return {
    count,
    next: pageOffset(req.page) + results.length < count ? link(req.page + 1) : null,
    previous: req.page > 1 ? link(req.page - 1) : null,
    results,
  };
}
