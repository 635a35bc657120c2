// Headless Chromium (Debian's package, driven by playwright-core) for the suites that test pages. Without it a suite
// is skipped locally with a message, and FAILS under CI=true or REQUIRE_BROWSER=1: CI never skips it silently.
import { describe } from '@jest/globals';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Hosts a page under test may load from: the server itself (no CDN, no fonts, no telemetry). */
export const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const truthy = (v: string | undefined) => !!v && v !== '0' && v.toLowerCase() !== 'false';
export const browserRequired = truthy(process.env.CI) || truthy(process.env.REQUIRE_BROWSER);
export const haveBrowser = existsSync(CHROMIUM);

/** `describe` when Chromium is there (or required: then the suite fails without it), else `describe.skip` with a warning. */
export function browserSuite(file: string): (name: string, fn: () => void) => void {
  if (haveBrowser || browserRequired) return describe;
  console.warn(
    `${file}: SKIPPED — no Chromium at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` ` +
      '(or set CHROMIUM_PATH). Under CI=true or REQUIRE_BROWSER=1 this is a failure, not a skip.',
  );
  return describe.skip;
}
