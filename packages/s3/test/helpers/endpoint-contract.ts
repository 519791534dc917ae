/**
 * The contract suite against one S3 endpoint given from outside: MinIO, Ceph RGW, AWS. Each group of the suite
 * works under a fresh prefix of an existing bucket and deletes what it wrote. Declared by
 * `external-endpoint.test.ts` (the endpoint named by the environment) and by `test/ceph` (a Ceph cluster it
 * starts), so both run the same suite with the same exemptions.
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { describeStorageContract } from '@strata/conformance';
import type { Storage } from '@strata/storage';
import { createS3Client, createS3Storage, probeS3Capabilities } from '../../src/index.ts';
import type { S3AdapterOptions, S3ProbeResult } from '../../src/index.ts';
import { S3_CONTRACT_SKIPS } from './contract-skips.ts';

/** Where the suite runs. */
export interface EndpointContractTarget {
  /** The endpoint URL; absent for AWS's own endpoints. */
  endpoint?: string;
  /** An existing bucket the suite may write to. */
  bucket: string;
  region: string;
  /** Static credentials; absent: the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Probe the endpoint first (`probeS3Capabilities`) and declare the capabilities it reports. */
  probe: boolean;
  /** Multiplies case timeouts (remote or loaded endpoints). */
  timeoutScale: number;
  /** Called once with what the probe found, e.g. to print it. */
  onProbe?: (result: S3ProbeResult) => void;
  /** Cases to skip on this endpoint besides the adapter's own ({@link S3_CONTRACT_SKIPS}), each with its reason. */
  skip?: readonly string[];
}

/** Declares the contract suite (every group) against `target`, named `s3 → <name>`. */
export function describeEndpointContract(name: string, target: EndpointContractTarget): void {
  const run = `strata-conformance-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}/`;
  const connection: Pick<S3AdapterOptions, 'endpoint' | 'region' | 'credentials'> = {
    region: target.region,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    ...(target.credentials === undefined ? {} : { credentials: target.credentials }),
  };
  let probed: Promise<Pick<S3AdapterOptions, 'capabilities' | 'dialect'>> | undefined;
  const probe = () =>
    (probed ??= (async () => {
      if (!target.probe) return {};
      const client = createS3Client(connection);
      try {
        const result = await probeS3Capabilities(client, target.bucket, run);
        target.onProbe?.(result);
        return { capabilities: result.capabilities, dialect: result.dialect };
      } finally {
        client.destroy();
      }
    })());
  let n = 0;
  describe(`S3 endpoint ${name}`, () => {
    describeStorageContract(
      `s3 → ${name}`,
      async (): Promise<Storage> => {
        return createS3Storage({ ...connection, bucket: target.bucket, prefix: `${run}${++n}/`, ...(await probe()) });
      },
      {
        // Each group works under a prefix here; the adapter's `maxKeyBytes` shrinks by the prefix's length, so
        // the corpus keys that no longer fit are left out by the suite itself.
        skip: [...S3_CONTRACT_SKIPS, ...(target.skip ?? [])],
        largeObjectBytes: 24 * 1024 * 1024,
        timeoutScale: target.timeoutScale,
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
}
