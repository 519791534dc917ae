/**
 * IAM administration with the aws CLI, and the new user's key used by the aws CLI and boto3, against the object
 * server on the file backend; the cases are in src/iam-cases.ts.
 */
import { startServer } from '../src/harness.ts';
import { describeIamCases } from '../src/iam-cases.ts';

describeIamCases(startServer);
