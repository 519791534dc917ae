/**
 * Every pipeline suite of `packages/pipelines/test/suites` on the S3 adapter through the object server (over
 * memory) on loopback: one file per backend, so each suite runs once per backend (memory runs in
 * `packages/pipelines`) and backends run in parallel.
 */
import { S3_BACKEND } from '../src/s3-backend.ts';
import { describeArchiveSuite } from '../../../packages/pipelines/test/suites/archive.ts';
import { describeArchiveFaultsSuite } from '../../../packages/pipelines/test/suites/archive-faults.ts';
import { describeDlqSuite } from '../../../packages/pipelines/test/suites/dlq.ts';
import { describeLakeSuite } from '../../../packages/pipelines/test/suites/lake.ts';

describeArchiveSuite([S3_BACKEND]);
describeArchiveFaultsSuite([S3_BACKEND]);
describeDlqSuite([S3_BACKEND]);
describeLakeSuite([S3_BACKEND]);
