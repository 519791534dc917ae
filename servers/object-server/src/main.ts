/**
 * The `strata` process: reads the configuration (cli.ts), opens the chosen storage backend, builds the app
 * and listens. SIGINT/SIGTERM close the server gracefully — in-flight requests finish (fastify's close
 * drains them) — then storage is closed and the process exits 0.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { withReadCache } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { buildApp } from './app.ts';
import { USAGE, UsageError, parseServeArgs } from './cli.ts';
import type { ServeConfig } from './cli.ts';

/**
 * Opens the backend named in the config (adapters are imported only here, never by the app), with a read cache
 * in front unless `readCacheMB` is 0. Every backend here is owned by this process alone (the file adapter's
 * root lock, the block image lock, memory), so every write passes the cache and it stays coherent.
 */
export async function openStorage(config: Pick<ServeConfig, 'backend' | 'data'> & { readCacheMB?: number }): Promise<Storage> {
  const storage = await openBackend(config);
  const mb = config.readCacheMB ?? 0;
  return mb > 0 ? withReadCache(storage, { maxBytes: Math.round(mb * 1024 * 1024) }) : storage;
}

async function openBackend(config: Pick<ServeConfig, 'backend' | 'data'>): Promise<Storage> {
  if (config.backend === 'memory') {
    const { createMemoryStorage } = await import('@strata/storage');
    return createMemoryStorage();
  }
  const data = path.resolve(config.data);
  await mkdir(data, { recursive: true });
  if (config.backend === 'block') {
    const { createBlockStorage } = await import('@strata/block');
    return createBlockStorage({ path: path.join(data, 'strata.img') });
  }
  const { createFileStorage } = await import('@strata/file');
  return createFileStorage({ root: data });
}

/** Starts the server; resolves with a function that stops it. */
export async function serve(config: ServeConfig, log: (line: string) => void = console.log): Promise<() => Promise<void>> {
  const storage = await openStorage(config);
  const app = buildApp({
    storage,
    credentials: [{ accessKeyId: config.accessKey, secretAccessKey: config.secretKey }],
    region: config.region,
    virtualHostDomains: ['localhost', ...config.domains],
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  log(`strata S3 server listening`);
  log(`  endpoint:   http://${host}:${port}`);
  log(`  region:     ${config.region}`);
  log(`  access key: ${config.accessKey}`);
  log(`  secret key: ${config.secretKey}`);
  log(`  backend:    ${config.backend}${config.backend === 'memory' ? '' : ` (${path.resolve(config.data)})`}${config.readCacheMB > 0 ? `, read cache ${config.readCacheMB} MiB` : ''}`);
  return async () => {
    await app.close();
    await storage.close();
  };
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command !== 'serve') {
    console.error(`strata: unknown command ${command}\n\n${USAGE}`);
    return 1;
  }
  let config: ServeConfig;
  try {
    config = parseServeArgs(rest);
  } catch (e) {
    console.error(`strata: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
  const stop = await serve(config);
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
