/**
 * A real object server (`buildApp` over memory storage with S3's 5 MiB minimum part size, or over the file
 * adapter in a temporary data directory) with the console registered, listening on 127.0.0.1 port 0, and a
 * Node S3 client for checking what the browser did.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { openFileStorage } from '@strata/file';
import { buildApp } from '@strata/object-server';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import type { BuiltConsoleAsset } from '@strata/console/assets';
import type { FastifyInstance } from 'fastify';
import { diskUsage, registerConsole } from '../../src/index.ts';
import type { ConsoleOptions } from '../../src/index.ts';

export const ACCESS_KEY = 'console-access-key';
export const SECRET_KEY = 'console-secret-key-0123456789abcdef';
export const REGION = 'us-east-1';

/** A one-page console, for tests about the server rather than the browser app. */
export function placeholderAssets(html = '<!doctype html><title>console</title>'): BuiltConsoleAsset[] {
  const body = Buffer.from(html);
  return [{ path: 'index.html', contentType: 'text/html; charset=utf-8', immutable: false, size: body.length, brotli: brotliCompressSync(body).toString('base64') }];
}

/** A running server with the console. */
export interface ConsoleServer {
  app: FastifyInstance;
  storage: Storage;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** A Node S3 client with the server's keys (path-style). */
  s3: S3Client;
  close(): Promise<void>;
}

/** Options of {@link startConsoleServer}: the console's, and the backend. */
export type ConsoleServerOptions = Omit<ConsoleOptions, 'serverInfo'> &
  Partial<Pick<ConsoleOptions, 'serverInfo'>> & {
    /** `file`: the file adapter on a fresh temporary data directory, removed on close. @default 'memory' */
    backend?: 'memory' | 'file';
  };

/** Starts the server with the console registered (options override the defaults). */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { backend = 'memory', ...consoleOptions } = options;
  const dataDirectory = backend === 'file' ? mkdtempSync(join(tmpdir(), 'strata-console-data-')) : undefined;
  const storage = dataDirectory === undefined ? createMemoryStorage({ minPartSize: 5 * 1024 * 1024 }) : await openFileStorage({ root: dataDirectory });
  const app = buildApp({ storage, credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }], region: REGION });
  const started = Date.now();
  registerConsole(app, {
    serverInfo: async () => ({
      version: '0.0.0-test',
      backend,
      region: REGION,
      minPartSize: storage.capabilities.minPartSize,
      durable: storage.capabilities.durable,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      ...(dataDirectory === undefined ? {} : { dataDirectory: await diskUsage(dataDirectory) }),
    }),
    ...consoleOptions,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const origin = `http://127.0.0.1:${address.port}`;
  const s3 = new S3Client({ region: REGION, endpoint: origin, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
  return {
    app,
    storage,
    origin,
    s3,
    async close() {
      s3.destroy();
      await app.close();
      await storage.close();
      if (dataDirectory !== undefined) rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}
