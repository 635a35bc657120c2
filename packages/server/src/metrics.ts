// Prometheus metrics (GET /metrics). Module-level singletons: one registry per process, however many apps or
// services a process builds (tests build several).
import type { Sequelize } from 'sequelize';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'holdfast_process_' });

export const httpDuration = new Histogram({
  name: 'holdfast_http_request_duration_seconds',
  help: 'HTTP request duration by route and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const reservationTransitions = new Counter({
  name: 'holdfast_reservations_total',
  help: 'Reservation state changes: created (hold), confirmed, cancelled, expired.',
  labelNames: ['transition'] as const,
  registers: [registry],
});

export const lockWait = new Histogram({
  name: 'holdfast_event_lock_wait_seconds',
  help: 'Time spent acquiring an event row lock.',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
  registers: [registry],
});

export const holdBatchSize = new Histogram({
  name: 'holdfast_hold_batch_size',
  help: 'Hold requests on one event placed by one statement (group commit; grows with load on a popular event).',
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [registry],
});

export const sweepDuration = new Histogram({
  name: 'holdfast_expiry_sweep_duration_seconds',
  help: 'Duration of one expiry sweep over every overdue hold.',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

interface PoolStats {
  size: number;
  available: number;
  using: number;
  waiting: number;
}
const pools = new Set<{ pool?: PoolStats }>();

new Gauge({
  name: 'holdfast_db_pool_connections',
  help: 'Database pool connections by state.',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const manager of pools) {
      const p = manager.pool;
      if (!p) continue;
      this.inc({ state: 'open' }, p.size);
      this.inc({ state: 'idle' }, p.available);
      this.inc({ state: 'in_use' }, p.using);
      this.inc({ state: 'waiting' }, p.waiting);
    }
  },
});

/** Reports this Sequelize pool in holdfast_db_pool_connections; returns a function that stops it. */
export function watchPool(sequelize: Sequelize): () => void {
  const manager = (sequelize as unknown as { connectionManager: { pool?: PoolStats } }).connectionManager;
  pools.add(manager);
  return () => pools.delete(manager);
}
