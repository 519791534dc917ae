/** The ETL lake suite (`suites/lake.ts`) on the memory adapter; file, block and s3 runs: `test/pipelines-e2e`. */
import { MEMORY_BACKEND } from './helpers/backends.ts';
import { describeLakeSuite } from './suites/lake.ts';

describeLakeSuite([MEMORY_BACKEND]);
