// One browser tab of a frontend built on the SDK: the session lives in localStorage, shared by every tab of the
// origin, as a real app keeps it. Bundled by tabs.test.ts (esbuild) and loaded in Chromium.
import { createHoldfastClient, type RefreshLock, type Session, type SessionStore } from '../../src';

const KEY = 'holdfast.session';
const params = new URLSearchParams(location.search);
const api = params.get('api') ?? '';

const stored = (): Session | null => JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
const store: SessionStore = {
  load: stored,
  save: (session) => {
    if (session) localStorage.setItem(KEY, JSON.stringify(session));
    else localStorage.removeItem(KEY);
  },
};
// `?nolock` stands for a browser without the Web Locks API (the negative control and the server-grace case).
const noLock: RefreshLock = { request: (_name, callback) => callback() };

let refreshes = 0;
const client = createHoldfastClient({
  url: api,
  session: stored(),
  sessionStore: store,
  ...(params.has('nolock') ? { refreshLock: noLock } : {}),
  fetch: (input, init) => {
    if (String(input).includes('auth.refresh')) refreshes++;
    return fetch(input, init as RequestInit);
  },
});

(globalThis as unknown as { holdfastTab: unknown }).holdfastTab = {
  me: () => client.auth.me.query().then((user) => user.id),
  refreshes: () => refreshes,
  hasWebLocks: () => typeof navigator.locks?.request === 'function',
};
