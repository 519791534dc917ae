/**
 * boto3 at its default settings, over http and https, against the object server on the file backend; the cases
 * are in src/boto3-cases.ts.
 */
import { describeBoto3Cases } from '../src/boto3-cases.ts';
import { startServer } from '../src/harness.ts';

describeBoto3Cases(startServer);
