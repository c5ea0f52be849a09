# syntax=docker/dockerfile:1
# Multi-stage build: compile in a full image, run as a non-root user in a slim one.
# Node major matches the one the tests run on (20).

FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
# better-sqlite3 builds from source when no prebuilt binary can be fetched.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATABASE_URL=file:/data/bot.db \
    PORT=3000
WORKDIR /app
RUN groupadd --system checkin && useradd --system --gid checkin --home /app checkin \
    && mkdir -p /data && chown checkin:checkin /data
COPY --from=build --chown=checkin:checkin /app/node_modules ./node_modules
COPY --from=build --chown=checkin:checkin /app/dist ./dist
COPY --from=build --chown=checkin:checkin /app/prisma ./prisma
COPY --from=build --chown=checkin:checkin /app/package.json ./package.json
USER checkin
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
