/**
 * The storage contract, every group, through `@strata/s3` against Ceph's RADOS Gateway — the same suite, with the
 * same exemptions and the capability probe, as the adapter's external-endpoint run
 * (packages/s3/test/helpers/endpoint-contract.ts). Where RGW differs from AWS the adapter absorbs it or its
 * README says why not ("Ceph RGW").
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeAll } from 'vitest';
import { CEPH_RGW_CONTRACT_SKIPS } from '../../../packages/s3/test/helpers/contract-skips.ts';
import { describeEndpointContract } from '../../../packages/s3/test/helpers/endpoint-contract.ts';
import { CEPH_REGION, cephGateway, credentialsOf, rawClient, uniqueBucket } from '../src/ceph.ts';

const gateway = cephGateway();
if (gateway !== undefined) {
  const bucket = uniqueBucket('contract');
  beforeAll(async () => {
    const client = rawClient(gateway);
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      client.destroy();
    }
  });
  describeEndpointContract(`Ceph RGW ${gateway.endpoint}`, {
    endpoint: gateway.endpoint,
    bucket,
    region: CEPH_REGION,
    credentials: credentialsOf(gateway),
    probe: true,
    timeoutScale: 2,
    skip: CEPH_RGW_CONTRACT_SKIPS,
  });
}
