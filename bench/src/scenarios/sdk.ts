/**
 * Through the AWS SDK against the object server in its own process (issue 6 and 5): the S3 adapter against
 * raw `@aws-sdk/client-s3` for 4 KiB and 64 MiB get/put in the same run (goal: ≤ 5 % overhead), and one large
 * streamed upload and download with the server's peak RSS (goal: < 150 MB during a 2 GiB upload).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createS3Storage } from '@strata/s3';
import type { Scenario } from '../context.ts';
import { measure } from '../measure.ts';
import type { Measurement } from '../measure.ts';
import { payload, sizeLabel } from '../payload.ts';
import type { ScenarioGroup } from '../report-types.ts';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../servers/credentials.ts';
import { spawnServer } from '../servers/spawn.ts';

const MiB = 2 ** 20;

/** A stream of `total` bytes made of one repeated 1 MiB block: no memory grows with the size. */
function generated(total: number): Readable {
  const block = payload(MiB, 9);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(MiB, total - sent);
      sent += n;
      this.push(n === MiB ? block : block.subarray(0, n));
    },
  });
}

async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) n += chunk.length;
  return n;
}

export const sdkScenario: Scenario = {
  name: 'sdk',
  steps: () => 5,
  async run(ctx) {
    const data = join(ctx.dir, 'sdk-server');
    mkdirSync(data, { recursive: true });
    const server = await spawnServer('object-server', { BENCH_DATA: data, BENCH_BACKEND: 'file' });
    const endpoint = `http://127.0.0.1:${server.port}`;
    const client = new S3Client({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, forcePathStyle: true });
    const storage = createS3Storage({ endpoint, region: BENCH_REGION, bucket: 'bench', credentials: BENCH_CREDENTIALS, forcePathStyle: true });
    const groups: ScenarioGroup[] = [];
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
      for (const size of [4096, ctx.mode === 'smoke' ? 4 * MiB : 64 * MiB]) {
        const body = payload(size, 5);
        const label = sizeLabel(size);
        const plan = { ...ctx.plan(size, 1), concurrency: 1 };
        const ms: Measurement[] = [];
        // Alternate raw and adapter per repeat set so drift on a shared machine hits both alike.
        ms.push(await measure(`sdk put ${label}`, 'raw client-s3', size, plan, (i) => client.send(new PutObjectCommand({ Bucket: 'bench', Key: `raw/${i % 8}`, Body: body }))));
        ms.push(await measure(`sdk put ${label}`, 's3 adapter', size, plan, (i) => storage.put(`ad/${i % 8}`, body)));
        ms.push(await measure(`sdk get ${label}`, 'raw client-s3', size, plan, async (i) => drain((await client.send(new GetObjectCommand({ Bucket: 'bench', Key: `raw/${i % 8}` }))).Body)));
        ms.push(await measure(`sdk get ${label}`, 's3 adapter', size, plan, async (i) => drain((await storage.get(`ad/${i % 8}`)).body)));
        // One group per operation: a group has one baseline, and a get compared with a put means nothing.
        for (const opName of ['put', 'get'] as const) {
          groups.push({
            id: `sdk-${opName}-${label.replace(' ', '')}`,
            title: `AWS SDK ${opName} ${label}: S3 adapter vs raw client-s3 (object server, file backend)`,
            baselineTier: 'raw client-s3',
            measurements: ms.filter((m) => m.scenario === `sdk ${opName} ${label}`),
          });
        }
        ctx.progress(`sdk ${label}`);
      }
      // One large streamed upload and download; the server's peak RSS is the figure that matters.
      const large = ctx.largeBytes;
      const t0 = performance.now();
      await new Upload({ client, params: { Bucket: 'bench', Key: 'large', Body: generated(large) }, partSize: 16 * MiB, queueSize: 4 }).done();
      const upMs = performance.now() - t0;
      const rssAfterPut = server.peakRssMB();
      ctx.progress('sdk large put');
      const t1 = performance.now();
      const got = await drain((await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'large' }))).Body);
      const downMs = performance.now() - t1;
      if (got !== large) throw new Error(`large GET returned ${got} bytes, expected ${large}`);
      ctx.progress('sdk large get');
      const one = (scenario: string, msTaken: number, rss: number): Measurement => ({
        scenario,
        tier: 'object server (file)',
        concurrency: 1,
        bytesPerOp: large,
        latency: { count: 1, p50: msTaken, p90: msTaken, p99: msTaken, max: msTaken, mean: msTaken },
        opsPerSec: { median: 1000 / msTaken, min: 1000 / msTaken, max: 1000 / msTaken },
        mbPerSec: { median: large / MiB / (msTaken / 1000), min: large / MiB / (msTaken / 1000), max: large / MiB / (msTaken / 1000) },
        cdf: [[msTaken, 1]],
        extra: { serverPeakRssMB: Math.round(rss) },
      });
      groups.push({
        id: 'sdk-large',
        title: `One ${sizeLabel(large)} streamed upload (lib-storage, 16 MiB parts × 4) and download, with the server's peak RSS`,
        measurements: [one(`sdk put large ${sizeLabel(large)}`, upMs, rssAfterPut), one(`sdk get large ${sizeLabel(large)}`, downMs, server.peakRssMB())],
      });
      ctx.progress('sdk done');
    } finally {
      client.destroy();
      await storage.close();
      await server.stop();
    }
    return groups;
  },
};
