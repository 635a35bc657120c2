// One dedicated PostgreSQL connection per API process that LISTENs for committed seat changes (the NOTIFY sent by
// the trigger of migration 0005). It is not taken from the Sequelize pool: a pooled connection is handed to other
// queries and a LISTEN must stay on one session. When the connection drops it reconnects with capped exponential
// backoff; notifications sent meanwhile are lost, so after every (re)connect `onResync` runs and the process
// re-reads what it shows (the database is the source of truth, a missed message is repaired by reading).
import { Client, type ClientConfig, type Notification } from 'pg';
import { AVAILABILITY_CHANNEL } from '../db/migrations/0005-availability-notify';

export interface ChangeListenerOptions {
  connection: ClientConfig;
  /** A committed change to this event. */
  onChange: (eventId: number) => void;
  /** Connected (again): anything may have changed while no one listened. */
  onResync: () => void;
  /** The connection dropped; `onResync` follows once it is back. */
  onDisconnect?: (err: unknown) => void;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** First reconnect delay; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export const LISTENER_APPLICATION_NAME = 'holdfast-live';

export class ChangeListener {
  private client: Client | undefined;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;
  private pid: number | undefined;
  private connectedOnce = false;

  constructor(private readonly opts: ChangeListenerOptions) {}

  /** The backend pid of the listening session while connected (tests terminate it to simulate a drop). */
  get backendPid(): number | undefined {
    return this.pid;
  }

  get connected(): boolean {
    return this.pid !== undefined;
  }

  /** Connects once; if that fails, keeps retrying in the background (the API serves without live updates meanwhile). */
  start(): Promise<void> {
    this.connecting ??= this.connect();
    return this.connecting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    this.pid = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ ...this.opts.connection, application_name: LISTENER_APPLICATION_NAME });
    let dropped = false;
    const onDrop = (err: unknown) => {
      if (dropped) return;
      dropped = true;
      client.removeAllListeners('notification');
      if (this.client === client) {
        this.client = undefined;
        this.pid = undefined;
      }
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.opts.onDisconnect?.(err);
      this.scheduleReconnect(err);
    };
    // An 'error' on an idle client (the server terminated the session) must be handled or it crashes the process.
    client.on('error', onDrop);
    client.on('end', () => onDrop(new Error('listening connection closed')));
    client.on('notification', (message: Notification) => this.deliver(message));
    try {
      await client.connect();
      await client.query(`LISTEN ${AVAILABILITY_CHANNEL}`);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (this.stopped || dropped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.pid = rows[0]?.pid;
      this.attempt = 0;
      if (this.connectedOnce) this.opts.log?.info({}, 'live availability: listening again');
      this.connectedOnce = true;
      this.opts.onResync();
    } catch (err) {
      onDrop(err);
    }
  }

  private deliver(message: Notification): void {
    if (message.channel !== AVAILABILITY_CHANNEL) return;
    const id = Number(message.payload);
    if (Number.isInteger(id) && id > 0) this.opts.onChange(id);
  }

  private scheduleReconnect(err: unknown): void {
    if (this.stopped || this.retryTimer) return;
    const min = this.opts.minBackoffMs ?? 100;
    const max = this.opts.maxBackoffMs ?? 5000;
    const base = Math.min(max, min * 2 ** this.attempt);
    this.attempt++;
    // Jitter spreads the reconnects of many API processes after a database restart.
    const delay = base / 2 + Math.random() * (base / 2);
    this.opts.log?.warn(
      // The reason, not a stack: a dropped connection is expected (database restart, shutdown) and handled here.
      { reason: err instanceof Error ? err.message : String(err), retryInMs: Math.round(delay) },
      'live availability: listening connection lost, reconnecting',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
  }
}
