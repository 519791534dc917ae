/**
 * The adapters every pipeline test runs on. Each factory returns a fresh, empty storage and a cleanup.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll } from 'vitest';
import { createBlockStorage } from '@strata/block';
import { buildApp } from '@strata/object-server';
import { createS3Storage } from '@strata/s3';
import { createFileStorage } from '@strata/file';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';

/** A storage under test and how to dispose of it. */
export interface Backend {
  storage: Storage;
  cleanup(): Promise<void>;
}

/** A named backend factory. */
export interface BackendFactory {
  name: string;
  create(): Promise<Backend>;
}

/** A temp dir under os.tmpdir(), removed by the returned cleanup. */
export async function tempDir(label: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `strata-pipelines-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const S3_CREDENTIALS = { accessKeyId: 'PIPELINESTESTKEY', secretAccessKey: 'pipelines-test-secret' };
let server: Promise<{ endpoint: string; close(): Promise<void> }> | undefined;
let buckets = 0;

/** One object server (over the memory adapter) per test file, on 127.0.0.1:0, started on first use. */
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

/**
 * Memory, file (a temp root), block (an image file in a temp dir) and s3 (the S3 adapter through the object
 * server over a real socket). `PIPELINES_BACKENDS=memory,file` narrows
 * the set for a local run.
 */
export const BACKENDS: BackendFactory[] = ([
  {
    name: 'memory',
    async create() {
      const storage = createMemoryStorage();
      return { storage, cleanup: () => storage.close() };
    },
  },
  {
    name: 'file',
    async create() {
      const tmp = await tempDir('file');
      // fsync 'never' still survives a process crash (renames publish whole files); power loss is not tested here.
      const storage = createFileStorage({ root: tmp.dir, fsync: 'never' });
      return { storage, cleanup: async () => { await storage.close(); await tmp.remove(); } };
    },
  },
  {
    name: 'block',
    async create() {
      const tmp = await tempDir('block');
      // A sparse image of 16 MiB (4096 pages of 4 KiB).
      const storage = await createBlockStorage({ path: join(tmp.dir, 'image.strata'), pageCount: 4096 });
      return { storage, cleanup: async () => { await storage.close(); await tmp.remove(); } };
    },
  },
  {
    // The S3 adapter → Strata's object server (fastify, real loopback socket) → memory; a bucket per storage.
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
  },
] satisfies BackendFactory[]).filter((b) => !process.env.PIPELINES_BACKENDS || process.env.PIPELINES_BACKENDS.split(',').includes(b.name));
