// The server package's public surface: what the worker, the CLI wrappers and tests may import.
export { buildApp, type AppDeps, type AppOptions } from './app';
export { runCli, type ExtraCommand } from './cli';
export { ConfigError, loadConfig, type Config } from './config';
export { migrate, pendingMigrations } from './db/migrator';
export { AppError, APP_ERROR_CODES, type AppErrorCode } from './errors';
export type { ExpirySweepResult } from './modules/reservations/reservations.service';
export { startRuntime, startupFailure, type Logger, type Runtime, type RuntimeOptions } from './runtime';
export { developmentLogWriter } from './plugins/request-log';
export { onShutdownSignal, serveApi, type ApiServer } from './serve';
export { createServices, type ServiceOverrides, type Services } from './services';
export type { EventDto } from './modules/events/events.schema';
export type { ReservationDto } from './modules/reservations/reservations.schema';
export type { AppRouter } from './router';
