/** Benchmark target: the object server over the file (or block/memory) adapter. Env: BENCH_DATA, BENCH_BACKEND. */
import { buildApp } from '@strata/object-server';
import { createFileStorage } from '@strata/file';
import { createBlockStorage } from '@strata/block';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { BENCH_CREDENTIALS } from './credentials.ts';

const data = process.env.BENCH_DATA ?? '/tmp/strata-bench-server';
const backend = process.env.BENCH_BACKEND ?? 'file';
const storage: Storage =
  backend === 'memory'
    ? createMemoryStorage()
    : backend === 'block'
      ? await createBlockStorage({ path: `${data}/block.img`, create: true, pageCount: 1 << 20 })
      : await createFileStorage({ root: data });
const app = await buildApp({ storage, credentials: [BENCH_CREDENTIALS], logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
