// The tRPC instance: context and meta types, SSE settings, and the error formatter, which hands every procedure
// error to src/errors.ts (where its message, codes and REST body are decided).
import { initTRPC, TRPCError } from '@trpc/server';
import { formatProcedureError } from '../errors';
import type { Context } from './context';
import type { Meta } from './meta';

/** Heartbeat interval of tRPC subscription streams (REST streams use LIVE_HEARTBEAT_MS). */
export const SSE_PING_MS = 15_000;

export type { Meta };

export const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // Subscriptions (events.availability) stream over server-sent events; the ping comment keeps proxies and idle
    // timeouts from closing a quiet stream, and tells the client to reconnect if it stops arriving.
    sse: {
      ping: { enabled: true, intervalMs: SSE_PING_MS },
      client: { reconnectAfterInactivityMs: SSE_PING_MS * 3 },
    },
    // The envelope tRPC clients receive; the error module decides its message, codes and REST body.
    errorFormatter: ({ shape, error, ctx }) => formatProcedureError({ shape, error, transport: ctx?.transport }),
  });

export { TRPCError };
