/**
 * The lake writer suite of `packages/pipelines/test/suites` through `@strata/s3` on Ceph RGW: commits, racing
 * writers, compaction, vacuum, and a writer or a compaction crashed at any step.
 */
import { describeLakeSuite } from '../../../packages/pipelines/test/suites/lake.ts';
import { cephBackend } from '../src/ceph-backend.ts';
import { cephGateway } from '../src/ceph.ts';

const gateway = cephGateway();
if (gateway !== undefined) describeLakeSuite([cephBackend(gateway)]);
