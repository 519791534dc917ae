/**
 * Benchmark target: a bare fastify route returning the same bytes (BENCH_OBJECT_BYTES, default 4 KiB) for GET
 * and draining PUT bodies — the ceiling the object server is compared with: its 4 KiB GET (the goal: at least
 * 0.5× of it), and the limits of a 64 MiB SDK PutObject and GetObject (scenarios/sdk-limits.ts).
 *
 * With BENCH_DURABLE_DIR set, a PUT also stores its body there with the in-process floor's own durable put
 * (tiers/raw-fs.ts: temp file, write, fsync, close, rename, directory fsync) before it answers: the least an
 * HTTP server on this stack can do to answer a durable PUT, so the object server's durable PUT can be read
 * against what HTTP plus the floor's file work costs, not only against that file work alone.
 *
 * A GET that asks for checksums (`x-amz-checksum-mode: ENABLED`, which the AWS SDK sends by default) gets the
 * body's CRC32 in `x-amz-checksum-crc32`, as S3 answers for an object stored with one (GetObject,
 * "ChecksumMode"; https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html): the SDK then validates
 * the same checksum here as on the object server, so the limit includes the client's own work. Requests
 * without the header (wrk's) get the plain body, as before.
 */
import { crc32 } from 'node:zlib';
import Fastify from 'fastify';
import { payload } from '../payload.ts';
import { createRawFsTier } from '../tiers/raw-fs.ts';

const body = payload(Number(process.env.BENCH_OBJECT_BYTES ?? 4096), 4096);
/** CRC32 of `body`, big-endian, base64 — the encoding of S3's `x-amz-checksum-crc32`. */
const bodyCrc32 = (() => {
  const be = Buffer.alloc(4);
  be.writeUInt32BE(crc32(body) >>> 0);
  return be.toString('base64');
})();
const app = Fastify({ logger: false });
app.addContentTypeParser('*', (_req, _payload, done) => done(null));
app.get('/*', async (req, reply) => {
  reply.header('content-type', 'application/octet-stream').header('etag', '"x"');
  if (req.headers['x-amz-checksum-mode'] === 'ENABLED') reply.header('x-amz-checksum-crc32', bodyCrc32).header('x-amz-checksum-type', 'FULL_OBJECT');
  return reply.send(body);
});
const durable = process.env.BENCH_DURABLE_DIR ? createRawFsTier(process.env.BENCH_DURABLE_DIR) : undefined;
app.put('/*', async (req, reply) => {
  if (durable) {
    const chunks: Buffer[] = [];
    for await (const chunk of req.raw) chunks.push(chunk as Buffer);
    // The path names the object (`/bucket/put-4KiB/7`); the raw tier flattens its slashes.
    // A 4 KiB body is one chunk: stored as it came, without a copy the floor does not make either.
    await durable.put(req.url.slice(1), chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
  } else {
    for await (const _chunk of req.raw) {
      // drain
    }
  }
  return reply.header('etag', '"x"').send('');
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
