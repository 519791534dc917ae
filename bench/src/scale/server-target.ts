/**
 * The object server over the file backend as a scale target. Reads go over HTTP through the AWS SDK as any
 * S3 client sends them: GetObject, HeadObject, and ListObjectsV2 with `max-keys` 1000 and `start-after`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html). `rssMB` reads the server process.
 *
 * The fill does not go through HTTP: each PUT would pay the server's fsync, and 10^5 of them would measure the
 * disk's flush rate rather than the read path. Instead the server stops, the file adapter writes the objects
 * straight into its data directory (object `k` of bucket `b` is the key `b/k` there, the layout the server
 * itself writes; `fsync: 'never'` — a store filled for reading), and the server starts again over the grown
 * store, which it then finds the bucket in. So each size is measured by a freshly started server that holds
 * exactly that store.
 */
import { Agent } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import { openFileStorage } from '@strata/file';
import type { Storage } from '@strata/storage';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../servers/credentials.ts';
import { spawnServer } from '../servers/spawn.ts';
import type { SpawnedServer } from '../servers/spawn.ts';
import { PAGE_KEYS } from './scale-plan.ts';
import { SCALE_PREFIX, storageTarget } from './scale-target.ts';
import type { ScaleTarget } from './scale-target.ts';

/** A running server and the client reading it. */
interface Running {
  server: SpawnedServer;
  client: S3Client;
  agent: Agent;
}

/** The object server over `data` (a file-backend directory), bucket `bucket`, read with up to `sockets` connections. */
export async function serverTarget(data: string, bucket: string, sockets: number): Promise<ScaleTarget> {
  const sdk = await import('@aws-sdk/client-s3');
  let running: Running | undefined;
  let writer: Storage | undefined;
  let writes: ScaleTarget | undefined;

  const start = async (): Promise<Running> => {
    const server = await spawnServer('object-server', { BENCH_DATA: data, BENCH_BACKEND: 'file' });
    const agent = new Agent({ keepAlive: true, maxSockets: sockets });
    // The SDK builds its node:http handler from these options.
    const client = new sdk.S3Client({ endpoint: `http://127.0.0.1:${server.port}`, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, forcePathStyle: true, requestHandler: { httpAgent: agent } });
    return { server, client, agent };
  };
  const stop = async () => {
    if (!running) return;
    running.client.destroy();
    running.agent.destroy();
    await running.server.stop();
    running = undefined;
  };
  const live = (): Running => {
    if (!running) throw new Error('the object server is not running (reads between beforeFill and afterFill)');
    return running;
  };

  return {
    beforeFill: async () => {
      await stop();
      writer = await openFileStorage({ root: data, fsync: 'never' });
      writes = storageTarget(writer);
    },
    afterFill: async () => {
      await writer?.close();
      writer = undefined;
      writes = undefined;
      running = await start();
    },
    put: async (key, body) => {
      if (!writes) throw new Error('a put outside a fill step');
      await writes.put(`${bucket}/${key}`, body);
    },
    get: async (key) => {
      const out = await live().client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await out.Body?.transformToByteArray())?.length ?? 0;
    },
    head: async (key) => {
      await live().client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
    },
    listPage: async (startAfter) => {
      const out = await live().client.send(
        new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: SCALE_PREFIX, MaxKeys: PAGE_KEYS, ...(startAfter === undefined ? {} : { StartAfter: startAfter }) }),
      );
      return out.KeyCount ?? out.Contents?.length ?? 0;
    },
    rssMB: () => running?.server.rssMB() ?? NaN,
    close: async () => {
      await writer?.close();
      await stop();
    },
  };
}
