/**
 * An object's file is the object: what the aws CLI puts through `strata serve` (the production bundle) is, on
 * disk, exactly the bytes it sent, so ordinary tools work on the data directory directly —
 * - an image library decodes a PNG put as an object from its file (pngjs, a real decoder: inflate, filters,
 *   CRC checks), and the metadata is in the `user.strata.meta` attribute, not in the file (which also shows the
 *   bundle loads the xattr add-on from beside itself);
 * - `sha256sum` of each file equals the object's SHA256 checksum (PutObject with `--checksum-algorithm SHA256`,
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html);
 * - `tar` of the data directory restores the objects: without attributes as plain files (ETag = MD5 of the
 *   bytes, Content-Type from the extension), with `--xattrs` keeping their metadata too.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { bytes, md5, run } from '../../interop/src/harness.ts';
import { buildBundle, clientEnv, startStrata } from '../src/strata-process.ts';
import type { StrataProcess } from '../src/strata-process.ts';

/** A 64×48 RGBA gradient, encoded; `pixels` is what a decoder must give back. */
function gradientPng(): { file: Buffer; pixels: Buffer; width: number; height: number } {
  const width = 64;
  const height = 48;
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (width * y + x) * 4;
      png.data[i] = x * 4;
      png.data[i + 1] = y * 5;
      png.data[i + 2] = (x * y) & 0xff;
      png.data[i + 3] = 128 + ((x + y) & 0x7f);
    }
  }
  return { file: PNG.sync.write(png), pixels: Buffer.from(png.data), width, height };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The objects put, by key in bucket `images`. */
const png = gradientPng();
const OBJECTS: Record<string, Buffer> = {
  'photos/2024/gradient.png': png.file,
  'notes/read me.txt': Buffer.from('plain text, stored as itself\n'),
  'blobs/six-mib.bin': bytes(6 * 1024 * 1024 + 3, 11),
  'empty.dat': Buffer.alloc(0),
};

describe.skipIf(skipWithout('aws'))('objects are their files (strata serve, aws CLI)', () => {
  let root: string;
  let bundle: string;
  let data: string;
  let server: StrataProcess | undefined;
  let env: NodeJS.ProcessEnv;
  const aws = async (...args: string[]) => (await run('/usr/bin/aws', ['--endpoint-url', server!.endpoint, ...args], env)).stdout;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'strata-plain-files-'));
    bundle = buildBundle(join(root, 'app'));
    data = join(root, 'data');
    server = await startStrata(bundle, data);
    env = clientEnv(join(root, 'home'), server.endpoint);
    mkdirSync(join(root, 'work'));
    await aws('s3api', 'create-bucket', '--bucket', 'images');
    for (const [key, body] of Object.entries(OBJECTS)) {
      const file = join(root, 'work', `upload-${md5(Buffer.from(key))}`);
      writeFileSync(file, body);
      const type = key.endsWith('.png') ? ['--content-type', 'image/png'] : [];
      await aws('s3api', 'put-object', '--bucket', 'images', '--key', key, '--body', file, '--checksum-algorithm', 'SHA256', '--metadata', 'origin=plain-files', ...type);
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a PNG put through the aws CLI is a PNG file that an image decoder reads', async () => {
    const onDisk = readFileSync(join(data, 'images', 'photos', '2024', 'gradient.png'));
    expect(onDisk.equals(png.file)).toBe(true);
    const decoded = PNG.sync.read(onDisk);
    expect([decoded.width, decoded.height]).toEqual([png.width, png.height]);
    expect(Buffer.from(decoded.data).equals(png.pixels)).toBe(true);
    // The metadata went to the attribute (the bundle loaded the add-on), not into the file, and comes back
    // through S3 (the attribute's encoding is the adapter's business: docs/on-disk-formats.md).
    expect(getAttributeSync(join(data, 'images', 'photos', '2024', 'gradient.png'), 'user.strata.meta')?.length).toBeGreaterThan(0);
    const head = JSON.parse(await aws('s3api', 'head-object', '--bucket', 'images', '--key', 'photos/2024/gradient.png')) as Record<string, unknown>;
    expect(head).toMatchObject({ ETag: `"${md5(png.file)}"`, ContentType: 'image/png', Metadata: { origin: 'plain-files' } });
  });

  it("sha256sum of each object's file equals the object's SHA256 checksum", async () => {
    const dir = join(data, 'images');
    const files = Object.keys(OBJECTS);
    const sums = (await run('sha256sum', ['--', ...files], env, { cwd: dir })).stdout;
    const byFile = new Map(sums.trim().split('\n').map((line) => [line.slice(66), line.slice(0, 64)] as const));
    for (const key of files) {
      const head = JSON.parse(await aws('s3api', 'head-object', '--bucket', 'images', '--key', key, '--checksum-mode', 'ENABLED')) as { ChecksumSHA256?: string; ETag: string };
      expect(head.ChecksumSHA256, key).toBeDefined();
      const checksum = Buffer.from(head.ChecksumSHA256!, 'base64').toString('hex');
      expect(byFile.get(key), key).toBe(checksum);
      expect(checksum, key).toBe(sha256(OBJECTS[key]!));
      expect(head.ETag, key).toBe(`"${md5(OBJECTS[key]!)}"`);
    }
  });

  it('tar of the data directory restores the objects, as plain files and with --xattrs as they were', { timeout: 120_000 }, async () => {
    // A cold backup: the server is stopped (its lock released), the whole data directory archived.
    expect(await server!.stop()).toBe(0);
    server = undefined;
    const plain = join(root, 'plain.tar');
    const full = join(root, 'full.tar');
    await run('tar', ['-C', data, '-cf', plain, '.'], env);
    await run('tar', ['--xattrs', '--xattrs-include=user.*', '-C', data, '-cf', full, '.'], env);
    for (const [name, archive, extract] of [
      ['plain', plain, []],
      ['full', full, ['--xattrs', '--xattrs-include=user.*']],
    ] as const) {
      const restored = join(root, `restored-${name}`);
      mkdirSync(restored);
      await run('tar', [...extract, '-C', restored, '-xf', archive], env);
      for (const [key, body] of Object.entries(OBJECTS)) expect(readFileSync(join(restored, 'images', key)).equals(body), `${name}: ${key}`).toBe(true);

      // Served again, each restored tree gives back the same bytes.
      server = await startStrata(bundle, restored);
      env = clientEnv(join(root, 'home'), server.endpoint);
      try {
        for (const [key, body] of Object.entries(OBJECTS)) {
          const out = join(root, 'work', `get-${name}-${md5(Buffer.from(key))}`);
          const head = JSON.parse(await aws('s3api', 'get-object', '--bucket', 'images', '--key', key, out)) as { ETag: string; ContentType?: string; Metadata?: Record<string, string> };
          expect(readFileSync(out).equals(body), `${name}: ${key}`).toBe(true);
          expect(head.ETag, `${name}: ${key}`).toBe(`"${md5(body)}"`);
          // With attributes the metadata came along; without, a file's type comes from its extension.
          if (key.endsWith('.png')) expect(head.ContentType).toBe('image/png');
          if (name === 'full') expect(head.Metadata, key).toEqual({ origin: 'plain-files' });
          else expect(head.Metadata ?? {}, key).toEqual({});
        }
      } finally {
        expect(await server.stop()).toBe(0);
        server = undefined;
      }
    }
  });
});
