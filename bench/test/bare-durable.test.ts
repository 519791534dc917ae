/**
 * The bare route that stores each PUT with the in-process floor's durable put (BENCH_DURABLE_DIR): its row in
 * the HTTP PUT table is only a ceiling if it really does the floor's work, so a PUT must leave the body in a
 * file of its own (no temp file behind) before the answer, and a second PUT must replace it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payload } from '../src/payload.ts';
import { spawnServer } from '../src/servers/spawn.ts';
import type { SpawnedServer } from '../src/servers/spawn.ts';

function put(port: number, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'PUT', headers: { 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe("bare fastify route with the floor's durable put", () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bare-durable-'));
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer('bare-fastify', { BENCH_DURABLE_DIR: dir });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores each body under its path before answering, replacing the previous one, with no temp file left', async () => {
    const first = payload(4096, 1);
    const second = payload(4096, 2);
    expect(await put(server.port, '/bench/put-4KiB/3', first)).toBe(200);
    expect(readFileSync(join(dir, 'bench_put-4KiB_3')).equals(first)).toBe(true);
    expect(await put(server.port, '/bench/put-4KiB/3', second)).toBe(200);
    expect(readFileSync(join(dir, 'bench_put-4KiB_3')).equals(second)).toBe(true);
    expect(readdirSync(dir)).toEqual(['bench_put-4KiB_3']);
  });
});
