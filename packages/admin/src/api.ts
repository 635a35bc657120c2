// The one way to the API: the SDK's client (it keeps the session, refreshes an expired access token once and
// retries), with the session kept in this tab's storage so a reload stays signed in.
import { createHoldfastClient, type HoldfastClient, type Session } from '@holdfast/sdk';

const SESSION_KEY = 'holdfast.admin.session';

type SessionListener = (session: Session | null) => void;
const listeners = new Set<SessionListener>();

function readSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Session>;
    return typeof value.access === 'string' && typeof value.refresh === 'string'
      ? { access: value.access, refresh: value.refresh }
      : null;
  } catch {
    return null;
  }
}

let session: Session | null = readSession();

/** Why the last session ended, for the sign-in form to say: the admin signed out, or the server ended it. */
export type SessionEnd = 'signed-out' | 'expired';
const END_KEY = 'holdfast.admin.ended';
let signingOut = false;
let lastEnd: SessionEnd | null = null;

export const client: HoldfastClient = createHoldfastClient({
  url: window.location.origin,
  session,
  onSession(next) {
    if (session && !next) lastEnd = signingOut ? 'signed-out' : 'expired';
    session = next;
    if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
    else sessionStorage.removeItem(SESSION_KEY);
    for (const listener of listeners) listener(next);
  },
});

export function currentSession(): Session | null {
  return session;
}

/** Why the previous session ended (once: reading it clears it), or null. */
export function takeSessionEnd(): SessionEnd | null {
  const stored = sessionStorage.getItem(END_KEY);
  sessionStorage.removeItem(END_KEY);
  const end = lastEnd ?? (stored === 'signed-out' || stored === 'expired' ? stored : null);
  lastEnd = null;
  return end;
}

/**
 * Signs out on the server (the refresh token is blacklisted) and here. If the server cannot be told, the session is
 * still forgotten in this tab: the page reloads without it.
 */
export async function signOut(): Promise<void> {
  signingOut = true;
  try {
    await client.auth.logout.mutate({});
  } catch {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.setItem(END_KEY, 'signed-out');
    window.location.assign('/admin/');
  } finally {
    signingOut = false;
  }
}

export function onSessionChange(listener: SessionListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Downloads a REST resource that needs the bearer token (the CSV export) as a file. The token goes in the
 * Authorization header, never in a URL; an expired access token is renewed through the SDK first.
 */
export async function downloadWithToken(pathAndQuery: string, fileName: string): Promise<void> {
  const get = () => fetch(pathAndQuery, { headers: session ? { authorization: `Bearer ${session.access}` } : {} });
  let response = await get();
  if (response.status === 401 && session) {
    // Any authed call renews the session through the SDK's shared refresh; then try once more.
    await client.auth.me.query();
    response = await get();
  }
  if (!response.ok) throw new Error(`The export failed (HTTP ${response.status}).`);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A fresh key per confirmed action: a retried request (network blip, double click) is applied once. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
