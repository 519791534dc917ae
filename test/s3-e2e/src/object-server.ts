/**
 * Starts Strata's object server (`buildApp` from `@strata/object-server`) on 127.0.0.1:0 over a given
 * Storage, creates a bucket, and hands back what the S3 adapter needs to reach it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createFileStorage } from '@strata/file';
import { buildApp } from '@strata/object-server';
import type { Storage } from '@strata/storage';

/** Test credentials, accepted by the server and used by the client. */
export const TEST_CREDENTIALS = { accessKeyId: 'STRATATESTKEY', secretAccessKey: 'strata-test-secret' };
export const TEST_REGION = 'us-east-1';

/** One request as the server received it. */
export interface SeenRequest {
  method: string;
  url: string;
  range?: string;
}

/** A running object server. */
export interface RunningServer {
  endpoint: string;
  port: number;
  /** Every HTTP request the server received, in order (a fastify `onRequest` hook). */
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Starts the object server over `storage` on an ephemeral loopback port. */
export async function startObjectServer(storage: Storage): Promise<RunningServer> {
  const app = buildApp({ storage, credentials: [TEST_CREDENTIALS], region: TEST_REGION });
  const requests: SeenRequest[] = [];
  app.addHook('onRequest', async (req) => {
    const seen: SeenRequest = { method: req.method, url: req.url };
    const range = req.headers.range;
    if (typeof range === 'string') seen.range = range;
    requests.push(seen);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return { endpoint: `http://127.0.0.1:${port}`, port, requests, close: () => app.close() };
}

/** Starts the object server over a file storage in a fresh temp dir, with bucket `bucket`. */
export async function startFileBackedServer(bucket: string): Promise<RunningServer> {
  const root = await mkdtemp(join(tmpdir(), 'strata-s3-test-'));
  const storage = createFileStorage({ root, fsync: 'never' });
  const server = await startObjectServer(storage);
  await createBucket(server.endpoint, bucket);
  return {
    ...server,
    close: async () => {
      await server.close();
      await storage.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A plain SDK client for the endpoint (for setup and for raw comparisons). */
export function rawClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates `bucket` on the endpoint. */
export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const client = rawClient(endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

/**
 * Starts the object server over a file storage in a child process (so this process's memory growth is the
 * client's alone). `requests` stays empty: the requests are seen in the other process.
 */
export async function startServerProcess(bucket: string): Promise<RunningServer> {
  const root = await mkdtemp(join(tmpdir(), 'strata-s3-proc-'));
  const entry = join(dirname(fileURLToPath(import.meta.url)), 'server-process.ts');
  // cwd: this package, whose node_modules has tsx (the child runs TypeScript source like the tests do).
  const cwd = join(dirname(entry), '..');
  const child = spawn(process.execPath, ['--import', 'tsx', entry, root, bucket], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    child.stdout.on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests: [],
    close: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
