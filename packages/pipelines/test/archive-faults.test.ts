/** The queue archive crash recovery suite (`suites/archive-faults.ts`) on the memory adapter; file, block and s3 runs: `test/pipelines-e2e`. */
import { MEMORY_BACKEND } from './helpers/backends.ts';
import { describeArchiveFaultsSuite } from './suites/archive-faults.ts';

describeArchiveFaultsSuite([MEMORY_BACKEND]);
