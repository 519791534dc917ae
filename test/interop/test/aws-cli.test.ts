/**
 * The aws CLI (Debian's v2 over http and, where present, a recent v1 over https with its default CRC32 trailers)
 * against the object server on the file backend; the cases are in src/aws-cli-cases.ts.
 */
import { describeAwsCliCases } from '../src/aws-cli-cases.ts';
import { startServer } from '../src/harness.ts';

describeAwsCliCases(startServer);
