/**
 * Every pipeline suite of `packages/pipelines/test/suites` on the block adapter on a temp image file: one file
 * per backend, so each suite runs once per backend (memory runs in `packages/pipelines`) and backends run in
 * parallel.
 */
import { BLOCK_BACKEND } from '../src/backends.ts';
import { describeArchiveSuite } from '../../../packages/pipelines/test/suites/archive.ts';
import { describeArchiveFaultsSuite } from '../../../packages/pipelines/test/suites/archive-faults.ts';
import { describeDlqSuite } from '../../../packages/pipelines/test/suites/dlq.ts';
import { describeLakeSuite } from '../../../packages/pipelines/test/suites/lake.ts';

describeArchiveSuite([BLOCK_BACKEND]);
describeArchiveFaultsSuite([BLOCK_BACKEND]);
describeDlqSuite([BLOCK_BACKEND]);
describeLakeSuite([BLOCK_BACKEND]);
