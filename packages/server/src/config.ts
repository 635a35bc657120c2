// The only reader of process.env: parses it once with zod into a typed, frozen config.
import { z } from 'zod';

const zBoolFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const zEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(200).default(10),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  MONGO_URL: z.url({ protocol: /^mongodb(\+srv)?$/ }).optional(),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(3600),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(7 * 24 * 3600),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).optional(),
  HOLD_TTL_SECONDS: z.coerce.number().int().min(1).default(300),
  MAX_HOLD_QUANTITY: z.coerce.number().int().min(1).default(10),
  MAX_ACTIVE_HOLDS_PER_USER: z.coerce.number().int().min(0).default(10),
  MAX_HELD_SEATS_PER_USER: z.coerce.number().int().min(0).default(10),
  LOCK_TIMEOUT_MS: z.coerce.number().int().min(1).default(2000),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1).default(10000),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  LOGIN_ACCOUNT_MAX_FAILURES: z.coerce.number().int().min(0).default(20),
  LOGIN_IP_MAX_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  REGISTRATIONS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(20),
  CORS_ORIGINS: z.string().optional(),
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).default(30000),
  WORKER_IN_PROCESS: zBoolFlag.optional(),
  EVENT_LIST_CACHE_MS: z.coerce.number().int().min(0).default(1000),
  AUTH_USER_CACHE_MS: z.coerce.number().int().min(0).default(1000),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
  ADMIN_UI_DIR: z.string().min(1).optional(),
  LIVE_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).default(10_000),
  LIVE_COALESCE_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  LIVE_SLOW_CLIENT_MS: z.coerce.number().int().min(100).default(30_000),
  LIVE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(20),
  DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).optional(),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'PUBLIC_URL must be an http(s) URL' })
    .refine((u) => !/[?#]/.test(u), 'PUBLIC_URL must not have a query or fragment')
    .optional(),
});

export type Env = z.input<typeof zEnv>;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** undefined → the embedded PostgreSQL under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolMax: number;
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  readonly mongoUrl: string | undefined;
  /** undefined only in development/test: the starter then generates and stores one. */
  readonly jwtSecret: string | undefined;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly bcryptCost: number;
  readonly holdTtlSeconds: number;
  readonly maxHoldQuantity: number;
  /** 0 disables the cap. */
  readonly maxActiveHoldsPerUser: number;
  /** Seats one user may hold at once on one event; 0 disables the limit. */
  readonly maxHeldSeatsPerUser: number;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly loginMaxFailures: number;
  readonly loginFailureWindowSeconds: number;
  /** Sign-in attempts on one account from all IPs per window before each further one waits; 0 = off. */
  readonly loginAccountMaxFailures: number;
  readonly loginIpMaxPerMinute: number;
  /** New accounts per client IP per hour (per API process). */
  readonly registrationsPerIpPerHour: number;
  /** Bearer token /metrics requires; undefined → open in development/test, off (404) in production. */
  readonly metricsToken: string | undefined;
  /** '*' (any origin) or an explicit list. */
  readonly corsOrigins: '*' | readonly string[];
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  readonly workerInProcess: boolean;
  /**
   * How long this process may answer the events list from memory; 0 = always from the database. Writes made in this
   * process clear it at once; other processes' writes and lapsing holds show within this time.
   */
  readonly eventListCacheMs: number;
  /** How long this process may reuse a signed-in user's row; 0 = read it on every request. Same staleness rule. */
  readonly authUserCacheMs: number;
  /** Audit entries older than this are removed by the worker's clean-up job. */
  readonly auditRetentionDays: number;
  /** The back office's built files (packages/admin/dist); undefined → found next to the server, if built. */
  readonly adminUiDir: string | undefined;
  /** Open live-availability streams one process accepts; past it a new one gets 503 BUSY. */
  readonly liveMaxSubscriptions: number;
  /** Least time between two re-reads of one event's availability (coalescing of bursts). */
  readonly liveCoalesceMs: number;
  /** A stream that leaves an update unread this long is closed (the client reconnects to the current value). */
  readonly liveSlowClientMs: number;
  /** Interval of the heartbeat comment on REST availability streams. */
  readonly liveHeartbeatMs: number;
  /**
   * Seconds after a refresh token was rotated during which presenting it again returns the same new pair instead of
   * revoking every session of the user (tabs sharing one session); 0 = no grace.
   */
  readonly refreshReuseGraceSeconds: number;
  /**
   * On SIGTERM, how long the API keeps serving (every response with `Connection: close`) after `/readyz` starts
   * answering 503, before it stops accepting connections and waits for in-flight requests.
   */
  readonly drainDelayMs: number;
  /**
   * Where clients reach this API (scheme://host[:port][/prefix], no trailing slash): the base of the absolute links
   * in paginated lists. undefined → the links are relative (/api/...): never built from the request's Host header.
   */
  readonly publicUrl: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses an environment (process.env by default) into a Config, or throws a ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" (docker-compose passes `VAR=` through).
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = zEnv.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production');
  }
  const corsOrigins =
    e.CORS_ORIGINS === undefined
      ? e.NODE_ENV === 'production'
        ? []
        : '*'
      : e.CORS_ORIGINS.trim() === '*'
        ? '*'
        : e.CORS_ORIGINS.split(',')
            .map((o) => o.trim())
            .filter(Boolean);
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    mongoUrl: e.MONGO_URL,
    jwtSecret: e.JWT_SECRET,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    bcryptCost: e.BCRYPT_COST ?? (e.NODE_ENV === 'test' ? 4 : 12),
    holdTtlSeconds: e.HOLD_TTL_SECONDS,
    maxHoldQuantity: e.MAX_HOLD_QUANTITY,
    maxActiveHoldsPerUser: e.MAX_ACTIVE_HOLDS_PER_USER,
    maxHeldSeatsPerUser: e.MAX_HELD_SEATS_PER_USER,
    lockTimeoutMs: e.LOCK_TIMEOUT_MS,
    statementTimeoutMs: e.STATEMENT_TIMEOUT_MS,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginFailureWindowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
    loginAccountMaxFailures: e.LOGIN_ACCOUNT_MAX_FAILURES,
    loginIpMaxPerMinute: e.LOGIN_IP_MAX_PER_MINUTE,
    registrationsPerIpPerHour: e.REGISTRATIONS_PER_IP_PER_HOUR,
    corsOrigins,
    metricsToken: e.METRICS_TOKEN,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    workerInProcess: e.WORKER_IN_PROCESS ?? true,
    eventListCacheMs: e.EVENT_LIST_CACHE_MS,
    authUserCacheMs: e.AUTH_USER_CACHE_MS,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    adminUiDir: e.ADMIN_UI_DIR,
    liveMaxSubscriptions: e.LIVE_MAX_SUBSCRIPTIONS,
    liveCoalesceMs: e.LIVE_COALESCE_MS,
    liveSlowClientMs: e.LIVE_SLOW_CLIENT_MS,
    liveHeartbeatMs: e.LIVE_HEARTBEAT_MS,
    refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    // Production sits behind proxies and load balancers that need time to notice; a developer's Ctrl-C does not.
    drainDelayMs: e.DRAIN_DELAY_MS ?? (e.NODE_ENV === 'production' ? 5000 : 0),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
  });
}
