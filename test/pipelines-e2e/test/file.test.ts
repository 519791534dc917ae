/**
 * Every pipeline suite of `packages/pipelines/test/suites` on the file adapter on a temp root: one file per
 * backend, so each suite runs once per backend (memory runs in `packages/pipelines`) and backends run in
 * parallel.
 */
import { FILE_BACKEND } from '../src/backends.ts';
import { describeArchiveSuite } from '../../../packages/pipelines/test/suites/archive.ts';
import { describeArchiveFaultsSuite } from '../../../packages/pipelines/test/suites/archive-faults.ts';
import { describeDlqSuite } from '../../../packages/pipelines/test/suites/dlq.ts';
import { describeLakeSuite } from '../../../packages/pipelines/test/suites/lake.ts';

describeArchiveSuite([FILE_BACKEND]);
describeArchiveFaultsSuite([FILE_BACKEND]);
describeDlqSuite([FILE_BACKEND]);
describeLakeSuite([FILE_BACKEND]);
