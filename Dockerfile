# One image for the API, the worker and the CLI. Build stage compiles the workspace; the runtime stage keeps
# only production dependencies (pnpm deploy would split packages; one pruned workspace keeps them together).
FROM node:24-bookworm-slim AS build
RUN npm install --global pnpm@10
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json tsconfig.base.json ./
COPY packages/server/package.json packages/server/
COPY packages/worker/package.json packages/worker/
COPY packages/sdk/package.json packages/sdk/
COPY packages/admin/package.json packages/admin/
RUN pnpm install --frozen-lockfile
COPY packages packages
RUN pnpm build && pnpm prune --prod --config.ignore-scripts=false

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# The live heap is ~40 MB; without a limit V8 sizes the old space from the host's RAM and RSS climbs to hundreds of
# MB of garbage under load before a major GC (docs/PERFORMANCE.md). With that limit V8 also shrinks the young
# generation, so short-lived request garbage is promoted and collected by major GCs: Node 24 spent up to 40 % of
# the API's CPU there. A 16 MB semi-space keeps it young: REST hot holds about 2x on Node 20 and 3x on Node 24 in
# the bench, same peak RSS (docs/PERFORMANCE.md).
# The bench runs the API with the same flags (bench/lib/server.ts PRODUCTION_NODE_ARGS).
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=16"
WORKDIR /app
COPY --from=build /app/package.json /app/pnpm-workspace.yaml ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/server/package.json packages/server/
COPY --from=build /app/packages/server/dist packages/server/dist
COPY --from=build /app/packages/server/node_modules packages/server/node_modules
COPY --from=build /app/packages/worker/package.json packages/worker/
COPY --from=build /app/packages/worker/dist packages/worker/dist
COPY --from=build /app/packages/worker/node_modules packages/worker/node_modules
# The back office is static files; the API finds them next to itself and serves them at /admin/.
COPY --from=build /app/packages/admin/dist packages/admin/dist
USER node
EXPOSE 8000
CMD ["node", "packages/server/dist/main.js"]
