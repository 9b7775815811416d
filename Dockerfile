# syntax=docker/dockerfile:1
# ringwise API and worker image. One image, two roles: `ringwise api` and `ringwise worker`
# (and `ringwise migrate` as a one-shot job). Asterisk runs in its own container
# (deploy/asterisk/Dockerfile); PostgreSQL and Redis are ordinary services.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The operations console (served by the API at /console) is built into dist/console by esbuild.
COPY console ./console
COPY scripts/build-console.mjs ./scripts/build-console.mjs
RUN npm run build

FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# espeak-ng and sox render prompts (TTS and uploaded recordings) before calls are placed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng sox tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/ringwise/prompts \
 && chown -R node:node /var/lib/ringwise
WORKDIR /app
ENV NODE_ENV=production
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
USER node
EXPOSE 3000
# The API answers /healthz; the worker role overrides this check in compose.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.RINGWISE_API_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/main.js"]
CMD ["api"]
