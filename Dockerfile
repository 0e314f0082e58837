# syntax=docker/dockerfile:1
# Quorum's image: multi-stage, Node 24, runs as a non-root user (10001) with a read-only root filesystem
# (writable: /data — the SQLite database, key file and collector buffer — /tmp and /app/.next/cache,
# mounted by the Helm chart). One image for every process: `web`, `collector`, `quorum …` (the CLI),
# `migrate` (scripts/container.ts).
#
#   docker build -t quorum:0.1.0 .                       (any registry with node:24)
#   bash deploy/image/build-local.sh                     (no registry: a base assembled from Debian + Node 24)
#
# NODE_IMAGE must provide node 24 and npm; the build stage also needs a C/C++ toolchain for
# better-sqlite3 (built from source against the image's own Node headers: nothing is downloaded but
# npm packages).
ARG NODE_IMAGE=docker.io/library/node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Dependencies first (a layer that changes only with the lockfile); the postinstall (Prisma client
# generation) needs the sources, so it runs below. Behind a TLS-inspecting proxy, hand its CA bundle
# in as a build secret (--secret id=ca,src=/path/to/ca.pem); it is never stored in a layer.
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts \
 && npm_config_build_from_source=true npm_config_nodedir=/usr/local npm rebuild better-sqlite3
COPY . .
RUN npm run db:generate && npx next build && npm prune --omit=dev --ignore-scripts \
 && rm -rf .next/cache test e2e lab/.bin lab/.state test-results

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="Quorum" \
      org.opencontainers.image.description="Control-plane HA and SLO dashboard for fleets of Kubernetes clusters" \
      org.opencontainers.image.licenses="Apache-2.0"
# A named user (the CLI records `cli:<user>` in the audit log), no login shell, no home but /tmp.
RUN groupadd --gid 10001 quorum && useradd --uid 10001 --gid 10001 --home-dir /tmp --shell /usr/sbin/nologin --no-create-home quorum \
 && mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data
WORKDIR /app
# Root-owned and read-only for the app user: nothing under /app is writable at run time.
COPY --from=build /app /app
COPY deploy/image/quorum /usr/local/bin/quorum
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 QUORUM_DATA_DIR=/data HOME=/tmp PORT=3000
USER 10001:10001
EXPOSE 3000 9464
VOLUME ["/data"]
ENTRYPOINT ["node", "--import", "tsx", "/app/scripts/container.ts"]
CMD ["web", "--hostname", "0.0.0.0"]
