/**
 * Runs the conformance suite through the s3 adapter → Strata's object server → a backing Storage, on
 * loopback. One server per test file; each group of the suite gets a fresh bucket (an empty storage).
 */
import { afterAll } from 'vitest';
import { describeStorageContract } from '@strata/conformance';
import type { Storage } from '@strata/storage';
import { createS3Storage } from '@strata/s3';
import { TEST_CREDENTIALS, TEST_REGION, createBucket, startObjectServer } from './object-server.ts';
import type { RunningServer } from './object-server.ts';
// The adapter's own exemptions, kept beside the adapter so its external-endpoint run uses the same list.
import { S3_CONTRACT_SKIPS } from '../../../packages/s3/test/helpers/contract-skips.ts';

/** Declares the suite over the object server backed by the storage `backing()` returns. */
export function describeContractOverServer(name: string, backing: () => Promise<{ storage: Storage; dispose(): Promise<void> }>): void {
  let server: RunningServer | undefined;
  let dispose: (() => Promise<void>) | undefined;
  let started: Promise<RunningServer> | undefined;
  let n = 0;
  const start = () =>
    (started ??= (async () => {
      const b = await backing();
      dispose = b.dispose;
      server = await startObjectServer(b.storage);
      return server;
    })());
  afterAll(async () => {
    await server?.close();
    await dispose?.();
  });
  describeStorageContract(
    name,
    async () => {
      const s = await start();
      const bucket = `contract-${process.pid}-${++n}`;
      await createBucket(s.endpoint, bucket);
      return createS3Storage({ endpoint: s.endpoint, region: TEST_REGION, bucket, credentials: TEST_CREDENTIALS });
    },
    { skip: [...S3_CONTRACT_SKIPS], largeObjectBytes: 24 * 1024 * 1024 },
  );
}
