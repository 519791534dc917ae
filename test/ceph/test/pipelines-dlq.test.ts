/**
 * The DLQ snapshot suite of `packages/pipelines/test/suites` through `@strata/s3` on Ceph RGW, its
 * crash-at-any-step cases (snapshot writer, restore) included.
 */
import { describeDlqSuite } from '../../../packages/pipelines/test/suites/dlq.ts';
import { cephBackend } from '../src/ceph-backend.ts';
import { cephGateway } from '../src/ceph.ts';

const gateway = cephGateway();
if (gateway !== undefined) describeDlqSuite([cephBackend(gateway)]);
