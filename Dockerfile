# ringwise API and worker image. One image, two roles: `ringwise api` and `ringwise worker`
# (and `ringwise migrate` as a one-shot job). Asterisk runs in its own container
# (deploy/asterisk/Dockerfile); PostgreSQL and Redis are ordinary services.
# BASE_IMAGE: any Debian-based image with Node 20.19+ and npm. Where no registry can be pulled
# from, deploy/build-images.sh builds one locally (Debian trixie's nodejs, mmdebstrap).
# The npm registry may sit behind a TLS-inspecting proxy: the host's CA bundle comes in as the
# build secret `npm_ca` (BuildKit), never as a layer.
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npm_ca,required=false \
    NODE_EXTRA_CA_CERTS=$( [ -s /run/secrets/npm_ca ] && echo /run/secrets/npm_ca ) npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The operations console (served by the API at /console) is built into dist/console by esbuild.
COPY console ./console
COPY scripts/build-console.mjs ./scripts/build-console.mjs
RUN npm run build

FROM ${BASE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npm_ca,required=false \
    NODE_EXTRA_CA_CERTS=$( [ -s /run/secrets/npm_ca ] && echo /run/secrets/npm_ca ) npm ci --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE} AS runtime
# espeak-ng and sox render prompts (TTS and uploaded recordings) before calls are placed.
# A local base has no `node` user: made here, as in the official image (uid 1000).
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng sox tini \
 && rm -rf /var/lib/apt/lists/* \
 && (id node >/dev/null 2>&1 || useradd --uid 1000 --create-home --shell /bin/sh node) \
 && mkdir -p /var/lib/ringwise/prompts \
 && chown -R node:node /var/lib/ringwise
WORKDIR /app
ENV NODE_ENV=production
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
USER node
EXPOSE 3000 3001
# The API answers /healthz on RINGWISE_API_PORT; a worker on RINGWISE_WORKER_HTTP_PORT (compose
# sets HEALTHCHECK_PORT for worker containers).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HEALTHCHECK_PORT||process.env.RINGWISE_API_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/main.js"]
CMD ["api"]
