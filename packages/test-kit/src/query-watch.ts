// Sees the SQL this process sends, through Sequelize's afterQuery hook: to count what a request costs the database,
// or to hold one statement's result back (after it has read) while the test does something else.
import type { Sequelize } from 'sequelize';

let nextId = 0;

/** AbstractQuery keeps the statement it ran in `sql`; Sequelize's types do not declare it. */
function sqlOf(query: unknown): string {
  const sql = (query as { sql?: unknown }).sql;
  return typeof sql === 'string' ? sql : '';
}

export interface QueryWatch {
  /** Statements seen since the watch started (or since reset()) whose SQL contains `fragment` (all without it). */
  count(fragment?: string): number;
  reset(): void;
  stop(): void;
}

export function watchQueries(sequelize: Sequelize): QueryWatch {
  const name = `query-watch-${nextId++}`;
  const seen: string[] = [];
  sequelize.addHook('afterQuery', name, (_options, query) => {
    seen.push(sqlOf(query));
  });
  return {
    count: (fragment) => (fragment === undefined ? seen.length : seen.filter((s) => s.includes(fragment)).length),
    reset: () => {
      seen.length = 0;
    },
    stop: () => {
      sequelize.removeHook('afterQuery', name);
    },
  };
}

export interface HeldQuery {
  /** Resolves once the first matching statement has run and is being held. */
  reached: Promise<void>;
  /** Lets it (and any later match) go on, and removes the hook. */
  release(): void;
}

/** Holds the result of the first statement matching `test` until release(): the statement has read by then. */
export function holdQuery(sequelize: Sequelize, test: (sql: string) => boolean): HeldQuery {
  const name = `hold-query-${nextId++}`;
  let reached!: () => void;
  let release!: () => void;
  const reachedP = new Promise<void>((resolve) => (reached = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  sequelize.addHook('afterQuery', name, async (_options, query) => {
    if (held || !test(sqlOf(query))) return;
    held = true;
    reached();
    await gate;
  });
  return {
    reached: reachedP,
    release: () => {
      sequelize.removeHook('afterQuery', name);
      release();
    },
  };
}
