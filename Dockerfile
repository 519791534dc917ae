# The Strata object server. Packages ship TypeScript source and run through tsx, so there is no build step.
#   docker build -t strata .
#   docker run -p 9000:9000 -e STRATA_ACCESS_KEY=… -e STRATA_SECRET_KEY=… -v strata-data:/data strata
FROM node:20-bookworm-slim
WORKDIR /app
RUN corepack enable && corepack prepare pnpm@10.34.9 --activate
COPY . .
RUN pnpm install --frozen-lockfile --prod --filter @strata/object-server...
ENV STRATA_DATA=/data STRATA_HOST=0.0.0.0 STRATA_PORT=9000
VOLUME /data
EXPOSE 9000
ENTRYPOINT ["node", "servers/object-server/bin/strata.js"]
CMD ["serve", "--backend", "file"]
