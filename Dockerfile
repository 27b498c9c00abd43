# syntax=docker/dockerfile:1
# Herald's production image: Bun, the app, its production dependencies and Litestream (the binary shipped by
# the @flydotio/litestream-linux-x64 npm package), started by the supervisor (scripts/supervise.ts), which restores the
# database from the replica when the volume is empty and runs Herald under `litestream replicate -exec`.
#
#   docker build -t herald .
#   docker run --init -p 3000:3000 -v herald-data:/data \
#     -e LITESTREAM_REPLICA_URL=s3://BUCKET/herald -e AWS_ACCESS_KEY_ID=… -e AWS_SECRET_ACCESS_KEY=… \
#     -e HERALD_ADMIN_KEY=… herald
#
# Fly.io uses this file through fly.toml; README "Deployment" has the walk-through.

ARG BUN_VERSION=1.4.5

# linux/amd64 only: @flydotio publishes Litestream's Linux binary for x64 alone (Fly machines are x64; on an
# arm64 laptop Docker builds and runs this under emulation).
#
# Production dependencies exactly as the committed package-lock.json records them (`npm ci`), on the image's
# platform, so the platform packages of Litestream and libSQL match. No install scripts run: none is needed.
FROM --platform=linux/amd64 node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  # The `bun` package is the Bun binary for `npm start` on developer machines; the base image below has Bun.
  && rm -rf node_modules/bun node_modules/@oven

FROM --platform=linux/amd64 oven/bun:${BUN_VERSION}-slim
WORKDIR /app
# The port the service listens on, and the database on the volume (fly.toml mounts it at /data).
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=file:/data/herald.db \
    HERALD_DATA_DIR=/data
# Application files belong to root: the service user can read them but not change them.
COPY . .
COPY --from=deps /app/node_modules ./node_modules
RUN mkdir -p /data && chown bun:bun /data \
  # `litestream` on the PATH for operators (the supervisor calls the binary directly, never the npm wrapper:
  # the wrapper always exits 0 and does not forward SIGTERM). Fails the build if the binary is missing.
  && ln -s /app/node_modules/@flydotio/litestream-linux-x64/litestream /usr/local/bin/litestream \
  && litestream version \
  # `herald <command>` for operators (`fly ssh console -C "herald backup status"`), run as the service user.
  && printf '#!/bin/sh\nexec /app/scripts/docker-entrypoint.sh bun /app/src/cli.ts "$@"\n' > /usr/local/bin/herald \
  && chmod 755 /usr/local/bin/herald
EXPOSE 3000
# Readiness, not just liveness: the database must be writable. Bun is the HTTP client (no curl in the image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bun", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Starts as root only to hand the (root-owned) volume to the `bun` user, then drops root: see the script.
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["bun", "scripts/supervise.ts"]
