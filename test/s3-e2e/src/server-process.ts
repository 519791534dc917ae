/**
 * Child-process entry: the object server over a file storage at argv[2], bucket argv[3]. Prints
 * `{"port":N}` once listening. Used where this process's memory must be measured without the server's.
 */
import { createFileStorage } from '@strata/file';
import { createBucket, startObjectServer } from './object-server.ts';

const [root, bucket] = process.argv.slice(2);
if (root === undefined || bucket === undefined) throw new Error('usage: server-process.ts <root> <bucket>');
const server = await startObjectServer(createFileStorage({ root, fsync: 'never' }));
await createBucket(server.endpoint, bucket);
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
