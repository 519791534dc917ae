/** The DLQ snapshot suite (`suites/dlq.ts`) on the memory adapter; file, block and s3 runs: `test/pipelines-e2e`. */
import { MEMORY_BACKEND } from './helpers/backends.ts';
import { describeDlqSuite } from './suites/dlq.ts';

describeDlqSuite([MEMORY_BACKEND]);
