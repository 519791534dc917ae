/**
 * `registerConsole(app, options)`: serves the console under a path prefix (`/console` by default) as two
 * fastify routes of their own — `GET|HEAD /console` (a redirect to `/console/`) and `GET|HEAD /console/*` (the
 * page, its files and `api/server`). Nothing runs for other paths: no hook, no check, so the S3 API's GET and
 * PUT paths are exactly as without the console. Other methods under the prefix have no console route and reach
 * the host's own routes (a PUT to a bucket named `console` stays an S3 PUT).
 *
 * `/console/…` is also a valid S3 path (bucket `console`). A request the host calls an S3 request — by default
 * one that is signed (Authorization header) or has a query string (presigned URLs, sub-resources) — goes to
 * `forward`, the host's S3 handler; only plain unsigned GETs and HEADs get the console. The object server's
 * operational routes (`/metrics`) make the same split.
 *
 * Every console response carries the security headers (security-headers.ts). The page is `no-cache` (always
 * revalidated, so a new build shows at once); the script and stylesheet have content-hashed names and are
 * cached for a year.
 */
import type { BuiltConsoleAsset } from '@strata/console/assets';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { chooseCoding, noneMatch, prepareAssets } from './asset-table.ts';
import type { AssetTable } from './asset-table.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import type { ConsoleServerInfo } from './server-info.ts';

/** Options of {@link registerConsole}. */
export interface ConsoleOptions {
  /** The built console (`consoleAssets` of `@strata/console/assets`). */
  assets: readonly BuiltConsoleAsset[];
  /** Where the console is served. @default '/console' */
  prefix?: string;
  /** The server's self-description for the server view and the sign-in form. @default an empty one */
  serverInfo?: () => ConsoleServerInfo | Promise<ConsoleServerInfo>;
  /**
   * Whether a GET or HEAD under the prefix is the console's; any other goes to `forward`.
   * @default unsigned (no Authorization header) and without a query string
   */
  isConsoleRequest?: (request: FastifyRequest) => boolean;
  /** Answers the requests that are not the console's (the host's S3 handler; it may answer on the raw response and return undefined). @default a 404 */
  forward?: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> | FastifyReply | undefined;
  /** Called for each request the console answers itself (the host labels it for its metrics). */
  onConsoleRequest?: (request: FastifyRequest) => void;
}

/** The default split: a plain unsigned GET or HEAD without a query string is the console's. */
export const isPlainRequest = (request: FastifyRequest): boolean => request.headers.authorization === undefined && !(request.raw.url ?? '').includes('?');

/** Checks the prefix: `/name` or `/a/b`, no trailing slash, no characters that need escaping in a URL path. */
function checkedPrefix(prefix: string): string {
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new TypeError(`registerConsole: prefix must look like "/console", got ${JSON.stringify(prefix)}`);
  return prefix;
}

function sendAsset(table: AssetTable, name: string, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const asset = table.get(name);
  if (asset === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
  const coding = chooseCoding(request.headers['accept-encoding']);
  const etag = asset.etags[coding];
  reply
    .header('vary', 'Accept-Encoding')
    .header('etag', etag)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
  const body = asset.body(coding);
  if (coding !== 'identity') reply.header('content-encoding', coding);
  reply.type(asset.contentType).header('content-length', body.length);
  return request.method === 'HEAD' ? reply.send() : reply.send(body);
}

/** Registers the console's routes on `app` (see the module comment). Throws at once on bad options or assets. */
export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const prefix = checkedPrefix(options.prefix ?? '/console');
  const table = prepareAssets(options.assets);
  const isConsole = options.isConsoleRequest ?? isPlainRequest;
  const forward = options.forward ?? ((_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('Not found\n'));
  const serverInfo = options.serverInfo ?? (() => ({}));

  const route = (answer: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | FastifyReply) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      if (!isConsole(request)) return forward(request, reply);
      options.onConsoleRequest?.(request);
      reply.headers(SECURITY_HEADERS);
      return answer(request, reply);
    };

  app.route({
    method: ['GET', 'HEAD'],
    url: prefix,
    handler: route((_request, reply) => reply.code(308).header('location', `${prefix}/`).header('cache-control', 'no-cache').send()),
  });
  app.route({
    method: ['GET', 'HEAD'],
    url: `${prefix}/*`,
    handler: route(async (request, reply) => {
      const name = (request.raw.url ?? '').slice(prefix.length + 1);
      if (name === 'api/server') {
        const info = await serverInfo();
        reply.header('cache-control', 'no-store');
        return request.method === 'HEAD' ? reply.type('application/json; charset=utf-8').send() : reply.send(info);
      }
      return sendAsset(table, name === '' ? 'index.html' : name, request, reply);
    }),
  });
}
