/**
 * The client of the SDK limit rows (sdk-limits.ts), run as its own process pinned to the generator core: one
 * AWS SDK configuration — the SDK's defaults, so a PutObject streams `aws-chunked` with a CRC32 trailer and a
 * GetObject asks for and validates the CRC32 — against two endpoints, the object server and a bare fastify
 * route (the limit). Puts and gets take turns, one operation per tier per round, in rotating order, so
 * drift on a shared machine hits every tier alike.
 *
 * PUT has two limits with no HTTP at all. `inProcess` is the work a durable put cannot avoid on the server's
 * side, done here on this process's core — the same bytes hashed with the algorithms the server must run on
 * that request (MD5 for the ETag, the CRC32 the SDK sends, and SHA-256 when the SDK signed the payload's hash
 * rather than streaming it: read from the first request's `x-amz-content-sha256`), written in 1 MiB chunks to
 * a temporary file, fsynced, renamed into place and the directory fsynced. `operation` is the whole
 * operation's limit: the same SDK command sent through a client whose request handler answers at once, without
 * a network (so the SDK computes its CRC32 and the payload's SHA-256 and signs, exactly as it does before the
 * first byte goes to a real server), then the `inProcess` put. The SDK's work happens before any server sees a
 * byte, so no server can hide it; the limit a server is judged against has to contain it.
 *
 * Input: the JSON of a {@link LimitsJob} as the first argument. Output: one line of JSON, a {@link LimitsResult}.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { createChecksum } from '@strata/storage';
import { payload } from '../payload.ts';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../servers/credentials.ts';

/** What the parent asks for. */
export interface LimitsJob {
  /** The object server, and the bare route standing for the limit. */
  endpoints: { server: string; limit: string };
  /** Where the in-process PUT limit writes its file (the file system the server's data is on). */
  dir: string;
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
  put: { server: TierSamples; limit: TierSamples; inProcess: TierSamples; operation: TierSamples };
  get: { server: TierSamples; limit: TierSamples };
  /** The SHA-256 the in-process limit ran: whether the SDK sent the payload's hash (not a streaming marker). */
  putHashesPayload: boolean;
}

async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) n += chunk.length;
  return n;
}

type Op = () => Promise<unknown>;

async function alternate<T extends string>(ops: Record<T, Op>, rounds: number, warmup: number, budgetMs: number): Promise<Record<T, TierSamples>> {
  const tiers = Object.keys(ops) as T[];
  const out = Object.fromEntries(tiers.map((t) => [t, { ms: [], cpuMs: [] }])) as unknown as Record<T, TierSamples>;
  for (let w = 0; w < warmup; w++) for (const tier of tiers) await ops[tier]();
  const deadline = performance.now() + budgetMs;
  for (let r = 0; r < rounds && (r < 3 || performance.now() < deadline); r++) {
    // Each round starts with the next tier in turn, so no tier always runs first (or after the same one).
    for (let i = 0; i < tiers.length; i++) {
      const tier = tiers[(r + i) % tiers.length]!;
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

const CHUNK = 2 ** 20;

/** The in-process limit of one durable put of `body` (see the module comment). */
async function durablePut(dir: string, body: Uint8Array, hashPayload: boolean): Promise<void> {
  const md5 = createHash('md5');
  const crc = createChecksum('crc32');
  const sha = hashPayload ? createHash('sha256') : undefined;
  const tmp = join(dir, `limit-${process.pid}.tmp`);
  const file = await open(tmp, 'w');
  try {
    for (let at = 0; at < body.length; at += CHUNK) {
      const chunk = body.subarray(at, at + CHUNK);
      md5.update(chunk);
      crc.update(chunk);
      sha?.update(chunk);
      await file.write(chunk);
    }
    await file.sync();
  } finally {
    await file.close();
  }
  md5.digest();
  crc.digest();
  sha?.digest();
  await rename(tmp, join(dir, 'limit-object'));
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * A request handler that never sends: it answers every request with an empty 200 at once, so `send` through
 * it costs exactly the SDK's own work on the request (checksums, payload hash, signature) and nothing else.
 */
const answerAtOnce = {
  handle: async () => ({ response: { statusCode: 200, reason: 'OK', headers: { etag: '"0"' }, body: Readable.from([]) } }),
};

async function main(job: LimitsJob): Promise<LimitsResult> {
  // The SDK's default checksum settings (WHEN_SUPPORTED both ways): no override, on purpose.
  const client = (endpoint: string) => new S3Client({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, forcePathStyle: true });
  const server = client(job.endpoints.server);
  const limit = client(job.endpoints.limit);
  const dry = new S3Client({
    endpoint: job.endpoints.server,
    region: BENCH_REGION,
    credentials: BENCH_CREDENTIALS,
    forcePathStyle: true,
    requestHandler: answerAtOnce as unknown as S3ClientConfig['requestHandler'],
  });
  const body = payload(job.bytes, 5);
  // What the server must hash besides MD5 and the CRC32: the payload's SHA-256 when the SDK signed it.
  let contentSha256: string | undefined;
  server.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers;
      contentSha256 ??= headers?.['x-amz-content-sha256'];
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'benchContentSha256' },
  );
  try {
    await server.send(new CreateBucketCommand({ Bucket: 'limits' })).catch((e: { name?: string }) => {
      if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
    });
    const put = (c: S3Client, key: string) => () => c.send(new PutObjectCommand({ Bucket: 'limits', Key: key, Body: body }));
    const get = (c: S3Client, key: string) => async () => {
      const got = await drain((await c.send(new GetObjectCommand({ Bucket: 'limits', Key: key }))).Body);
      if (got !== job.bytes) throw new Error(`GET returned ${got} bytes, expected ${job.bytes}`);
    };
    // One put first, untimed, to learn how the SDK sends the payload's hash.
    await put(server, 'put')();
    const hashPayload = contentSha256 !== undefined && /^[0-9a-f]{64}$/.test(contentSha256);
    const puts = await alternate(
      {
        server: put(server, 'put'),
        limit: put(limit, 'put'),
        inProcess: () => durablePut(job.dir, body, hashPayload),
        operation: async () => {
          await put(dry, 'put')();
          await durablePut(job.dir, body, hashPayload);
        },
      },
      job.rounds.put,
      job.warmup,
      job.budgetMs,
    );
    // The object the gets read was written by the puts above, with its CRC32, so the server returns it.
    const gets = await alternate({ server: get(server, 'put'), limit: get(limit, 'put') }, job.rounds.get, job.warmup, job.budgetMs);
    return { put: puts, get: gets, putHashesPayload: hashPayload };
  } finally {
    server.destroy();
    limit.destroy();
    dry.destroy();
  }
}

const job = JSON.parse(process.argv[2] ?? 'null') as LimitsJob | null;
if (!job) throw new Error('usage: sdk-limits-child.ts <job JSON>');
process.stdout.write(`${JSON.stringify(await main(job))}\n`);
