// Which Node.js runs the API child: the bench's own (the repository's Node 20) or another line, given as a path to a
// `node` binary or as a bare major version ("24"). A major version resolves to the npm package node@<major> installed
// under the CI cache folder (${HOLDFAST_CACHE:-~/.cache/holdfast}/node<major>), the same place CI keeps it, and is
// installed there with npm when missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface NodeRuntime {
  /** The `node` binary. */
  path: string;
  /** Its `process.version`, e.g. v24.11.0. */
  version: string;
  /** Short label for tables: "Node 24". */
  label: string;
}

/** The environment variable that picks the other runtime when `--node` is not given. */
export const NODE_ENV_VAR = 'HOLDFAST_BENCH_NODE';

export function cacheDir(): string {
  return process.env.HOLDFAST_CACHE || path.join(os.homedir(), '.cache', 'holdfast');
}

function versionOf(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
}

function labelOf(version: string): string {
  return `Node ${version.replace(/^v/, '').split('.')[0] ?? version}`;
}

/** The runtime the bench itself runs on. */
export function currentNode(): NodeRuntime {
  return { path: process.execPath, version: process.version, label: labelOf(process.version) };
}

/**
 * `spec`: a path to a node binary, or a major version ("24"). A major version not yet in the cache is installed
 * with `npm install --prefix <cache>/node<major> node@<major>` (a few seconds; network needed once).
 */
export function resolveNode(
  spec: string,
  log: (m: string) => void = () => undefined,
  opts: { install?: boolean } = {},
): NodeRuntime {
  let binary: string;
  if (/^\d+$/.test(spec)) {
    const prefix = path.join(cacheDir(), `node${spec}`);
    binary = path.join(prefix, 'node_modules', '.bin', 'node');
    if (!existsSync(binary)) {
      if (opts.install === false) throw new Error(`node@${spec} is not installed at ${binary}`);
      log(`installing node@${spec} into ${prefix} (npm)`);
      execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', `node@${spec}`], {
        stdio: ['ignore', 'ignore', 'inherit'],
        timeout: 300_000,
      });
      if (!existsSync(binary)) throw new Error(`npm installed node@${spec} but ${binary} is missing`);
    }
  } else {
    binary = path.resolve(spec);
    if (!existsSync(binary)) throw new Error(`--node: no such file ${binary}`);
  }
  const version = versionOf(binary);
  return { path: binary, version, label: labelOf(version) };
}

/** The runtime to compare with, from `--node` or else HOLDFAST_BENCH_NODE; undefined when neither is set. */
export function otherNode(flag: string | undefined, log?: (m: string) => void): NodeRuntime | undefined {
  const spec = flag ?? (process.env[NODE_ENV_VAR] || undefined);
  return spec === undefined ? undefined : resolveNode(spec, log);
}
