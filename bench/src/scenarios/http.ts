/**
 * HTTP under load (issue 5): autocannon over presigned URLs against the object server (file backend), a bare
 * fastify route returning the same bytes (the ceiling), and s3rver (the peer). Each target runs in its own
 * process on core 0; autocannon runs on core 1 and reports its own CPU, since on two cores the load generator
 * can saturate before a fast server does.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BenchContext, Scenario } from '../context.ts';
import type { Measurement } from '../measure.ts';
import { runAutocannon } from '../load/run-autocannon.ts';
import { payload } from '../payload.ts';
import type { ScenarioGroup } from '../report-types.ts';
import { spread } from '../stats.ts';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../servers/credentials.ts';
import { spawnServer } from '../servers/spawn.ts';
import type { SpawnedServer } from '../servers/spawn.ts';

const SIZE = 4096;
const CONNECTIONS = 16;

interface Target {
  tier: string;
  start(ctx: BenchContext): Promise<SpawnedServer>;
  /** Returns GET and PUT URLs for one 4 KiB object (presigned where the target checks signatures). */
  urls(server: SpawnedServer): Promise<{ get: string; put: string }>;
}

async function presignedPair(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<{ get: string; put: string }> {
  const client = new S3Client({ endpoint, region: BENCH_REGION, credentials, forcePathStyle: true });
  try {
    await client.send(new CreateBucketCommand({ Bucket: 'bench' })).catch(() => undefined);
    await client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'obj-4k', Body: payload(SIZE, 1) }));
    const get = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'bench', Key: 'obj-4k' }), { expiresIn: 3600 });
    const put = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'bench', Key: 'obj-put-4k' }), { expiresIn: 3600 });
    return { get, put };
  } finally {
    client.destroy();
  }
}

const targets: Target[] = [
  {
    tier: 'object server (file)',
    start: (ctx) => {
      const data = join(ctx.dir, 'http-server');
      mkdirSync(data, { recursive: true });
      return spawnServer('object-server', { BENCH_DATA: data, BENCH_BACKEND: 'file' });
    },
    urls: (s) => presignedPair(`http://127.0.0.1:${s.port}`, BENCH_CREDENTIALS),
  },
  {
    // The same server with its read cache off, so the report shows what the cache buys and what a GET costs
    // when it must read the file (an object not read recently, or a working set larger than the cache).
    tier: 'object server (file, no read cache)',
    start: (ctx) => {
      const data = join(ctx.dir, 'http-server-nocache');
      mkdirSync(data, { recursive: true });
      return spawnServer('object-server', { BENCH_DATA: data, BENCH_BACKEND: 'file', STRATA_READ_CACHE_MB: '0' });
    },
    urls: (s) => presignedPair(`http://127.0.0.1:${s.port}`, BENCH_CREDENTIALS),
  },
  {
    tier: 'bare fastify',
    start: () => spawnServer('bare-fastify', { BENCH_OBJECT_BYTES: String(SIZE) }),
    urls: async (s) => ({ get: `http://127.0.0.1:${s.port}/bench/obj-4k`, put: `http://127.0.0.1:${s.port}/bench/obj-put-4k` }),
  },
  {
    tier: 's3rver',
    start: (ctx) => {
      const data = join(ctx.dir, 's3rver');
      mkdirSync(data, { recursive: true });
      return spawnServer('s3rver', { BENCH_DATA: data });
    },
    urls: (s) => presignedPair(`http://127.0.0.1:${s.port}`, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }),
  },
];

/**
 * A few requests of each kind before any timed round, so no target is measured cold (its first requests
 * compile code paths; on a loaded machine a cold target could finish nothing in a one-second smoke round).
 */
async function warmUp(urls: { get: string; put: string }): Promise<void> {
  const body = payload(SIZE, 2);
  for (let i = 0; i < 20; i++) {
    const got = await fetch(urls.get);
    await got.arrayBuffer();
    const put = await fetch(urls.put, { method: 'PUT', body });
    await put.arrayBuffer();
    if (!got.ok || !put.ok) throw new Error(`warm-up got HTTP ${got.status} / ${put.status}`);
  }
}

function toMeasurement(scenario: string, tier: string, runs: Awaited<ReturnType<typeof runAutocannon>>[], server: SpawnedServer): Measurement {
  const last = runs[runs.length - 1];
  if (!last) throw new Error('no runs');
  const rates = runs.map((r) => r.requestsPerSec);
  const rps = spread(rates);
  const mb = (v: number) => (v * SIZE) / 2 ** 20;
  const lat = (k: 'p50' | 'p90' | 'p99' | 'max' | 'mean') => spread(runs.map((r) => r.latency[k])).median;
  return {
    scenario,
    tier,
    concurrency: CONNECTIONS,
    bytesPerOp: SIZE,
    latency: { count: runs.reduce((n, r) => n + r.total, 0), p50: lat('p50'), p90: lat('p90'), p99: lat('p99'), max: lat('max'), mean: lat('mean') },
    opsPerSec: rps,
    mbPerSec: { median: mb(rps.median), min: mb(rps.min), max: mb(rps.max) },
    cdf: [
      [lat('p50'), 0.5],
      [lat('p90'), 0.9],
      [lat('p99'), 0.99],
      [lat('max'), 1],
    ],
    extra: {
      loadGenCpuPct: Math.round(spread(runs.map((r) => r.cpuPercent)).median),
      non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      serverPeakRssMB: Math.round(server.peakRssMB()),
    },
  };
}

export const httpLoad: Scenario = {
  name: 'http',
  steps: () => targets.length * 2,
  async run(ctx) {
    const repeats = ctx.mode === 'full' ? 3 : ctx.mode === 'quick' ? 2 : 1;
    const groups: Record<'GET' | 'PUT', Measurement[]> = { GET: [], PUT: [] };
    // Every target is up at once and the rounds alternate between them (A, B, C, A, B, C …), so a burst of
    // load from elsewhere on this shared machine hits every target alike instead of skewing one ratio.
    const live: Array<{ target: Target; server: SpawnedServer; urls: { get: string; put: string } }> = [];
    try {
      for (const target of targets) {
        let server: SpawnedServer | undefined;
        try {
          server = await target.start(ctx);
          const urls = await target.urls(server);
          await warmUp(urls);
          live.push({ target, server, urls });
        } catch (e) {
          ctx.skip(`http ${target.tier}`, (e as Error).message);
          await server?.stop();
        }
      }
      for (const method of ['GET', 'PUT'] as const) {
        const runs = live.map(() => [] as Awaited<ReturnType<typeof runAutocannon>>[]);
        for (let r = 0; r < repeats; r++) {
          for (const [i, { urls }] of live.entries()) {
            const url = method === 'GET' ? urls.get : urls.put;
            runs[i]?.push(await runAutocannon({ url, method, bodyBytes: method === 'PUT' ? SIZE : undefined, seconds: ctx.httpSeconds, connections: CONNECTIONS }));
          }
        }
        for (const [i, { target, server }] of live.entries()) {
          groups[method].push(toMeasurement(`http ${method} 4 KiB`, target.tier, runs[i] ?? [], server));
          ctx.progress(`http ${method} ${target.tier}`);
        }
      }
    } finally {
      await Promise.all(live.map(({ server }) => server.stop()));
    }
    return (['GET', 'PUT'] as const).map(
      (method): ScenarioGroup => ({
        id: `http-${method.toLowerCase()}`,
        title: `HTTP ${method} 4 KiB, ${CONNECTIONS} connections (autocannon on its own core, presigned URLs)`,
        baselineTier: 'bare fastify',
        measurements: groups[method],
      }),
    );
  },
};
