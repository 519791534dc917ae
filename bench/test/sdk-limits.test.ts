/**
 * The SDK limit rows: the bare fastify target answers a checksum-mode GET with the body's CRC32 (so the AWS SDK
 * validates the same checksum there as on the object server) and takes an aws-chunked PUT with a CRC32
 * trailer from the real SDK over a real socket; the two limit goals compare time per operation and judge
 * nothing on a client-bound row.
 */
import { request } from 'node:http';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { checksumBase64 } from '@strata/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateGoals } from '../src/goals.ts';
import type { Measurement } from '../src/measure.ts';
import { payload } from '../src/payload.ts';
import type { BenchReport } from '../src/report-types.ts';
import { SDK_LIMIT_TIERS, sdkLimitScenario } from '../src/scenarios/sdk-limit-names.ts';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../src/servers/credentials.ts';
import { spawnServer } from '../src/servers/spawn.ts';
import type { SpawnedServer } from '../src/servers/spawn.ts';

const BYTES = 256 * 1024;

function get(port: number, headers: Record<string, string>): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/b/k', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('bare fastify target as the SDK limit', () => {
  let bare: SpawnedServer;
  beforeAll(async () => {
    bare = await spawnServer('bare-fastify', { BENCH_OBJECT_BYTES: String(BYTES) });
  }, 60_000);
  afterAll(async () => {
    await bare?.stop();
  });

  it('sends the body with its CRC32 when the GET asks for checksums, and without it otherwise', async () => {
    const body = payload(BYTES, 4096);
    const asked = await get(bare.port, { 'x-amz-checksum-mode': 'ENABLED' });
    expect(asked.body.equals(body)).toBe(true);
    expect(asked.headers['x-amz-checksum-crc32']).toBe(checksumBase64('crc32', body));
    expect(asked.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
    const plain = await get(bare.port, {});
    expect(plain.body.length).toBe(BYTES);
    expect(plain.headers['x-amz-checksum-crc32']).toBeUndefined();
  });

  it('serves the AWS SDK with its default checksums: a validated GetObject and an aws-chunked PutObject', async () => {
    const client = new S3Client({ endpoint: `http://127.0.0.1:${bare.port}`, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, forcePathStyle: true });
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: 'limits', Key: 'k' }));
      expect(got.ChecksumCRC32).toBe(checksumBase64('crc32', payload(BYTES, 4096)));
      expect(Buffer.from(await got.Body!.transformToByteArray()).length).toBe(BYTES);
      const put = await client.send(new PutObjectCommand({ Bucket: 'limits', Key: 'k', Body: payload(BYTES, 5) }));
      expect(put.ETag).toBe('"x"');
    } finally {
      client.destroy();
    }
  });
});

function row(scenario: string, tier: string, opsPerSec: number, clientBound = false): Measurement {
  return {
    scenario,
    tier,
    concurrency: 1,
    bytesPerOp: 64 * 2 ** 20,
    latency: { count: 3, p50: 1, p90: 1, p99: 1, max: 1, mean: 1 },
    opsPerSec: { median: opsPerSec, min: opsPerSec, max: opsPerSec },
    mbPerSec: { median: 1, min: 1, max: 1 },
    cdf: [[1, 1]],
    extra: { clientBound: clientBound ? 'yes' : 'no' },
  };
}

function goals(measurements: Measurement[]) {
  const r: Pick<BenchReport, 'groups'> = { groups: [{ id: 'g', title: 'g', measurements }] };
  const all = evaluateGoals(r);
  const put = all.find((g) => g.goal.startsWith('SDK PutObject 64 MiB') && g.goal.includes("operation's limit"));
  const serverSide = all.find((g) => g.goal.startsWith('SDK PutObject 64 MiB') && g.goal.includes('in-process put alone'));
  const drain = all.find((g) => g.goal.startsWith('SDK PutObject 64 MiB') && g.goal.includes('draining'));
  const got = all.find((g) => g.goal.startsWith('SDK GetObject 64 MiB'));
  if (!put || !got || !drain || !serverSide) throw new Error('limit goals missing');
  return { put, get: got, drain, serverSide };
}

describe('SDK limit goals', () => {
  const PUT = sdkLimitScenario('put', 64 * 2 ** 20);
  const GET = sdkLimitScenario('get', 64 * 2 ** 20);

  it("compares time per operation with the limit: PUT within 1.25× of the operation's limit, GET within 1.15× of the route; the in-process put alone and the drain route only reported", () => {
    const g = goals([
      row(PUT, SDK_LIMIT_TIERS.server, 4), row(PUT, SDK_LIMIT_TIERS.operationPut, 5), row(PUT, SDK_LIMIT_TIERS.inProcessPut, 8), row(PUT, SDK_LIMIT_TIERS.put, 10),
      row(GET, SDK_LIMIT_TIERS.server, 8), row(GET, SDK_LIMIT_TIERS.get, 10),
    ]);
    expect(g.put).toMatchObject({ measured: 1.25, met: true, target: "≤ 1.25× the limit's time", shown: '1.25×' });
    expect(g.get).toMatchObject({ measured: 1.25, met: false, target: "≤ 1.15× the limit's time" });
    expect(g.get.notJudged).toBeUndefined();
    expect(g.drain).toMatchObject({ measured: 2.5, met: null, reportedOnly: true });
    expect(g.serverSide).toMatchObject({ measured: 2, met: null, reportedOnly: true });
  });

  it('judges nothing on a client-bound row', () => {
    const g = goals([row(PUT, SDK_LIMIT_TIERS.server, 2), row(PUT, SDK_LIMIT_TIERS.operationPut, 5), row(GET, SDK_LIMIT_TIERS.server, 8), row(GET, SDK_LIMIT_TIERS.get, 10, true)]);
    expect(g.put).toMatchObject({ measured: 2.5, met: false });
    expect(g.get).toMatchObject({ measured: 1.25, met: null, notJudged: 'client-bound' });
  });

  it("takes a smoke run's smaller object for the 64 MiB rows", () => {
    const PUT4 = sdkLimitScenario('put', 4 * 2 ** 20);
    const GET4 = sdkLimitScenario('get', 4 * 2 ** 20);
    const g = goals([row(PUT4, SDK_LIMIT_TIERS.server, 10), row(PUT4, SDK_LIMIT_TIERS.operationPut, 10), row(GET4, SDK_LIMIT_TIERS.server, 5), row(GET4, SDK_LIMIT_TIERS.get, 10)]);
    expect(g.put).toMatchObject({ measured: 1, met: true });
    expect(g.get).toMatchObject({ measured: 2, met: false });
  });

  it('reports the goals as not measured when the rows did not run', () => {
    const g = goals([]);
    expect(g.put).toMatchObject({ measured: null, met: null });
    expect(g.get).toMatchObject({ measured: null, met: null });
  });
});
