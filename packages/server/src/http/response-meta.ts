// Status codes and headers added to responses: Retry-After for 429/503 errors on both transports, and 201 for
// creating procedures (meta.successStatus) on REST only, where the old API used it.
import type { AnyTRPCRouter, TRPCError } from '@trpc/server';
import { AppError } from '../errors';
import type { Meta } from '../trpc/init';

interface ResponseMetaArgs {
  paths?: readonly string[] | undefined;
  errors: readonly TRPCError[];
  type: string;
}

export function responseMetaFor(router: AnyTRPCRouter, opts: { successStatus: boolean }) {
  const procedures = router._def.procedures as Record<string, { _def: { meta?: Meta } } | undefined>;
  return ({ paths, errors }: ResponseMetaArgs): { status?: number; headers?: Record<string, string> } => {
    if (errors.length > 0) {
      const retryAfter = errors
        .map((e) => (e.cause instanceof AppError ? e.cause.retryAfter : undefined))
        .find((s) => s !== undefined);
      return retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {};
    }
    // Only single (unbatched) calls change the status; a batch keeps 200.
    if (opts.successStatus && paths?.length === 1 && paths[0]) {
      const status = procedures[paths[0]]?._def.meta?.successStatus;
      if (status) return { status };
    }
    return {};
  };
}
