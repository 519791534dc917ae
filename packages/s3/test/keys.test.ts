/**
 * The conformance key corpus over S3, minus the keys S3 cannot hold (more than 1024 UTF-8 bytes, AWS "Object
 * key naming guidelines"): every key round-trips, and the corpus lists back in UTF-8 byte order, whole, paged
 * and with a delimiter — S3's own listing order passed through unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_CORPUS, sortUtf8 } from '@strata/conformance';
import { readBytes } from '@strata/storage';
import type { ListOptions, Storage } from '@strata/storage';
import { createS3Adapter, createS3Storage } from '../src/index.ts';
import { TEST_CREDENTIALS, TEST_REGION, startFileBackedServer } from './helpers/object-server.ts';
import type { RunningServer } from './helpers/object-server.ts';

const keys = KEY_CORPUS.map((k) => k.key).filter((k) => Buffer.byteLength(k) <= 1024);
let server: RunningServer;
let storage: Storage;

beforeAll(async () => {
  server = await startFileBackedServer('keys');
  storage = createS3Storage({ endpoint: server.endpoint, region: TEST_REGION, bucket: 'keys', credentials: TEST_CREDENTIALS });
  for (const k of keys) await storage.put(k, `body of ${k}`);
}, 60_000);
afterAll(async () => {
  await storage?.close();
  await server?.close();
});

async function listAll(options: ListOptions): Promise<{ items: string[]; prefixes: string[]; pages: number }> {
  const out = { items: [] as string[], prefixes: [] as string[], pages: 0 };
  let cursor: string | undefined;
  do {
    const page = await storage.list({ ...options, ...(cursor === undefined ? {} : { cursor }) });
    out.pages++;
    out.items.push(...page.items.map((i) => i.key));
    out.prefixes.push(...page.prefixes);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return out;
}

describe('key corpus over S3', () => {
  it('keeps most of the corpus (only keys above 1024 bytes are left out)', () => {
    expect(keys.length).toBeGreaterThanOrEqual(KEY_CORPUS.length - 3);
  });

  it('every key reads back its own body', async () => {
    for (const k of keys) expect((await readBytes(await storage.get(k))).toString()).toBe(`body of ${k}`);
  });

  it('lists the corpus in UTF-8 byte order, whole and in pages of 7', async () => {
    expect((await listAll({})).items).toEqual(sortUtf8(keys));
    const paged = await listAll({ limit: 7 });
    expect(paged.items).toEqual(sortUtf8(keys));
    expect(paged.pages).toBe(Math.ceil(keys.length / 7));
  });

  it('lists with delimiter "/" as top-level keys and common prefixes', async () => {
    const got = await listAll({ delimiter: '/', limit: 5 });
    expect(got.items).toEqual(sortUtf8(keys.filter((k) => !k.includes('/'))));
    expect(got.prefixes).toEqual(sortUtf8(new Set(keys.filter((k) => k.includes('/')).map((k) => k.slice(0, k.indexOf('/') + 1)))));
  });

  // The front wrapper caps `limit` at 1000; the adapter alone accepts more and must still page exactly.
  it('an adapter limit above S3 page size (1000) is filled from several S3 pages', async () => {
    const many = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < many.length; i += 8) await storage.put(many[i] as string, '');
    }));
    const adapter = createS3Adapter({ endpoint: server.endpoint, region: TEST_REGION, bucket: 'keys', credentials: TEST_CREDENTIALS });
    server.requests.length = 0;
    const page = await adapter.list({ prefix: 'many/', limit: 1003 });
    expect(page.items.map((i) => i.key)).toEqual(many.slice(0, 1003));
    expect(page.cursor).toBeTypeOf('string');
    expect(server.requests).toHaveLength(2);
    const rest = await adapter.list({ prefix: 'many/', limit: 1003, cursor: page.cursor });
    expect(rest.items.map((i) => i.key)).toEqual(many.slice(1003));
    expect(rest.cursor).toBeUndefined();
    await adapter.close();
  }, 60_000);
});
