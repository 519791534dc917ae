/**
 * The servers the HTTP rows load, each in its own process on core 0 (servers/spawn.ts), and the request paths
 * each row cycles through: presigned URLs for the S3 servers (the signature rides in the query string, so a
 * load generator needs no SigV4 code — AWS, "Authenticating Requests: Using Query Parameters"), plain paths
 * for the bare fastify routes, which answer any path with their one buffer.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { payload, sizeLabel } from '../payload.ts';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../servers/credentials.ts';
import { spawnServer } from '../servers/spawn.ts';
import type { SpawnedServer } from '../servers/spawn.ts';
import { BARE_DURABLE_TIER } from './http-names.ts';

const BUCKET = 'bench';

/** The servers the HTTP scenario can start. */
export type HttpServerId = 'strata-file' | 'strata-file-nocache' | 'strata-block' | 'bare-4k' | 'bare-1m' | 'bare-durable' | 's3rver';

/** How to start one server and what it is called in the report. */
interface HttpServerSpec {
  tier: string;
  start(dir: string): Promise<SpawnedServer>;
  /** Credentials for presigning; absent for a bare route (plain paths). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

const strata = (backend: 'file' | 'block', env: Record<string, string> = {}) => (dir: string) => {
  mkdirSync(dir, { recursive: true });
  return spawnServer('object-server', { BENCH_DATA: dir, BENCH_BACKEND: backend, ...env });
};

/** Every server, by id. The object server runs as shipped (its production bundle, read cache on). */
export const HTTP_SERVERS: Record<HttpServerId, HttpServerSpec> = {
  'strata-file': { tier: 'object server (file)', start: strata('file'), credentials: BENCH_CREDENTIALS },
  // The same server with its read cache off: what a GET costs when it must read the file.
  'strata-file-nocache': { tier: 'object server (file, no read cache)', start: strata('file', { STRATA_READ_CACHE_MB: '0' }), credentials: BENCH_CREDENTIALS },
  'strata-block': { tier: 'object server (block)', start: strata('block'), credentials: BENCH_CREDENTIALS },
  'bare-4k': { tier: 'bare fastify', start: () => spawnServer('bare-fastify', { BENCH_OBJECT_BYTES: String(4096) }) },
  // A route sending the same 1 MiB buffer for every GET: the ceiling of a large-object GET on this stack.
  'bare-1m': { tier: 'bare fastify', start: () => spawnServer('bare-fastify', { BENCH_OBJECT_BYTES: String(2 ** 20) }) },
  // The bare route storing each PUT with the in-process floor's durable put: HTTP plus the floor's file work.
  'bare-durable': {
    tier: BARE_DURABLE_TIER,
    start: (dir) => {
      mkdirSync(dir, { recursive: true });
      return spawnServer('bare-fastify', { BENCH_OBJECT_BYTES: String(4096), BENCH_DURABLE_DIR: dir });
    },
  },
  's3rver': {
    tier: 's3rver',
    start: (dir) => {
      mkdirSync(dir, { recursive: true });
      return spawnServer('s3rver', { BENCH_DATA: dir });
    },
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  },
};

/** A started server. */
export interface LiveServer {
  id: HttpServerId;
  tier: string;
  server: SpawnedServer;
  origin: string;
}

/** Starts server `id` with its data under `dir`. */
export async function startHttpServer(id: HttpServerId, dir: string): Promise<LiveServer> {
  const spec = HTTP_SERVERS[id];
  const server = await spec.start(join(dir, id));
  return { id, tier: spec.tier, server, origin: `http://127.0.0.1:${server.port}` };
}

/** The path and query of a URL: what goes on the request line. */
const requestTarget = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/**
 * Request paths for a row: `keys` objects of `size` bytes under a prefix naming the size. For GET the objects
 * are uploaded first; for PUT the keys are only signed (each PUT overwrites one of them).
 */
export async function requestPaths(live: LiveServer, method: 'GET' | 'PUT', size: number, keys: number): Promise<string[]> {
  const prefix = `${method.toLowerCase()}-${sizeLabel(size).replace(' ', '')}`;
  const names = Array.from({ length: keys }, (_, i) => `${prefix}/${i}`);
  const credentials = HTTP_SERVERS[live.id].credentials;
  if (!credentials) return names.map((n) => `/${BUCKET}/${n}`);
  const client = new S3Client({ endpoint: live.origin, region: BENCH_REGION, credentials, forcePathStyle: true });
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
    const paths: string[] = [];
    for (const [i, Key] of names.entries()) {
      if (method === 'GET') await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: payload(size, i + 1) }));
      const command = method === 'GET' ? new GetObjectCommand({ Bucket: BUCKET, Key }) : new PutObjectCommand({ Bucket: BUCKET, Key });
      paths.push(requestTarget(await getSignedUrl(client, command, { expiresIn: 6 * 3600 })));
    }
    return paths;
  } finally {
    client.destroy();
  }
}

/**
 * A few requests over the row's paths before any timed round, so no target is measured cold and a bad URL
 * (a signature the server rejects) fails here, loudly, instead of as a fast row of error responses.
 */
export async function warmUp(origin: string, method: 'GET' | 'PUT', paths: string[], body: Buffer | undefined, count = 20): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${origin}${paths[i % paths.length]}`, { method, body: method === 'PUT' ? body : undefined });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`warm-up ${method} ${paths[i % paths.length]?.split('?')[0]} got HTTP ${res.status}`);
  }
}
