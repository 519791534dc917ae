/**
 * The contract suite against any S3 endpoint named by the environment: MinIO from docker-compose.yml, Ceph, AWS.
 * Skipped unless STRATA_S3_ENDPOINT is set; see the package README. (`test/ceph` runs the same suite against a
 * Ceph cluster it starts itself, and `node scripts/ceph/cluster.mjs run -- …` sets these variables for one.)
 *
 *   STRATA_S3_ENDPOINT  endpoint URL (`http://127.0.0.1:9000`; `aws` for AWS's own endpoints)
 *   STRATA_S3_BUCKET    an existing bucket the suite may write to (it works under a fresh prefix per group)
 *   STRATA_S3_REGION    @default us-east-1
 *   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) — read by the SDK's default chain
 *   STRATA_S3_PROBE=1   probe the endpoint's capabilities first and declare what it honours
 *   STRATA_S3_ENDPOINT_KIND=ceph-rgw  also skip the cases Ceph RGW 16 cannot pass (CEPH_RGW_CONTRACT_SKIPS)
 */
import { describe } from 'vitest';
import { CEPH_RGW_CONTRACT_SKIPS } from './helpers/contract-skips.ts';
import { describeEndpointContract } from './helpers/endpoint-contract.ts';

const endpoint = process.env.STRATA_S3_ENDPOINT;

describe.skipIf(endpoint === undefined)(`external S3 endpoint ${endpoint ?? '(unset)'}`, () => {
  describeEndpointContract(endpoint ?? 'unset', {
    ...(endpoint === 'aws' ? {} : { endpoint }),
    bucket: process.env.STRATA_S3_BUCKET ?? 'strata-test',
    region: process.env.STRATA_S3_REGION ?? 'us-east-1',
    probe: process.env.STRATA_S3_PROBE === '1',
    timeoutScale: Number(process.env.STRATA_S3_TIMEOUT_SCALE ?? 3),
    skip: process.env.STRATA_S3_ENDPOINT_KIND === 'ceph-rgw' ? CEPH_RGW_CONTRACT_SKIPS : [],
  });
});
