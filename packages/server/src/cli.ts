// `pnpm holdfast <command>`: operator tasks through the same services the API uses.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { AppError } from './errors';
import { AUDIT_OBJECT_TYPES, type AuditEntryDto, type AuditObjectType } from './modules/audit/audit.schema';
import { startRuntime, type Runtime } from './runtime';

/** A command another package adds to the CLI (the worker adds `worker`). */
export interface ExtraCommand {
  usage: string;
  run: () => Promise<number>;
}

const usage = (extra: Record<string, ExtraCommand>) => `Usage: holdfast <command> [options]

Commands:
  migrate                                   apply pending database migrations
  createsuperuser [--username U] [--email E] [--password P]
                                            create an admin account (prompts for what is missing)
  changepassword --username U [--password P]
                                            set a user's password (prompts when --password is absent)
  expire-holds                              mark every overdue hold EXPIRED now and print how many
  audit <event|reservation|user|auth> <id> [--limit N]
                                            the latest audit entries of one object, oldest first (default 20)
  user deactivate --username U              deactivate an account and revoke its refresh tokens
  user activate --username U                reactivate an account
${Object.values(extra)
  .map((c) => `  ${c.usage}\n`)
  .join('')}`;

const log = { info: (m: string) => console.error(m), warn: (m: string) => console.error(`WARNING: ${m}`) };

async function prompt(question: string, { secret = false } = {}): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError(`missing ${question.replace(/:\s*$/, '')} (no terminal to ask in)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (secret) {
    // Echo nothing while the password is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    process.stderr.write(question);
  }
  try {
    const answer = await rl.question(secret ? '' : question);
    if (secret) process.stderr.write('\n');
    return answer.trim();
  } finally {
    rl.close();
  }
}

class CliError extends Error {}

async function askPassword(given: string | undefined): Promise<string> {
  if (given) return given;
  const first = await prompt('Password: ', { secret: true });
  const again = await prompt('Password (again): ', { secret: true });
  if (first !== again) throw new CliError("passwords didn't match");
  return first;
}

function describe(err: unknown): string {
  if (err instanceof AppError) {
    if (err.fields) {
      return Object.entries(err.fields)
        .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
        .join('\n');
    }
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : `unexpected failure (${JSON.stringify(err) ?? String(err)})`;
}

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, migrate = true): Promise<T> {
  const rt = await startRuntime(loadConfig(), { log, migrate });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

async function run(argv: string[], extra: Record<string, ExtraCommand>): Promise<number> {
  const [command, ...rest] = argv;
  const USAGE = usage(extra);
  if (command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  const added = command ? extra[command] : undefined;
  if (added) return added.run();
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  const [first, second] = positionals;
  if (positionals.length > 0 && command !== 'audit' && command !== 'user') {
    throw new CliError(`unexpected argument "${positionals[0]}"`);
  }
  if (!command || values.help || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'migrate':
      await withRuntime(async () => undefined);
      console.log('Database is up to date.');
      return 0;
    case 'createsuperuser': {
      const username = values.username ?? (await prompt('Username: '));
      const email = values.email ?? (await prompt('Email address: '));
      const password = await askPassword(values.password);
      await withRuntime((rt) => rt.services.auth.createUser({ username, email, password, isSuperuser: true }));
      console.log(`Superuser "${username}" created.`);
      return 0;
    }
    case 'changepassword': {
      const username = values.username ?? (await prompt('Username: '));
      const password = await askPassword(values.password);
      await withRuntime((rt) => rt.services.auth.setPassword(username, password));
      console.log(`Password changed for "${username}"; their refresh tokens were revoked.`);
      return 0;
    }
    case 'expire-holds': {
      const result = await withRuntime((rt) => rt.services.reservations.expireOverdueHolds());
      console.log(`Expired ${result.expired} holds on ${result.events} events.`);
      return 0;
    }
    case 'audit': {
      const objectType = first;
      const objectId = Number(second);
      if (!isAuditObjectType(objectType) || !Number.isInteger(objectId) || objectId < 1) {
        throw new CliError('usage: holdfast audit <event|reservation|user|auth> <id> [--limit N]');
      }
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError('--limit must be 1-500');
      const entries = await withRuntime((rt) => rt.services.audit.history(objectType, objectId, limit));
      if (entries.length === 0) console.log(`No audit entries for ${objectType} ${objectId}.`);
      for (const e of entries) console.log(formatAuditEntry(e));
      return 0;
    }
    case 'user': {
      if ((first !== 'deactivate' && first !== 'activate') || second !== undefined) {
        throw new CliError('usage: holdfast user deactivate|activate --username U');
      }
      const username = values.username ?? (await prompt('Username: '));
      await withRuntime((rt) => rt.services.auth.setActive(username, first === 'activate'));
      console.log(
        first === 'activate'
          ? `User "${username}" activated.`
          : `User "${username}" deactivated; their refresh tokens were revoked and their access tokens are refused.`,
      );
      return 0;
    }
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

function isAuditObjectType(v: string | undefined): v is AuditObjectType {
  return (AUDIT_OBJECT_TYPES as readonly string[]).includes(v ?? '');
}

/** One line per entry: when, what, who, from which request, and what changed. */
export function formatAuditEntry(e: AuditEntryDto): string {
  const who = e.actor === null ? 'system' : `${e.actor_username ?? '?'}(#${e.actor})`;
  const change = [e.before ? JSON.stringify(e.before) : '-', e.after ? JSON.stringify(e.after) : '-'].join(' -> ');
  const reason = e.reason ? ` reason=${JSON.stringify(e.reason)}` : '';
  const request = e.request_id ? ` request=${e.request_id}` : '';
  return `${e.at}  ${e.action.padEnd(19)} by ${who}${request}${reason}  ${change}`;
}

/** Runs the CLI with these arguments and exits the process with its status. */
export function runCli(argv: string[], extra: Record<string, ExtraCommand> = {}): void {
  run(argv, extra).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof ConfigError ? err.message : `Error: ${describe(err)}`);
      process.exit(1);
    },
  );
}

if (require.main === module) runCli(process.argv.slice(2));
