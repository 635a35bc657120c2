// Published stand-in for @holdfast/server's per-request context (src/trpc/context.ts). The client never sees the
// context: it only shapes the server's procedures. The real type reaches Services and so Sequelize.
export type Context = object;
