/**
 * The storage tiers, in report order: the raw baseline, the adapters in-process, the object server in its
 * own process reached through the S3 adapter over loopback, and the same S3 path to a Ceph RADOS Gateway started
 * for the run when the Ceph tools are installed (ceph-rgw.ts). An external endpoint joins when
 * BENCH_S3_ENDPOINT (+ BENCH_S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) is set.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createBlockStorage } from '@strata/block';
import { createFileStorage } from '@strata/file';
import { createS3Storage } from '@strata/s3';
import { createMemoryStorage } from '@strata/storage';
import type { BenchContext } from '../context.ts';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../servers/credentials.ts';
import { spawnServer } from '../servers/spawn.ts';
import { CEPH_RGW_TIER, createCephRgwTier } from './ceph-rgw.ts';
import { createRawFsTier } from './raw-fs.ts';
import { storageTier } from './storage-tier.ts';
import type { BenchTier } from './tier.ts';

/** A named way to build a tier for a run. */
export interface TierFactory {
  name: string;
  create(ctx: BenchContext): Promise<BenchTier>;
}

/** Creates the bucket the object-server tiers use (an S3 CreateBucket through the SDK). */
async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: bucket })).finally(() => client.destroy());
}

export const tierFactories: TierFactory[] = [
  { name: 'raw node:fs', create: async (ctx) => createRawFsTier(join(ctx.dir, 'raw')) },
  { name: 'memory adapter', create: async () => storageTier('memory adapter', createMemoryStorage()) },
  {
    name: 'file adapter',
    create: async (ctx) => storageTier('file adapter', await createFileStorage({ root: join(ctx.dir, 'file') })),
  },
  {
    name: 'block adapter',
    create: async (ctx) => {
      mkdirSync(join(ctx.dir, 'block'), { recursive: true });
      const pageCount = ctx.mode === 'full' ? 1 << 20 : 1 << 18;
      return storageTier('block adapter', await createBlockStorage({ path: join(ctx.dir, 'block', 'bench.img'), create: true, pageCount }));
    },
  },
  {
    name: 's3 adapter → object server (file)',
    create: async (ctx) => {
      const data = join(ctx.dir, 'server');
      mkdirSync(data, { recursive: true });
      const server = await spawnServer('object-server', { BENCH_DATA: data, BENCH_BACKEND: 'file' });
      const endpoint = `http://127.0.0.1:${server.port}`;
      await createBucket(endpoint, 'bench');
      const storage = createS3Storage({ endpoint, region: BENCH_REGION, bucket: 'bench', credentials: BENCH_CREDENTIALS, forcePathStyle: true });
      return storageTier('s3 adapter → object server (file)', storage, () => server.stop());
    },
  },
  { name: CEPH_RGW_TIER, create: () => createCephRgwTier() },
  {
    name: 'external S3 endpoint',
    create: async () => {
      const endpoint = process.env.BENCH_S3_ENDPOINT;
      const bucket = process.env.BENCH_S3_BUCKET;
      if (!endpoint || !bucket) throw new Error('set BENCH_S3_ENDPOINT and BENCH_S3_BUCKET (e.g. MinIO from docker-compose.yml) to include it');
      const storage = createS3Storage({ endpoint, region: process.env.BENCH_S3_REGION ?? BENCH_REGION, bucket, prefix: 'strata-bench/', forcePathStyle: true });
      return storageTier(`external S3 (${new URL(endpoint).host})`, storage);
    },
  },
];
