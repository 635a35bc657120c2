// Status codes and headers tRPC adapters add to responses. Errors: Retry-After on both transports, and on REST the
// status too, both from src/errors.ts. Success: 201 for creating procedures (meta.successStatus) on REST only, where
// the old API used it.
import type { AnyTRPCRouter, TRPCError } from '@trpc/server';
import { restErrorOf, retryAfterHeader } from '../errors';
import type { Meta } from '../trpc/init';

interface ResponseMetaArgs {
  paths?: readonly string[] | undefined;
  errors: readonly TRPCError[];
  type: string;
}

export interface ResponseMeta {
  status?: number;
  headers?: Record<string, string>;
}

export function responseMetaFor(router: AnyTRPCRouter, opts: { transport: 'trpc' | 'rest' }) {
  const procedures = router._def.procedures as Record<string, { _def: { meta?: Meta } } | undefined>;
  return ({ paths, errors }: ResponseMetaArgs): ResponseMeta => {
    if (errors.length > 0) {
      // A REST call is one procedure; tRPC keeps its own status for a call or a batch (it derives it from the code).
      if (opts.transport === 'rest' && errors.length === 1) {
        const { status, headers } = restErrorOf(errors[0]!);
        return { status, headers };
      }
      const headers = retryAfterHeader(errors);
      return headers ? { headers } : {};
    }
    // Only single (unbatched) calls change the status; a batch keeps 200.
    if (opts.transport === 'rest' && paths?.length === 1 && paths[0]) {
      const status = procedures[paths[0]]?._def.meta?.successStatus;
      if (status) return { status };
    }
    return {};
  };
}
