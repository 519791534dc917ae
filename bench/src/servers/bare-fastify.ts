/**
 * Benchmark target: a bare fastify route returning the same 4 KiB for GET and draining PUT bodies — the
 * ceiling the object server's GET is compared with (the goal: at least 0.5× of it).
 */
import Fastify from 'fastify';
import { payload } from '../payload.ts';

const body = payload(Number(process.env.BENCH_OBJECT_BYTES ?? 4096), 4096);
const app = Fastify({ logger: false });
app.addContentTypeParser('*', (_req, _payload, done) => done(null));
app.get('/*', async (_req, reply) => reply.header('content-type', 'application/octet-stream').header('etag', '"x"').send(body));
app.put('/*', async (req, reply) => {
  for await (const _chunk of req.raw) {
    // drain
  }
  return reply.header('etag', '"x"').send('');
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
