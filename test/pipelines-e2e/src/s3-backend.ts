/**
 * The s3 backend of the pipeline suites: the S3 adapter → Strata's object server (fastify, a real loopback
 * socket on port 0) → memory, a fresh bucket per storage. One server per test file, started on first use and
 * closed after the file's last test.
 */
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll } from 'vitest';
import { buildApp } from '@strata/object-server';
import { createS3Storage } from '@strata/s3';
import { createMemoryStorage } from '@strata/storage';
import type { BackendFactory } from '../../../packages/pipelines/test/helpers/backends.ts';

const S3_CREDENTIALS = { accessKeyId: 'PIPELINESTESTKEY', secretAccessKey: 'pipelines-test-secret' };
let server: Promise<{ endpoint: string; close(): Promise<void> }> | undefined;
let buckets = 0;

/** The object server over the memory adapter, on 127.0.0.1:0, started on first use. */
function objectServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  server ??= (async () => {
    const backing = createMemoryStorage();
    const app = buildApp({ storage: backing, credentials: [S3_CREDENTIALS], region: 'us-east-1' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return { endpoint: `http://127.0.0.1:${port}`, close: async () => { await app.close(); await backing.close(); } };
  })();
  return server;
}
afterAll(async () => {
  if (server !== undefined) await (await server).close();
  server = undefined;
});

/** The S3 adapter through the object server; a bucket per storage. */
export const S3_BACKEND: BackendFactory = {
  name: 's3',
  async create() {
    const { endpoint } = await objectServer();
    const bucket = `pipelines-${process.pid}-${++buckets}`;
    const client = new S3Client({ endpoint, region: 'us-east-1', credentials: S3_CREDENTIALS, forcePathStyle: true });
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      client.destroy();
    }
    const storage = createS3Storage({ endpoint, region: 'us-east-1', bucket, credentials: S3_CREDENTIALS, forcePathStyle: true });
    return { storage, cleanup: () => storage.close() };
  },
};
