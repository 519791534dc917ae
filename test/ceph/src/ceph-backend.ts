/**
 * The Ceph backend of the pipeline suites (`packages/pipelines/test/suites`): the S3 adapter on the gateway, with
 * the capabilities and dialect the probe finds there. One bucket per test file, made on first use; each storage
 * works under a fresh prefix of it, so it starts empty without a CreateBucket per storage (the crash suites make
 * one storage per crash point).
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client, createS3Storage, probeS3Capabilities } from '@strata/s3';
import type { S3AdapterOptions } from '@strata/s3';
import type { BackendFactory } from '../../../packages/pipelines/test/helpers/backends.ts';
import { CEPH_REGION, credentialsOf, rawClient, uniqueBucket } from './ceph.ts';
import type { CephGateway } from './ceph.ts';

/** What every storage on the gateway is created with: where, and what the probe found. */
export type CephTarget = Pick<S3AdapterOptions, 'endpoint' | 'region' | 'credentials' | 'bucket' | 'capabilities' | 'dialect'>;

/** Makes a bucket on the gateway and probes it once. */
export async function prepareCephTarget(gateway: CephGateway, label: string): Promise<CephTarget> {
  const bucket = uniqueBucket(label);
  const raw = rawClient(gateway);
  try {
    await raw.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    raw.destroy();
  }
  const connection = { endpoint: gateway.endpoint, region: CEPH_REGION, credentials: credentialsOf(gateway) };
  const client = createS3Client(connection);
  try {
    const probe = await probeS3Capabilities(client, bucket, 'probe/');
    return { ...connection, bucket, capabilities: probe.capabilities, dialect: probe.dialect };
  } finally {
    client.destroy();
  }
}

/** The pipeline backend on the gateway (see the module doc). */
export function cephBackend(gateway: CephGateway): BackendFactory {
  let target: Promise<CephTarget> | undefined;
  let n = 0;
  return {
    name: 'Ceph RGW',
    async create() {
      const storage = createS3Storage({ ...(await (target ??= prepareCephTarget(gateway, 'pipelines'))), prefix: `storage-${++n}/` });
      return { storage, cleanup: () => storage.close() };
    },
  };
}
