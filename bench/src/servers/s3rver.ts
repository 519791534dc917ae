/** Benchmark target: s3rver (the peer object server, dormant since 2021) on a directory. Env: BENCH_DATA. */
import S3rver from 's3rver';

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.env.BENCH_DATA ?? '/tmp/strata-bench-s3rver',
  configureBuckets: [{ name: 'bench', configs: [] }],
});
const info = (await server.run()) as { port: number };
console.log(`LISTENING ${info.port}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
