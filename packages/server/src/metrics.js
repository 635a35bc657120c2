"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.sweepDuration = exports.holdBatchSize = exports.lockWait = exports.reservationTransitions = exports.httpDuration = exports.registry = void 0;
exports.watchPool = watchPool;
exports.routeLabel = routeLabel;
const prom_client_1 = require("prom-client");
exports.registry = new prom_client_1.Registry();
(0, prom_client_1.collectDefaultMetrics)({ register: exports.registry, prefix: 'holdfast_process_' });
exports.httpDuration = new prom_client_1.Histogram({
    name: 'holdfast_http_request_duration_seconds',
    help: 'HTTP request duration by route and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [exports.registry],
});
exports.reservationTransitions = new prom_client_1.Counter({
    name: 'holdfast_reservations_total',
    help: 'Reservation state changes: created (hold), confirmed, cancelled, expired.',
    labelNames: ['transition'],
    registers: [exports.registry],
});
exports.lockWait = new prom_client_1.Histogram({
    name: 'holdfast_event_lock_wait_seconds',
    help: 'Time spent acquiring an event row lock.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [exports.registry],
});
exports.holdBatchSize = new prom_client_1.Histogram({
    name: 'holdfast_hold_batch_size',
    help: 'Hold requests on one event placed by one statement (group commit; grows with load on a popular event).',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [exports.registry],
});
exports.sweepDuration = new prom_client_1.Histogram({
    name: 'holdfast_expiry_sweep_duration_seconds',
    help: 'Duration of one expiry sweep over every overdue hold.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [exports.registry],
});
const pools = new Set();
new prom_client_1.Gauge({
    name: 'holdfast_db_pool_connections',
    help: 'Database pool connections by state.',
    labelNames: ['state'],
    registers: [exports.registry],
    collect() {
        this.reset();
        for (const manager of pools) {
            const p = manager.pool;
            if (!p)
                continue;
            this.inc({ state: 'open' }, p.size);
            this.inc({ state: 'idle' }, p.available);
            this.inc({ state: 'in_use' }, p.using);
            this.inc({ state: 'waiting' }, p.waiting);
        }
    },
});
/** Reports this Sequelize pool in holdfast_db_pool_connections; returns a function that stops it. */
function watchPool(sequelize) {
    const manager = sequelize.connectionManager;
    pools.add(manager);
    return () => pools.delete(manager);
}
/** A route label with bounded cardinality: numeric path segments become {id}, the query string is dropped. */
function routeLabel(url, matched) {
    if (!matched)
        return 'unmatched';
    const path = url.split('?')[0] ?? '';
    return path.replace(/\/\d+(?=\/|$)/g, '/{id}').slice(0, 120);
}
