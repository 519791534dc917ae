/**
 * The `strata` process: reads the configuration (cli.ts), opens the chosen storage backend, builds the app
 * and listens. SIGINT/SIGTERM close the server gracefully — in-flight requests finish (fastify's close
 * drains them) — then storage is closed and the process exits 0.
 *
 * Storage is opened — locked and recovered — before the socket is bound, so the listening banner means the
 * server can serve. A server that cannot open its storage (another live process holds its lock, the data
 * directory is not writable) prints why, naming the holder, and exits 1 without listening: serving 503 for
 * ever would look healthy to a supervisor (`/health/live` answers) while every S3 request fails, and would
 * never retry; exiting lets the supervisor (Docker's restart policy, systemd, Kubernetes) restart it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { withReadCache } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { buildApp } from './app.ts';
import { DEFAULT_LIFECYCLE_INTERVAL_MS, USAGE, UsageError, bannerSecret, packageVersion, parseServeArgs } from './cli.ts';
import type { ServeConfig } from './cli.ts';
import { consoleOptionsFor, listenConsole } from './console-route.ts';
import type { ConsoleListener } from './console-route.ts';
import { BootstrapError } from './iam/bootstrap.ts';
import { describeUpstream } from './upstream-options.ts';
import { loadMasterKey } from './encryption/key-wrap.ts';

/**
 * Opens the backend named in the config (adapters are imported only here, never by the app), with a read cache
 * in front unless `readCacheMB` is 0. The block image and memory are owned by this process alone, so every
 * write passes the cache and it stays coherent. The file backend's directory is locked against a second
 * server, but people and other programs may still copy, edit and remove its files (`serve --data` over an
 * existing tree): its cache checks every hit against the file (createChangeStamp, one lstat) and reads again
 * when the file changed — unless `dataExclusive` says nothing else writes there (`--data-exclusive`), which
 * saves that lstat on every hit and gives up noticing such changes to cached objects. An s3 upstream may be
 * shared with other writers, which the cache would not see: `serve` leaves it off there unless asked
 * (backend-s3.ts).
 */
export async function openStorage(config: Pick<ServeConfig, 'backend' | 'data' | 'upstream'> & { readCacheMB?: number; dataExclusive?: boolean }): Promise<Storage> {
  const storage = await openBackend(config);
  const mb = config.readCacheMB ?? 0;
  if (mb <= 0) return storage;
  const maxBytes = Math.round(mb * 1024 * 1024);
  if (config.backend !== 'file') return withReadCache(storage, { maxBytes });
  const { withFileReadCache } = await import('@strata/file');
  return withFileReadCache(storage, { maxBytes, root: path.resolve(config.data), exclusive: config.dataExclusive === true });
}

async function openBackend(config: Pick<ServeConfig, 'backend' | 'data' | 'upstream'>): Promise<Storage> {
  if (config.backend === 'memory') {
    const { createMemoryStorage } = await import('@strata/storage');
    return createMemoryStorage();
  }
  if (config.backend === 's3') {
    if (config.upstream === undefined) throw new Error('the s3 backend needs an upstream (--upstream URL)');
    const { openS3Backend } = await import('./backend-s3.ts');
    return (await openS3Backend(config.upstream)).storage;
  }
  const data = path.resolve(config.data);
  await mkdir(data, { recursive: true });
  if (config.backend === 'block') {
    const { createBlockStorage } = await import('@strata/block');
    return createBlockStorage({ path: path.join(data, 'strata.img') });
  }
  // openFileStorage, unlike createFileStorage, resolves only once the root is locked and recovered.
  const { openFileStorage } = await import('@strata/file');
  return openFileStorage({ root: data });
}

/** The server could not start: its storage did not open or its address did not bind. The message says which and why. */
export class StartupError extends Error {
  override name = 'StartupError';
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Starts the server; resolves with a function that stops it. Rejects with a {@link StartupError}, having
 * listened on nothing and released the storage, when the storage does not open or the address does not bind.
 */
export async function serve(config: ServeConfig, log: (line: string) => void = console.log): Promise<() => Promise<void>> {
  let sseMasterKey: Buffer | undefined;
  try {
    sseMasterKey = loadMasterKey(config.sseMasterKeyFile);
  } catch (e) {
    throw new StartupError(`cannot read the SSE master key: ${messageOf(e)}`, { cause: e });
  }
  let storage: Storage;
  try {
    storage = await openStorage(config);
  } catch (e) {
    const where = config.backend === 'memory' || config.backend === 's3' ? '' : ` in ${path.resolve(config.data)}`;
    throw new StartupError(`cannot open the ${config.backend} storage${where}: ${messageOf(e)}`, { cause: e });
  }
  const app = buildApp({
    storage,
    credentials: [{ accessKeyId: config.accessKey, secretAccessKey: config.secretKey }],
    ...(config.bootstrap ? { bootstrap: config.bootstrap } : {}),
    region: config.region,
    virtualHostDomains: ['localhost', ...config.domains],
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    httpLimits: config.httpLimits,
    console: await consoleOptionsFor(config, storage, packageVersion()),
    ...(sseMasterKey ? { sseMasterKey } : {}),
    lifecycle: { intervalMs: config.lifecycleIntervalMs ?? DEFAULT_LIFECYCLE_INTERVAL_MS },
  });
  let consoleListener: ConsoleListener | undefined;
  try {
    await app.listen({ host: config.host, port: config.port });
    if (typeof config.console === 'object') consoleListener = await listenConsole(app, config.host, config.console.port);
  } catch (e) {
    // Release the storage lock now: the process is about to exit, and the next server must not wait for it.
    await app.close().catch(() => undefined);
    await storage.close().catch(() => undefined);
    // A bootstrap the running server refused (iam/bootstrap.ts) is the config's fault, not the address's.
    if (e instanceof BootstrapError) throw e;
    const port = app.server.listening && typeof config.console === 'object' ? `${config.console.port} (the console's port)` : config.port;
    throw new StartupError(`cannot listen on ${config.host}:${port}: ${messageOf(e)}`, { cause: e });
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  log(`strata S3 server listening`);
  log(`  endpoint:   http://${host}:${port}`);
  log(`  region:     ${config.region}`);
  log(`  access key: ${config.accessKey}`);
  log(`  secret key: ${bannerSecret(config.secretKey)}`);
  const location = config.upstream ? describeUpstream(config.upstream) : path.resolve(config.data);
  log(`  backend:    ${config.backend}${config.backend === 'memory' ? '' : ` (${location})`}${config.readCacheMB > 0 ? `, read cache ${config.readCacheMB} MiB` : ''}`);
  if (config.console !== undefined && config.console !== 'off') log(`  console:    http://${host}:${consoleListener?.port ?? port}/console/`);
  return async () => {
    // The console listener's connections belong to the app's http server: closing the app ends them.
    const consoleClosed = consoleListener?.close();
    await app.close();
    await consoleClosed;
    await storage.close();
  };
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '-v' || command === '--version') {
    console.log(packageVersion());
    return 0;
  }
  if (command === '-h' || command === '--help' || rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  // A missing or unknown command is a usage error: exit status 2, as for a bad option.
  if (command !== 'serve') {
    console.error(`strata: ${command === undefined ? 'no command given' : `unknown command ${command}`}\n\n${USAGE}`);
    return 2;
  }
  let config: ServeConfig;
  try {
    config = parseServeArgs(rest);
  } catch (e) {
    console.error(`strata: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
  let stop: () => Promise<void>;
  try {
    stop = await serve(config);
  } catch (e) {
    // An invalid --config is a usage error (exit status 2), like one found while parsing the arguments.
    if (e instanceof BootstrapError) {
      console.error(`strata: invalid config: ${e.message}`);
      return 2;
    }
    if (!(e instanceof StartupError)) throw e;
    console.error(`strata: ${e.message}`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      console.log(`strata: ${signal} received, draining requests`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await stop();
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error('strata: failed to start:', e);
      process.exit(1);
    },
  );
}
