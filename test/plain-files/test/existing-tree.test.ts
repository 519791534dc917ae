/**
 * `strata serve --data DIR` (the production bundle) over a directory that was there first — a fixture tree
 * copied with `cp -r` — read through boto3 and rclone, then changed by hand while the server runs:
 * - each top-level directory with a valid bucket name is a bucket (ListBuckets, HeadBucket); other top-level
 *   names (`Not_A_Bucket`, `.hidden`), a top-level file and an empty directory are not
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html);
 * - each file is an object: listed (paginated, and by delimiter), read whole and by range, ETag = its MD5;
 * - a file rewritten in place, replaced by rename, removed or added, and a directory made, show up in GET,
 *   HEAD and LIST at once — also for a small file a GET had put in the read cache;
 * - serving never changes a file's bytes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { bytes, md5, run } from '../../interop/src/harness.ts';
import { probe } from '../src/boto3-probe.ts';
import { BUCKET_FILES, NOT_BUCKETS, readTree, writeFixture } from '../src/fixture-tree.ts';
import { buildBundle, clientEnv, startStrata } from '../src/strata-process.ts';
import type { StrataProcess } from '../src/strata-process.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const files = (bucket: string) => Object.entries(BUCKET_FILES[bucket] ?? {});

describe.skipIf(skipWithout('boto3') || skipWithout('rclone'))('strata serve over an existing tree (boto3, rclone)', () => {
  let root: string;
  let fixture: string;
  let data: string;
  let server: StrataProcess;
  let env: NodeJS.ProcessEnv;
  const rclone = async (...args: string[]) => (await run('/usr/bin/rclone', ['--config', '/dev/null', ...args], env, { timeoutMs: 120_000 })).stdout;
  /** `rclone cat`'s bytes (binary-safe). */
  const rcloneCat = (...args: string[]): Buffer => {
    const r = spawnSync('/usr/bin/rclone', ['--config', '/dev/null', 'cat', ...args], { env, timeout: 60_000, maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`rclone cat ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
    return r.stdout;
  };
  const buckets = async () => (await rclone('lsd', 'strata:')).trim().split('\n').map((line) => line.trim().split(/\s+/).pop());

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'strata-existing-tree-'));
    fixture = join(root, 'fixture');
    data = join(root, 'data');
    mkdirSync(fixture);
    writeFixture(fixture);
    await run('cp', ['-r', fixture, data], {});
    server = await startStrata(buildBundle(join(root, 'app')), data);
    env = clientEnv(join(root, 'home'), server.endpoint);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the top-level directories as buckets and the files as objects', { timeout: 120_000 }, async () => {
    const seen = await probe(server.endpoint, env, {
      headBuckets: ['docs', 'media', 'Not_A_Bucket', '.hidden', 'emptydir', 'top-level.txt'],
      list: ['docs', 'media'],
      gets: ['docs', 'media'].flatMap((bucket) => files(bucket).map(([key]) => [bucket, key] as [string, string])),
      ranges: [
        ['media', 'clip.bin', 'bytes=1048570-1048585'],
        ['media', 'clip.bin', 'bytes=-9'],
        ['docs', 'guides/intro to strata.md', 'bytes=10-29'],
      ],
    });
    expect(seen.buckets).toEqual(['docs', 'media']);
    expect(seen.headBucket).toEqual({ docs: 200, media: 200, Not_A_Bucket: 404, '.hidden': 404, emptydir: 404, 'top-level.txt': 404 });
    for (const bucket of ['docs', 'media']) {
      // Keys in UTF-8 byte order, each file's size and MD5.
      const expected = files(bucket)
        .map(([key, body]) => [key, body.length, `"${md5(body)}"`] as [string, number, string])
        .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(seen.objects[bucket], bucket).toEqual(expected);
      for (const [key, body] of files(bucket)) expect(seen.gets[`${bucket}/${key}`], key).toMatchObject({ md5: md5(body), length: body.length, etag: `"${md5(body)}"` });
    }
    expect(seen.top.docs).toEqual({ prefixes: ['guides/', 'ünïcödé/'], keys: ['a+b=c & d.txt', 'readme.txt'] });
    expect(seen.top.media).toEqual({ prefixes: ['nested/'], keys: ['clip.bin', 'empty.dat', 'still.bin'] });
    expect(seen.gets['docs/readme.txt']).toMatchObject({ contentType: 'text/plain' });
    expect(seen.gets['media/nested/deep/er/leaf.json']).toMatchObject({ contentType: 'application/json' });
    const clip = BUCKET_FILES.media!['clip.bin']!;
    expect(seen.ranges['media/clip.bin bytes=1048570-1048585']).toEqual({ hex: clip.subarray(1048570, 1048586).toString('hex'), contentRange: `bytes 1048570-1048585/${clip.length}` });
    expect(seen.ranges['media/clip.bin bytes=-9']).toEqual({ hex: clip.subarray(clip.length - 9).toString('hex'), contentRange: `bytes ${clip.length - 9}-${clip.length - 1}/${clip.length}` });
    const intro = BUCKET_FILES.docs!['guides/intro to strata.md']!;
    expect(seen.ranges['docs/guides/intro to strata.md bytes=10-29']?.hex).toBe(intro.subarray(10, 30).toString('hex'));

    // rclone: the same buckets; sizes and MD5s match the tree they were copied from; ranges read.
    expect(await buckets()).toEqual(['docs', 'media']);
    await rclone('check', join(fixture, 'docs'), 'strata:docs');
    await rclone('check', join(fixture, 'media'), 'strata:media');
    const listing = JSON.parse(await rclone('lsjson', '-R', '--hash', '--files-only', 'strata:media')) as { Path: string; Size: number; Hashes?: { md5?: string } }[];
    expect(listing.map((e) => [e.Path, e.Size, e.Hashes?.md5]).sort()).toEqual(files('media').map(([key, body]) => [key, body.length, md5(body)]).sort());
    expect(rcloneCat('--offset', '2000000', '--count', '5000', 'strata:media/clip.bin').equals(clip.subarray(2_000_000, 2_005_000))).toBe(true);
    expect(rcloneCat('strata:docs/ünïcödé/日本語 ファイル.txt').equals(BUCKET_FILES.docs!['ünïcödé/日本語 ファイル.txt']!)).toBe(true);
  });

  it('shows files changed, replaced, removed and added by hand at once, also past the read cache', { timeout: 120_000 }, async () => {
    const readme = join(data, 'docs', 'readme.txt');
    const before = readFileSync(readme);
    // Small enough for the read cache: read it, wait past the window in which a fresh change is not trusted
    // (the first read may also have recorded its ETag, a change of its attributes), and read it again so a
    // GET certainly filled the cache and a third was served from it.
    for (let i = 0; i < 3; i++) {
      expect(rcloneCat('strata:docs/readme.txt').equals(before)).toBe(true);
      await sleep(300);
    }
    // In place: same inode, same size, other bytes (what `>` redirection or a careless editor does).
    const rewritten = Buffer.from(before.toString('utf8').toUpperCase());
    expect(rewritten.length).toBe(before.length);
    writeFileSync(readme, rewritten);
    // Replaced by rename with other bytes and size (what cp, rsync and most editors do).
    const clip = bytes(1024 * 1024 + 1, 77);
    writeFileSync(join(root, 'clip.tmp'), clip);
    renameSync(join(root, 'clip.tmp'), join(data, 'media', 'clip.bin'));
    unlinkSync(join(data, 'media', 'empty.dat'));
    writeFileSync(join(data, 'docs', 'added by hand.txt'), 'new\n');
    mkdirSync(join(data, 'fresh-bucket', 'sub'), { recursive: true });
    writeFileSync(join(data, 'fresh-bucket', 'sub', 'x.txt'), 'in a directory made by hand\n');
    mkdirSync(join(data, 'Bad_Name'));
    writeFileSync(join(data, 'Bad_Name', 'y.txt'), 'not a bucket\n');

    const seen = await probe(server.endpoint, env, {
      headBuckets: ['fresh-bucket', 'Bad_Name'],
      list: ['docs', 'media', 'fresh-bucket'],
      gets: [
        ['docs', 'readme.txt'],
        ['media', 'clip.bin'],
        ['media', 'empty.dat'],
        ['docs', 'added by hand.txt'],
        ['fresh-bucket', 'sub/x.txt'],
      ],
      ranges: [['media', 'clip.bin', 'bytes=1048570-']],
    });
    expect(seen.gets['docs/readme.txt']).toMatchObject({ md5: md5(rewritten), etag: `"${md5(rewritten)}"` });
    expect(seen.gets['media/clip.bin']).toMatchObject({ md5: md5(clip), length: clip.length, etag: `"${md5(clip)}"` });
    expect(seen.gets['media/empty.dat']).toEqual({ status: 404 });
    expect(seen.gets['docs/added by hand.txt']).toMatchObject({ md5: md5(Buffer.from('new\n')) });
    expect(seen.gets['fresh-bucket/sub/x.txt']).toMatchObject({ length: 28 });
    expect(seen.ranges['media/clip.bin bytes=1048570-']?.hex).toBe(clip.subarray(1048570).toString('hex'));
    const listed = (bucket: string) => Object.fromEntries((seen.objects[bucket] ?? []).map(([key, size, etag]) => [key, [size, etag]]));
    expect(listed('docs')['readme.txt']).toEqual([rewritten.length, `"${md5(rewritten)}"`]);
    expect(listed('docs')['added by hand.txt']).toEqual([4, `"${md5(Buffer.from('new\n'))}"`]);
    expect(listed('media')['clip.bin']).toEqual([clip.length, `"${md5(clip)}"`]);
    expect(listed('media')['empty.dat']).toBeUndefined();
    expect(seen.buckets).toEqual(['docs', 'fresh-bucket', 'media']);
    expect(seen.headBucket).toEqual({ 'fresh-bucket': 200, Bad_Name: 404 });

    // rclone sees the same, and reads the rewritten file's new bytes.
    expect(rcloneCat('strata:docs/readme.txt').equals(rewritten)).toBe(true);
    expect(await buckets()).toEqual(['docs', 'fresh-bucket', 'media']);
    const hashes = JSON.parse(await rclone('lsjson', '--hash', '--files-only', 'strata:docs')) as { Path: string; Hashes?: { md5?: string } }[];
    expect(hashes.find((e) => e.Path === 'readme.txt')?.Hashes?.md5).toBe(md5(rewritten));
  });

  it('left every file it did not write as it was', () => {
    const tree = readTree(data);
    for (const [bucket, fileSet] of Object.entries({ ...BUCKET_FILES, ...NOT_BUCKETS })) {
      for (const [key, body] of Object.entries(fileSet)) {
        const path = `${bucket}/${key}`;
        if (['docs/readme.txt', 'media/clip.bin', 'media/empty.dat'].includes(path)) continue; // changed by hand above
        expect(tree.get(path)?.equals(body), path).toBe(true);
      }
    }
    expect(tree.get('top-level.txt')?.toString()).toBe('a file beside the buckets: in no bucket\n');
  });
});
