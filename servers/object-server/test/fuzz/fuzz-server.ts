/**
 * The servers the fuzz properties run against: the real app on 127.0.0.1 port 0 over the file adapter (the
 * server's default backend), the block adapter or memory, each in its own temporary sandbox directory.
 *
 * The file adapter's data directory sits {@link SANDBOX_DEPTH} levels below the sandbox, so a key that walked
 * out of it with `..` segments (the generators put at most {@link MAX_DOTDOT_SEGMENTS} into one key) would
 * land inside the sandbox, where {@link FuzzServer.strayFiles} sees it. A signed ListBuckets through the
 * server's own signer checks that the server still answers S3 requests after each batch.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBlockStorage } from '@strata/block';
import { createFileStorage } from '@strata/file';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import type { AppOptions } from '../../src/app.ts';
import { signRequest } from '../../src/auth/index.ts';
import { ACCESS_KEY, SECRET_KEY, startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { describeOutcome, sendRaw } from './raw-http.ts';

/** The backends the suite runs over. */
export type FuzzBackend = 'file' | 'block' | 'memory';

/** The credentials every fuzz server accepts. */
export const CREDENTIALS = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

/** The bucket every fuzz server starts with. */
export const FUZZ_BUCKET = 'fuzz';

/** Directory levels between the sandbox and the file adapter's data directory. */
export const SANDBOX_DEPTH = 8;

/** The most `..` segments a generated key holds: fewer than {@link SANDBOX_DEPTH}, so an escape stays visible. */
export const MAX_DOTDOT_SEGMENTS = 6;

/** A fuzz target: a running server plus its sandbox. */
export interface FuzzServer {
  backend: FuzzBackend;
  server: TestServer;
  port: number;
  /** The temporary directory holding everything this server writes. */
  sandbox: string;
  /** Files and directories that appeared in the sandbox, outside the backend's data, since the start (sorted). */
  strayFiles(): Promise<string[]>;
  /** Throws unless the server answers a health check and a signed ListBuckets. */
  assertAlive(): Promise<void>;
  /**
   * Throws unless the server serves `n` health checks sent at once. With the cap on requests being served set
   * to `n`, that means no slot of it is held by a request that is over.
   */
  assertCapacity(n: number): Promise<void>;
  close(): Promise<void>;
}

async function walk(dir: string, skip: string, base: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (full === skip) continue;
    out.push(path.relative(base, full));
    if (entry.isDirectory()) await walk(full, skip, base, out);
  }
}

/** Signed raw request bytes (the server's own SigV4 signer, every header signed). */
export function signedRequest(
  port: number,
  method: string,
  pathAndQuery: string,
  opts: { headers?: Record<string, string>; body?: Buffer; payloadHash?: string } = {},
): Buffer {
  const body = opts.body ?? Buffer.alloc(0);
  const signed = signRequest({
    method,
    url: `http://127.0.0.1:${port}${pathAndQuery}`,
    credentials: CREDENTIALS,
    headers: { ...opts.headers, 'content-length': String(body.length) },
    ...(opts.payloadHash !== undefined ? { payloadHash: opts.payloadHash } : {}),
  });
  const head = `${method} ${signed.rawUrl} HTTP/1.1\r\n${Object.entries(signed.headers)
    .map(([n, v]) => `${n}: ${v}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

async function openStorage(backend: FuzzBackend, sandbox: string): Promise<{ storage: Storage; dataDir: string | undefined }> {
  switch (backend) {
    case 'file': {
      const dataDir = path.join(sandbox, ...Array.from({ length: SANDBOX_DEPTH }, (_, i) => `level-${i}`), 'data');
      await mkdir(dataDir, { recursive: true });
      return { storage: createFileStorage({ root: dataDir }), dataDir };
    }
    case 'block': {
      const image = path.join(sandbox, 'image');
      return { storage: await createBlockStorage({ path: image, pageCount: 16_384, minPartSize: 1024 }), dataDir: image };
    }
    case 'memory':
      return { storage: createMemoryStorage({ minPartSize: 1024 }), dataDir: undefined };
  }
}

/** Starts a server over `backend` in a fresh sandbox, with the bucket {@link FUZZ_BUCKET}; `options` go to `buildApp`. */
export async function startFuzzServer(backend: FuzzBackend, options: Partial<AppOptions> = {}): Promise<FuzzServer> {
  const sandbox = await mkdtemp(path.join(os.tmpdir(), `strata-fuzz-${backend}-`));
  const { storage, dataDir } = await openStorage(backend, sandbox);
  const server = await startServer({ ...options, storage });
  const port = server.port;
  const create = await sendRaw(port, signedRequest(port, 'PUT', `/${FUZZ_BUCKET}`));
  if (create.kind !== 'answer' || create.status !== 200) throw new Error(`CreateBucket failed: ${describeOutcome(create)}`);
  const skip = dataDir ?? path.join(sandbox, '\0none');
  const listing = async (): Promise<string[]> => {
    const found: string[] = [];
    await walk(sandbox, skip, sandbox, found);
    return found.sort();
  };
  // What the backend made at the start (the data directory's parents, a block image's lock) is its own.
  const baseline = new Set(await listing());
  return {
    backend,
    server,
    port,
    sandbox,
    async strayFiles() {
      return (await listing()).filter((f) => !baseline.has(f));
    },
    async assertAlive() {
      const live = await sendRaw(port, Buffer.from('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      if (live.kind !== 'answer' || live.status !== 200) throw new Error(`health check failed: ${describeOutcome(live)}`);
      const list = await sendRaw(port, signedRequest(port, 'GET', '/'));
      if (list.kind !== 'answer' || list.status !== 200 || !list.body.toString('utf8').includes('<ListAllMyBucketsResult')) {
        throw new Error(`ListBuckets failed: ${describeOutcome(list)}`);
      }
    },
    async assertCapacity(n) {
      const health = Buffer.from('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      let statuses: (number | string)[] = [];
      // A few times, moments apart: the slots of requests that just ended are given back as their sockets close.
      for (let attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 300));
        const outcomes = await Promise.all(Array.from({ length: n }, () => sendRaw(port, health)));
        statuses = outcomes.map((o) => (o.kind === 'answer' ? o.status : o.kind));
        if (statuses.every((st) => st === 200)) return;
      }
      throw new Error(`${n} requests at once were answered ${statuses.join(', ')}: request slots are held by requests that are over`);
    },
    async close() {
      await server.close();
      await server.storage.close();
      await rm(sandbox, { recursive: true, force: true });
    },
  };
}
