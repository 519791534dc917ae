/**
 * The web console (`@strata/console`) in the object server: `strata serve` serves it at `/console/`, on by
 * default when the server listens on a loopback address only, and `--console off|on|PORT` turns it off, on, or
 * moves it to a port of its own.
 *
 * - **Routes, not hooks.** The console registers `GET|HEAD /console` and `/console/*` as routes of their own;
 *   no other request runs any console code. A signed request, one with a query string or one addressed to a
 *   virtual host under `/console/…` is S3 (a bucket named `console`) and goes to the S3 dispatcher, as the
 *   operational routes (`/metrics`) split them.
 * - **Same origin.** The browser signs S3 requests itself and sends them to the origin that served the page, so
 *   the console's port must answer S3 too. A console port of its own is a second listening socket whose
 *   connections are handed to the same http server (`server.emit('connection')`, Node's documented way to inject
 *   a connection), with every limit of the main one; there, and only there, the console is served.
 * - **Built assets.** The browser files are built into `@strata/console/assets` (`pnpm install` runs the build);
 *   a checkout where they are missing serves a page saying how to build them instead of failing to start.
 */
import net from 'node:net';
import { brotliCompressSync } from 'node:zlib';
import { diskUsage, isPlainRequest, registerConsole } from '@strata/console';
import type { BuiltConsoleAsset, ConsoleServerInfo } from '@strata/console';
import type { Storage } from '@strata/storage';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { virtualHostBucket } from './addressing.ts';
import type { ServeConfig } from './cli.ts';

/** Where `strata serve` serves the console: nowhere, on the S3 port, or on a port of its own. */
export type ConsoleMode = 'off' | 'on' | { port: number };

/** `buildApp`'s console option. */
export interface AppConsoleOptions {
  /** The built console; undefined when it was not built (a page then says how to build it). */
  assets: readonly BuiltConsoleAsset[] | undefined;
  /** The server view's facts. */
  serverInfo: () => ConsoleServerInfo | Promise<ConsoleServerInfo>;
  /** Serve the console only on connections a console listener accepted ({@link listenConsole}). @default false */
  ownListener?: boolean;
}

/** What the route needs from the app. */
export interface ConsoleRouteOptions {
  console: AppConsoleOptions;
  dispatch: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | undefined;
  virtualHostDomains: readonly string[];
}

/** Sockets accepted by a console listener: only their requests get the console when it has its own port. */
const consoleSockets = new WeakSet<object>();

/** The page shown when the console's browser files were not built. */
const NOT_BUILT_PAGE =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Strata console</title><h1>The console is not built</h1>' +
  '<p>Run <code>pnpm install</code> or <code>pnpm --filter @strata/console build</code>, then restart the server.</p></html>';

function notBuiltAssets(): BuiltConsoleAsset[] {
  const body = Buffer.from(NOT_BUILT_PAGE);
  return [{ path: 'index.html', contentType: 'text/html; charset=utf-8', immutable: false, size: body.length, brotli: brotliCompressSync(body).toString('base64') }];
}

/** The console's built browser files, or undefined when they were not built. */
export async function loadConsoleAssets(): Promise<readonly BuiltConsoleAsset[] | undefined> {
  try {
    return (await import('@strata/console/assets')).consoleAssets;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

/** Registers the console's routes (see the module comment). */
export function registerConsoleRoute(app: FastifyInstance, options: ConsoleRouteOptions): void {
  const { ownListener = false } = options.console;
  registerConsole(app, {
    assets: options.console.assets ?? notBuiltAssets(),
    serverInfo: options.console.serverInfo,
    isConsoleRequest: (request) =>
      isPlainRequest(request) && virtualHostBucket(request.headers.host, options.virtualHostDomains) === undefined && (!ownListener || consoleSockets.has(request.raw.socket)),
    forward: options.dispatch,
    onConsoleRequest: (request) => {
      request.s3Op = 'Console';
    },
  });
}

/**
 * The server view's facts for a server over `storage`: the version, the backend's kind, its minimum part size
 * and durability, and for the local backends how full the data directory's filesystem is.
 */
export function consoleServerInfo(options: { storage: Storage; backend: string; region: string; version: string; dataDirectory?: string }): () => Promise<ConsoleServerInfo> {
  const { storage, backend, region, version, dataDirectory } = options;
  return async () => ({
    version,
    backend,
    region,
    minPartSize: storage.capabilities.minPartSize,
    durable: storage.capabilities.durable,
    uptimeSeconds: Math.round(process.uptime()),
    ...(dataDirectory === undefined ? {} : { dataDirectory: await diskUsage(dataDirectory) }),
  });
}

/**
 * `buildApp`'s console option for a `strata serve` configuration, or undefined when the console is off. The
 * local backends (file, block) report their data directory's filesystem.
 */
export async function consoleOptionsFor(
  config: Pick<ServeConfig, 'console' | 'backend' | 'region' | 'data'>,
  storage: Storage,
  version: string,
): Promise<AppConsoleOptions | undefined> {
  const mode = config.console ?? 'off';
  if (mode === 'off') return undefined;
  const local = config.backend === 'file' || config.backend === 'block';
  return {
    assets: await loadConsoleAssets(),
    serverInfo: consoleServerInfo({ storage, backend: config.backend, region: config.region, version, ...(local ? { dataDirectory: config.data } : {}) }),
    ownListener: typeof mode === 'object',
  };
}

/** Parses `--console` (or `STRATA_CONSOLE`): `off`, `on` or a port; unset is on for a loopback host, else off. */
export function parseConsoleMode(value: string | undefined, loopbackHost: boolean): { mode: ConsoleMode } | { error: string } {
  if (value === undefined) return { mode: loopbackHost ? 'on' : 'off' };
  const v = value.trim().toLowerCase();
  if (v === 'off' || v === 'on') return { mode: v };
  const port = Number(v);
  if (/^\d+$/.test(v) && Number.isInteger(port) && port >= 1 && port <= 65535) return { mode: { port } };
  return { error: '--console must be off, on or a port from 1 to 65535' };
}

/** A console listener: its port and how to close it. */
export interface ConsoleListener {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` for the console and hands each connection to the app's http server, which serves it
 * (S3 and console) under the same limits; the same connection cap applies to this socket.
 */
export async function listenConsole(app: FastifyInstance, host: string, port: number): Promise<ConsoleListener> {
  const listener = net.createServer((socket) => {
    consoleSockets.add(socket);
    app.server.emit('connection', socket);
  });
  listener.maxConnections = app.server.maxConnections;
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ host, port }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const address = listener.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
  };
}
