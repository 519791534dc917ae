/**
 * Test helpers: an app over memory storage listening on 127.0.0.1 port 0, and SDK clients for it at default
 * settings (CRC32 checksums, aws-chunked trailers), path-style or virtual-hosted.
 */
import http from 'node:http';
import type { LookupFunction } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import type { AppOptions } from '../src/app.ts';

export const ACCESS_KEY = 'test-access-key';
export const SECRET_KEY = 'test-secret-key-0123456789';
export const REGION = 'us-east-1';

/** A running server for one test file. */
export interface TestServer {
  app: FastifyInstance;
  storage: Storage;
  port: number;
  endpoint: string;
  client(config?: Partial<S3ClientConfig> & { virtualHost?: boolean }): S3Client;
  close(): Promise<void>;
}

/** Resolves every `*.localhost` name to 127.0.0.1 (this machine's resolver does not). */
export const localhostLookup: LookupFunction = (hostname, options, callback) => {
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  callback(new Error(`test lookup: unexpected host ${hostname}`) as NodeJS.ErrnoException, '', 4);
};

/** Starts the app over memory storage (small minimum part size so multipart tests stay fast). */
export async function startServer(options: Partial<AppOptions> = {}): Promise<TestServer> {
  const storage = options.storage ?? createMemoryStorage({ minPartSize: 5 * 1024 * 1024 });
  const app = buildApp({ storage, credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }], region: REGION, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const port = address.port;
  const clients: S3Client[] = [];
  return {
    app,
    storage,
    port,
    endpoint: `http://127.0.0.1:${port}`,
    client(config = {}) {
      const { virtualHost, ...rest } = config;
      const c = new S3Client({
        region: REGION,
        endpoint: virtualHost ? `http://localhost:${port}` : `http://127.0.0.1:${port}`,
        forcePathStyle: !virtualHost,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
        requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, lookup: localhostLookup }) }),
        ...rest,
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      await app.close();
    },
  };
}
