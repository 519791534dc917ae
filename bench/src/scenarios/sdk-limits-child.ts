/**
 * The client of the SDK limit rows (sdk-limits.ts), run as its own process pinned to the generator core: one
 * AWS SDK configuration — the SDK's defaults, so a PutObject streams `aws-chunked` with a CRC32 trailer and a
 * GetObject asks for and validates the CRC32 — against two endpoints, the object server and a bare fastify
 * route (the limit). Puts and gets take turns, one operation per tier per round, in alternating order, so
 * drift on a shared machine hits both tiers alike.
 *
 * Input: the JSON of a {@link LimitsJob} as the first argument. Output: one line of JSON, a {@link LimitsResult}.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { performance } from 'node:perf_hooks';
import { payload } from '../payload.ts';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../servers/credentials.ts';

/** What the parent asks for. */
export interface LimitsJob {
  /** The object server, and the bare route standing for the limit. */
  endpoints: { server: string; limit: string };
  bytes: number;
  rounds: { put: number; get: number };
  warmup: number;
  /** No new round of puts (or of gets) starts after this long (at least 3 rounds always run). */
  budgetMs: number;
}

/** One tier's operations: wall time and this process's CPU time (user + system) per operation, in ms. */
export interface TierSamples {
  ms: number[];
  cpuMs: number[];
}

/** What the child prints: samples per operation and tier, in round order. */
export interface LimitsResult {
  put: { server: TierSamples; limit: TierSamples };
  get: { server: TierSamples; limit: TierSamples };
}

async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) n += chunk.length;
  return n;
}

type Op = () => Promise<unknown>;

async function alternate(ops: { server: Op; limit: Op }, rounds: number, warmup: number, budgetMs: number) {
  const out = { server: { ms: [] as number[], cpuMs: [] as number[] }, limit: { ms: [] as number[], cpuMs: [] as number[] } };
  for (let w = 0; w < warmup; w++) {
    await ops.server();
    await ops.limit();
  }
  const deadline = performance.now() + budgetMs;
  for (let r = 0; r < rounds && (r < 3 || performance.now() < deadline); r++) {
    for (const tier of r % 2 === 0 ? (['server', 'limit'] as const) : (['limit', 'server'] as const)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await ops[tier]();
      out[tier].ms.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      out[tier].cpuMs.push((c.user + c.system) / 1000);
    }
  }
  return out;
}

async function main(job: LimitsJob): Promise<LimitsResult> {
  // The SDK's default checksum settings (WHEN_SUPPORTED both ways): no override, on purpose.
  const client = (endpoint: string) => new S3Client({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, forcePathStyle: true });
  const server = client(job.endpoints.server);
  const limit = client(job.endpoints.limit);
  const body = payload(job.bytes, 5);
  try {
    await server.send(new CreateBucketCommand({ Bucket: 'limits' })).catch((e: { name?: string }) => {
      if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
    });
    const put = (c: S3Client, key: string) => () => c.send(new PutObjectCommand({ Bucket: 'limits', Key: key, Body: body }));
    const get = (c: S3Client, key: string) => async () => {
      const got = await drain((await c.send(new GetObjectCommand({ Bucket: 'limits', Key: key }))).Body);
      if (got !== job.bytes) throw new Error(`GET returned ${got} bytes, expected ${job.bytes}`);
    };
    const puts = await alternate({ server: put(server, 'put'), limit: put(limit, 'put') }, job.rounds.put, job.warmup, job.budgetMs);
    // The object the gets read was written by the puts above, with its CRC32, so the server returns it.
    const gets = await alternate({ server: get(server, 'put'), limit: get(limit, 'put') }, job.rounds.get, job.warmup, job.budgetMs);
    return { put: puts, get: gets };
  } finally {
    server.destroy();
    limit.destroy();
  }
}

const job = JSON.parse(process.argv[2] ?? 'null') as LimitsJob | null;
if (!job) throw new Error('usage: sdk-limits-child.ts <job JSON>');
process.stdout.write(`${JSON.stringify(await main(job))}\n`);
