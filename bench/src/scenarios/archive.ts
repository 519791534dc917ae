/**
 * Queue-archive throughput: messages/s drained from an in-memory queue into gzip'd JSONL segments
 * (create-only segment + commit record + if-match state per batch of 1,000), on the file adapter and through
 * the S3 adapter to the object server in its own process.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFileStorage } from '@strata/file';
import { createArchiver, createMemoryQueue } from '@strata/pipelines';
import { createS3Storage } from '@strata/s3';
import type { Storage } from '@strata/storage';
import type { BenchContext, Scenario } from '../context.ts';
import type { Measurement } from '../measure.ts';
import type { ScenarioGroup } from '../report-types.ts';
import { spread } from '../stats.ts';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../servers/credentials.ts';
import { spawnServer } from '../servers/spawn.ts';

const BATCH = 1000;

/** Archives `messages` messages of about 200 bytes once; returns messages/s and the batch latencies. */
async function archiveOnce(storage: Storage, stream: string, messages: number): Promise<{ rate: number; ms: number }> {
  const queue = createMemoryQueue({ name: stream });
  for (let i = 0; i < messages; i++) {
    await queue.add('event', { i, user: `u${i % 977}`, action: 'click', path: `/products/${i % 113}`, padding: 'x'.repeat(120) });
  }
  const t0 = performance.now();
  const result = await createArchiver(storage, { stream, source: queue, batchSize: BATCH }).run();
  const ms = performance.now() - t0;
  if (result.archived !== messages) throw new Error(`archived ${result.archived} of ${messages}`);
  return { rate: messages / (ms / 1000), ms };
}

async function measureTier(ctx: BenchContext, tier: string, storage: Storage): Promise<Measurement> {
  const messages = ctx.mode === 'smoke' ? 2_000 : ctx.mode === 'full' ? 50_000 : 10_000;
  const repeats = ctx.mode === 'smoke' ? 1 : 3;
  const runs = [];
  for (let r = 0; r < repeats; r++) runs.push(await archiveOnce(storage, `bench-stream-${r}`, messages));
  const perBatch = runs.map((x) => x.ms / (messages / BATCH));
  const rate = spread(runs.map((x) => x.rate));
  const mb = (v: number) => (v * 200) / 2 ** 20;
  return {
    scenario: `archive ${messages} messages`,
    tier,
    concurrency: 1,
    bytesPerOp: 200,
    latency: { count: runs.length, p50: spread(perBatch).median, p90: spread(perBatch).max, p99: spread(perBatch).max, max: spread(perBatch).max, mean: spread(perBatch).median },
    opsPerSec: rate,
    mbPerSec: { median: mb(rate.median), min: mb(rate.min), max: mb(rate.max) },
    cdf: perBatch.sort((a, b) => a - b).map((v, i) => [v, (i + 1) / perBatch.length] as [number, number]),
    extra: { unit: 'ops = messages; latency = per 1,000-message batch' },
  };
}

export const archiveScenario: Scenario = {
  name: 'archive',
  steps: () => 2,
  async run(ctx) {
    const ms: Measurement[] = [];
    const file = await createFileStorage({ root: join(ctx.dir, 'archive-file') });
    try {
      ms.push(await measureTier(ctx, 'file adapter', file));
    } finally {
      await file.close();
    }
    ctx.progress('archive file');
    const data = join(ctx.dir, 'archive-server');
    mkdirSync(data, { recursive: true });
    const server = await spawnServer('object-server', { BENCH_DATA: data, BENCH_BACKEND: 'file' });
    const endpoint = `http://127.0.0.1:${server.port}`;
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: 'archive' })).finally(() => client.destroy());
    const s3 = createS3Storage({ endpoint, region: BENCH_REGION, bucket: 'archive', credentials: BENCH_CREDENTIALS, forcePathStyle: true });
    try {
      ms.push(await measureTier(ctx, 's3 adapter → object server (file)', s3));
    } finally {
      await s3.close();
      await server.stop();
    }
    ctx.progress('archive s3');
    const group: ScenarioGroup = { id: 'archive', title: 'Queue archive throughput (messages/s, batches of 1,000)', baselineTier: 'file adapter', measurements: ms };
    return [group];
  },
};
