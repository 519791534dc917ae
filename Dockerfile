# The Strata object server, as `pnpm start` runs it: the production bundle (scripts/build-server.mjs), one ES
# module that plain node runs — no tsx loader at run time, no node_modules in the final image.
#   docker build -t strata .
#   docker run -p 9000:9000 -e STRATA_ACCESS_KEY=… -e STRATA_SECRET_KEY=… -v strata-data:/data strata
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile && node scripts/build-server.mjs

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/servers/object-server/dist/strata.mjs /app/strata.mjs
# The data volume belongs to the unprivileged user the server runs as.
RUN mkdir -p /data && chown node:node /data
ENV STRATA_DATA=/data STRATA_HOST=0.0.0.0 STRATA_PORT=9000 NODE_ENV=production
VOLUME /data
EXPOSE 9000
USER node
ENTRYPOINT ["node", "/app/strata.mjs"]
CMD ["serve", "--backend", "file"]
