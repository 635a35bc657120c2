// A small history-API router: the back office has a handful of screens, and the state worth sharing (filters,
// page, tab) lives in the query string, so links and reloads land on the same view.
export { matchPath } from './url-state';
import { useCallback, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export const BASE = '/admin';

const subscribers = new Set<() => void>();
function notify(): void {
  for (const s of subscribers) s();
}
window.addEventListener('popstate', notify);

function subscribe(callback: () => void): () => void {
  subscribers.add(callback);
  return () => subscribers.delete(callback);
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const href = to.startsWith(BASE) ? to : `${BASE}${to}`;
  if (href === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.scrollTo(0, 0);
  notify();
}

export interface Location {
  /** The path below /admin, e.g. "/events/12". */
  path: string;
  search: URLSearchParams;
}

export function useLocation(): Location {
  const current = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(current, window.location.origin);
  const below = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname;
  return { path: below.replace(/\/+$/, '') || '/', search: url.searchParams };
}

/** Replaces the query string (keeps the path): filters update the URL without piling up history entries. */
export function useSetSearch(): (search: string) => void {
  return useCallback((search: string) => {
    const query = search ? `?${search}` : '';
    window.history.replaceState(null, '', window.location.pathname + query);
    notify();
  }, []);
}

export function Link({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const href = to.startsWith(BASE) ? to : `${BASE}${to}`;
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a {...rest} href={href} onClick={onClick}>
      {children}
    </a>
  );
}
