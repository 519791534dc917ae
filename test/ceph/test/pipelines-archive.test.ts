/**
 * The queue archive suites of `packages/pipelines/test/suites` through `@strata/s3` on Ceph RGW: segments, replay,
 * retention, fencing, and a crash at every storage call of a run (archive-faults).
 */
import { describeArchiveSuite } from '../../../packages/pipelines/test/suites/archive.ts';
import { describeArchiveFaultsSuite } from '../../../packages/pipelines/test/suites/archive-faults.ts';
import { cephBackend } from '../src/ceph-backend.ts';
import { cephGateway } from '../src/ceph.ts';

const gateway = cephGateway();
if (gateway !== undefined) {
  const backend = cephBackend(gateway);
  describeArchiveSuite([backend]);
  describeArchiveFaultsSuite([backend]);
}
