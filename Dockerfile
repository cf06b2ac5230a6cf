# syntax=docker/dockerfile:1
# Install scripts never run (--ignore-scripts): nothing here needs one, and none may phone home.
# nextpress: multi-stage build; the final image holds compiled JavaScript and production
# dependencies only, and runs as the unprivileged `node` user.

# --- build: compile src/, routes/ and instrumentation.ts with the dev dependencies -------------
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY routes ./routes
COPY app ./app
COPY instrumentation.ts ./
RUN node scripts/build.js

# --- deps: production dependencies only --------------------------------------------------------
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------
FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
# Owned by root and read-only to the app user: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The sample's embedded database, SQLite's nextpress.db (unless DATABASE_URL is set): the one folder
# the app user may write, a volume so that its users outlive the container (docker run -v nextpress-data:/app/data).
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "dist/src/healthcheck.js"]
# Exec form: node itself is PID 1 and gets `docker stop`'s SIGTERM; server.ts handles it (PID 1 has no default handler).
CMD ["node", "dist/src/main.js"]
