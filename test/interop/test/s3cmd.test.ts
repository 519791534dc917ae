/** s3cmd against the object server on the file backend; the cases are in src/s3cmd-cases.ts. */
import { startServer } from '../src/harness.ts';
import { describeS3cmdCases } from '../src/s3cmd-cases.ts';

describeS3cmdCases(startServer);
