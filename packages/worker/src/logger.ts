// A small structured logger: one pino-style JSON object per line on stdout, so the worker's output reads the same as
// the API's under any log shipper. It also satisfies the server's `Logger` (info/warn), so startRuntime can use it.
import os from 'node:os';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFields = Record<string, unknown>;

export interface WorkerLogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

// pino's numeric levels, so tools that already parse the API's logs need nothing new.
const LEVELS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

export interface JsonLoggerOptions {
  level: LogLevel;
  name?: string;
  /** Where each line goes (default: stdout). */
  write?: (line: string) => void;
}

export function createJsonLogger(opts: JsonLoggerOptions): WorkerLogger {
  const threshold = LEVELS[opts.level];
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  const base = { pid: process.pid, hostname: os.hostname(), name: opts.name ?? 'holdfast-worker' };
  const at = (level: Exclude<LogLevel, 'silent' | 'fatal' | 'trace'>) => (msg: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    write(`${JSON.stringify({ level: LEVELS[level], time: Date.now(), ...base, ...fields, msg })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** An Error's message (with its cause's) for a log line; anything else as text. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause =
    err.cause instanceof Error && !err.message.includes(err.cause.message) ? ` (cause: ${err.cause.message})` : '';
  return `${err.name}: ${err.message}${cause}`;
}
