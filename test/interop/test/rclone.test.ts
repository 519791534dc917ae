/** rclone against the object server on the file backend; the cases are in src/rclone-cases.ts. */
import { startServer } from '../src/harness.ts';
import { describeRcloneCases } from '../src/rclone-cases.ts';

describeRcloneCases(startServer);
