// What every example shares: the connection flags (or HOLDFAST_* variables) and a signed-in client.
// Outside this repository, import from '@holdfast/sdk' instead of '../src'.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createHoldfastClient, isHoldfastError, type HoldfastClient } from '../src';

export const connectionFlags = {
  url: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies NonNullable<ParseArgsConfig['options']>;

export const connectionUsage = `Connection (flags, or the environment):
  --url URL          server base URL          [HOLDFAST_URL, default http://localhost:8000]
  --username NAME    account to sign in as    [HOLDFAST_USERNAME]
  --password SECRET  its password             [HOLDFAST_PASSWORD]`;

/** Parses argv (a leading `--` from `pnpm ... example name -- --flag` is dropped); prints usage on --help. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(options: T, usage: string) {
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  const parsed = parseArgs({
    args,
    options: { ...connectionFlags, ...options },
    strict: true,
    allowPositionals: false,
  });
  if ((parsed.values as { help?: boolean }).help) {
    console.log(`${usage}\n\n${connectionUsage}`);
    process.exit(0);
  }
  return parsed.values;
}

export async function signIn(values: { url?: string; username?: string; password?: string }): Promise<HoldfastClient> {
  const url = values.url ?? process.env.HOLDFAST_URL ?? 'http://localhost:8000';
  const username = values.username ?? process.env.HOLDFAST_USERNAME;
  const password = values.password ?? process.env.HOLDFAST_PASSWORD;
  if (!username || !password)
    throw new UsageError('--username and --password (or HOLDFAST_USERNAME/PASSWORD) are required');
  const client = createHoldfastClient({ url });
  await client.auth.login.mutate({ username, password });
  return client;
}

export class UsageError extends Error {}

/** Runs an example: usage mistakes and API errors become one line on stderr and a non-zero exit. */
export function run(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message} (see --help)`);
      process.exitCode = 2;
    } else if (isHoldfastError(err)) {
      const fields = err.fieldErrors
        ? ` ${Object.entries(err.fieldErrors)
            .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
            .join('; ')}`
        : '';
      console.error(`error: ${err.code} (${err.status}): ${err.message}${fields}`);
      process.exitCode = 1;
    } else {
      console.error(err instanceof Error ? `error: ${err.message}` : err);
      process.exitCode = 1;
    }
  });
}
