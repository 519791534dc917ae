/**
 * Object versioning through `aws s3api`, boto3 and rclone `--s3-versions` against the object server on the file
 * backend; the cases are in src/versioning-cases.ts.
 */
import { startServer } from '../src/harness.ts';
import { describeVersioningCases } from '../src/versioning-cases.ts';

describeVersioningCases(startServer);
