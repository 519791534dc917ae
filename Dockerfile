# The Strata object server, as `pnpm start` runs it: the production bundle (scripts/build-server.mjs), one ES
# module that plain node runs, with the `.node` files of native add-ons beside it — no tsx loader at run time, no
# node_modules in the final image.
#   docker build -t strata .
#   docker run -p 9000:9000 -e STRATA_ACCESS_KEY=… -e STRATA_SECRET_KEY=… -v strata-data:/data strata
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile && node scripts/build-server.mjs

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/servers/object-server/dist/strata.mjs /app/dist/strata.mjs
# Native add-ons the bundle requires from beside itself (the file adapter's xattr binding).
COPY --from=build /app/servers/object-server/dist/*.node /app/dist/
# The data volume belongs to the unprivileged user the server runs as.
RUN mkdir -p /data && chown node:node /data
ENV STRATA_DATA=/data STRATA_HOST=0.0.0.0 STRATA_PORT=9000 NODE_ENV=production
VOLUME /data
EXPOSE 9000
USER node
# Liveness over loopback with node's own http client (node images have no curl). The port is STRATA_PORT's:
# set the port through that variable, not --port, for the check to follow it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["node", "-e", "require('node:http').get({ host: '127.0.0.1', port: process.env.STRATA_PORT || 9000, path: '/health/live', timeout: 2000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/strata.mjs"]
CMD ["serve", "--backend", "file"]
