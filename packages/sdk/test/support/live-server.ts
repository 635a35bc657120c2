// The real server on a real port for the SDK to talk to, built with the shared test harness (@holdfast/test-kit, on
// the run's fresh database from the global setup), plus a fetch that records which procedures each request carried.
import { createHarness, listen, type Harness } from '@holdfast/test-kit';
import type { HoldfastFetch } from '../../src/client';

export { createEvent, createUser, PASSWORD, unique, untilExpired } from '@holdfast/test-kit';
export type { Harness, TestUser } from '@holdfast/test-kit';

export interface LiveServer {
  h: Harness;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

export async function startLiveServer(env: Record<string, string> = {}): Promise<LiveServer> {
  const h = await createHarness(env);
  return { h, url: await listen(h), close: () => h.close() };
}

export interface RecordingFetch {
  fetch: HoldfastFetch;
  /** One entry per HTTP request: the procedure paths it carried (a batch carries several). */
  requests: string[][];
  /** How many requests carried `path`. */
  count(path: string): number;
}

export function recordingFetch(): RecordingFetch {
  const requests: string[][] = [];
  const fetch: HoldfastFetch = (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const paths = decodeURIComponent(url.pathname.replace(/^.*\/trpc\//, '')).split(',');
    requests.push(paths);
    return globalThis.fetch(input, init as RequestInit);
  };
  return { fetch, requests, count: (path) => requests.filter((paths) => paths.includes(path)).length };
}
