# syntax=docker/dockerfile:1
# blindjoin's service image: `blindjoin serve` by default, any blindjoin command given as arguments.
# Build: docker build -t blindjoin .   (docs/deploy.md)

# Build stage: every dependency, the compiled CLI and the advertiser's page (dist/).
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies and dist/ only, run as an unprivileged user.
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    BLINDJOIN_HOST=0.0.0.0 \
    BLINDJOIN_PORT=8080 \
    BLINDJOIN_LOG_FORMAT=json \
    BLINDJOIN_STATE_DIR=/var/lib/blindjoin/state
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
RUN groupadd --system blindjoin \
 && useradd --system --gid blindjoin --home-dir /var/lib/blindjoin --shell /usr/sbin/nologin blindjoin \
 && mkdir -p /var/lib/blindjoin/state /var/lib/blindjoin/store /var/lib/blindjoin/results /etc/blindjoin \
 && chown -R blindjoin:blindjoin /var/lib/blindjoin \
 && chmod 0700 /var/lib/blindjoin/state
USER blindjoin
EXPOSE 8080 9464
# Liveness: GET /healthz answers 200 while the service runs (503 while it shuts down). Node's fetch: no curl in -slim.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.BLINDJOIN_PORT||8080}/healthz`).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["serve"]
