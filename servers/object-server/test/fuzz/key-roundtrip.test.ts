/**
 * Keys through the real AWS SDK (`@aws-sdk/client-s3` at default settings, path-style) on the file, block and
 * memory backends: every valid key (key-generators.ts) put with random bytes reads back the same bytes under
 * exactly that key, and ListObjectsV2 with the key as prefix lists exactly that key. Keys S3 refuses — longer
 * than 1024 bytes, holding NUL, escapes that are not UTF-8 — get a 4xx S3 error, PUT or GET. Nothing is
 * written outside the backend's data.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzParameters, testTimeout } from './fuzz-settings.ts';
import type { FuzzBudget } from './fuzz-settings.ts';
import { FUZZ_BUCKET, signedRequest, startFuzzServer } from './fuzz-server.ts';
import type { FuzzBackend, FuzzServer } from './fuzz-server.ts';
import { invalidKeyTarget, validKey } from './key-generators.ts';
import { describeOutcome, sendRaw } from './raw-http.ts';
import { answerProblem } from './s3-answer.ts';

const ROUND_TRIP: FuzzBudget = { runs: 60, timeLimitMs: 8_000, runTimeoutMs: 15_000 };
const INVALID: FuzzBudget = { runs: 40, timeLimitMs: 5_000, runTimeoutMs: 15_000 };
const BACKENDS: FuzzBackend[] = ['file', 'block', 'memory'];

/** Every key the listing returns under `prefix` (all pages). */
async function listKeys(s3: S3Client, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await s3.send(new ListObjectsV2Command({ Bucket: FUZZ_BUCKET, Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) }));
    keys.push(...(res.Contents ?? []).map((c) => c.Key ?? ''));
    token = res.NextContinuationToken;
    if (token === undefined) break;
  }
  return keys;
}

describe.each(BACKENDS)('keys over the %s backend', (backend) => {
  let target: FuzzServer | undefined;
  let s3: S3Client;
  beforeAll(async () => {
    target = await startFuzzServer(backend);
    s3 = target.server.client({ maxAttempts: 1 });
  });
  afterAll(async () => {
    await target?.close();
  });

  it(
    'a valid key round-trips exactly through PutObject, GetObject and ListObjectsV2',
    async () => {
      await fc.assert(
        fc.asyncProperty(validKey, fc.uint8Array({ maxLength: 512 }), async (Key, bytes) => {
          const Body = Buffer.from(bytes);
          await s3.send(new PutObjectCommand({ Bucket: FUZZ_BUCKET, Key, Body }));
          const got = await s3.send(new GetObjectCommand({ Bucket: FUZZ_BUCKET, Key }));
          expect(Buffer.from(await (got.Body?.transformToByteArray() ?? new Uint8Array())).equals(Body), 'GetObject returned other bytes').toBe(true);
          const listed = await listKeys(s3, Key);
          expect(listed, 'ListObjectsV2 does not list the key exactly').toContain(Key);
          expect(listed.every((k) => k.startsWith(Key)), `ListObjectsV2 lists keys outside the prefix: ${JSON.stringify(listed)}`).toBe(true);
          expect(await (target as FuzzServer).strayFiles()).toEqual([]);
        }),
        fuzzParameters(ROUND_TRIP),
      );
    },
    testTimeout(ROUND_TRIP),
  );

  it(
    'a key S3 refuses gets a 4xx S3 error on PUT and GET',
    async () => {
      const { port } = target as FuzzServer;
      await fc.assert(
        fc.asyncProperty(invalidKeyTarget, fc.constantFrom('PUT', 'GET'), async ({ path, why }, method) => {
          const outcome = await sendRaw(port, signedRequest(port, method, `/${FUZZ_BUCKET}/${path}`, method === 'PUT' ? { body: Buffer.from('x') } : {}));
          const problem = answerProblem(outcome);
          expect(problem, `${why}: ${describeOutcome(outcome)}`).toBeUndefined();
          const status = outcome.kind === 'answer' ? outcome.status : 0;
          expect(status >= 400 && status < 500, `${method} of a key ${why} answered ${describeOutcome(outcome)}`).toBe(true);
          expect(await (target as FuzzServer).strayFiles()).toEqual([]);
        }),
        fuzzParameters(INVALID),
      );
    },
    testTimeout(INVALID),
  );
});
