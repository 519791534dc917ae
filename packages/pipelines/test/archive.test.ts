/** The queue archive suite (`suites/archive.ts`) on the memory adapter; file, block and s3 runs: `test/pipelines-e2e`. */
import { MEMORY_BACKEND } from './helpers/backends.ts';
import { describeArchiveSuite } from './suites/archive.ts';

describeArchiveSuite([MEMORY_BACKEND]);
