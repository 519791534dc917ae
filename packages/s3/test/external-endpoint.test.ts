/**
 * The contract suite against any S3 endpoint named by the environment (issue 6, "Judged by"): MinIO from
 * docker-compose.yml, Ceph, AWS. Skipped unless STRATA_S3_ENDPOINT is set; see the package README.
 *
 *   STRATA_S3_ENDPOINT  endpoint URL (`http://127.0.0.1:9000`; `aws` for AWS's own endpoints)
 *   STRATA_S3_BUCKET    an existing bucket the suite may write to (it works under a fresh prefix per group)
 *   STRATA_S3_REGION    @default us-east-1
 *   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) — read by the SDK's default chain
 *   STRATA_S3_PROBE=1   probe the endpoint's capabilities first and declare what it honours
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { describeStorageContract } from '@strata/conformance';
import type { Storage } from '@strata/storage';
import { createS3Client, createS3Storage, probeS3Capabilities } from '../src/index.ts';
import { S3_CONTRACT_SKIPS } from './helpers/contract-skips.ts';

const endpoint = process.env.STRATA_S3_ENDPOINT;
const bucket = process.env.STRATA_S3_BUCKET ?? 'strata-test';
const region = process.env.STRATA_S3_REGION ?? 'us-east-1';
const run = `strata-conformance-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}/`;

describe.skipIf(endpoint === undefined)(`external S3 endpoint ${endpoint ?? '(unset)'}`, () => {
  let capabilities: Awaited<ReturnType<typeof probeS3Capabilities>>['capabilities'] | undefined;
  let n = 0;
  const target = endpoint === 'aws' ? {} : { endpoint };
  describeStorageContract(
    `s3 → ${endpoint ?? 'unset'}`,
    async (): Promise<Storage> => {
      if (capabilities === undefined && process.env.STRATA_S3_PROBE === '1') {
        const client = createS3Client({ ...target, region });
        capabilities = (await probeS3Capabilities(client, bucket, run)).capabilities;
        client.destroy();
      }
      return createS3Storage({ ...target, region, bucket, prefix: `${run}${++n}/`, ...(capabilities ? { capabilities } : {}) });
    },
    {
      // Each group works under a prefix here; the adapter's `maxKeyBytes` shrinks by the prefix's length, so
      // the corpus keys that no longer fit are left out by the suite itself.
      skip: [...S3_CONTRACT_SKIPS],
      largeObjectBytes: 24 * 1024 * 1024,
      timeoutScale: Number(process.env.STRATA_S3_TIMEOUT_SCALE ?? 3),
      // Leave the bucket as found: delete everything this group wrote under its prefix.
      cleanup: async (storage) => {
        let cursor: string | undefined;
        do {
          const page = await storage.list({ ...(cursor === undefined ? {} : { cursor }) });
          await storage.deleteMany(page.items.map((i) => i.key));
          cursor = page.cursor;
        } while (cursor !== undefined);
        const uploads = await storage.listMultipartUploads();
        for (const u of uploads.uploads) await storage.abortMultipart(u.key, u.uploadId).catch(() => {});
      },
    },
  );
});
