# syntax=docker/dockerfile:1
# The timeline server, built from the sources and run as a non-root user with production dependencies only.

FROM node:26-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds its native addon from source (the embedded store; also what `timeline` commands open).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts scripts
COPY bin bin
COPY events events
COPY migrations migrations
COPY src src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:26-bookworm-slim
# V8 collects lazily up to its heap limit, so a process's resident memory follows that limit, not what it keeps:
# the read-model cache (TIMELINE_CACHE_MB, 256 by default) plus room for requests. Raise both together. A young
# generation of 32 MB (V8's default is 16) lets an answer of thousands of objects die young instead of being copied
# while it is built: the busiest actor's as-of answer took a third less time.
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0 \
    TIMELINE_DATA_DIR=/data \
    TIMELINE_CACHE_MB=256 \
    NODE_OPTIONS="--max-old-space-size=640 --max-semi-space-size=32"
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
COPY --from=build /app/src src
COPY --from=build /app/events events
COPY --from=build /app/migrations migrations
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
