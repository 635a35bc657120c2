// Published stand-in for trpc-to-openapi's OpenApiMeta, which the server's procedure meta extends. Meta stays on the
// server; clients never read it, and the real type would make consumers install trpc-to-openapi and zod.
export type OpenApiMeta = { openapi?: Record<string, unknown> };
