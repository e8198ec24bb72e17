# syntax=docker/dockerfile:1
# Helpdesk: one image for the API (default command: node dist/server.js) and the Temporal
# worker (docker-compose.yml runs it with `node dist/worker.js`).
#
#   docker build -t helpdesk .
#   docker run --rm -p 3000:3000 -e HOST=0.0.0.0 -e DATABASE_URL=... -e TEMPORAL_ADDRESS=... helpdesk

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, TypeScript -> dist/ -------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# No install-time analytics (@scarf/scarf via swagger-ui-dist).
ENV SCARF_ANALYTICS=false
# patches/: fixes to dependencies, applied by the postinstall script (patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig*.json ./
COPY src ./src
RUN npm run build

# ---- production dependencies only ------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
COPY patches ./patches
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# ---- runtime ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# A font for the weekly report mail's chart images (resvg draws no text without one).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --from=build --chown=root:root /app/dist ./dist
# SQL migrations, applied at start-up.
COPY --chown=root:root drizzle ./drizzle
# The code is owned by root and read-only for the process; it runs as the image's
# unprivileged `node` user (uid 1000).
USER node
EXPOSE 3000
CMD ["node", "dist/server.js"]
