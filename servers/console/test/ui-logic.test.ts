/**
 * The browser app's pure parts, in Node: hash routes that round-trip any key, breadcrumbs, the form checks
 * (S3's bucket naming rules, folder and metadata names), page sorting, the part plan (S3's 10,000-part limit),
 * number formats, and share links — presigned in Node exactly as in the browser and fetched from the real
 * server — with their 7-day limit and the download's Content-Disposition.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber } from '../ui/format.ts';
import { breadcrumbs, parentPrefix, parseHash, routeHash } from '../ui/router.ts';
import type { Route } from '../ui/router.ts';
import { MAX_EXPIRY_SECONDS, attachmentDisposition, shareLink } from '../ui/s3/share.ts';
import { sortObjects } from '../ui/sort-objects.ts';
import { MAX_PARTS, partSizeFor, planParts } from '../ui/upload/part-plan.ts';
import { bucketNameProblem, folderNameProblem, metadataProblem } from '../ui/validation.ts';
import { placeholderAssets, startConsoleServer } from './helpers/console-server.ts';
import type { ConsoleServer } from './helpers/console-server.ts';

const MIB = 1024 * 1024;

describe('hash routes', () => {
  const hostile = ['a/b/c.txt', 'dir/', 'a//b', '#hash?query=1&x', '100% sure', 'spaces and+plus', 'ünïcødé/日本語', '../..', '/leading', 'trailing//'];

  it.each(hostile)('round-trips the key %j', (key) => {
    const object: Route = { view: 'object', bucket: 'b.1-x', key };
    expect(parseHash(routeHash(object))).toEqual(object);
    if (key.endsWith('/')) expect(parseHash(routeHash({ view: 'browse', bucket: 'b', prefix: key }))).toEqual({ view: 'browse', bucket: 'b', prefix: key });
  });

  it('falls back to the bucket list for anything unknown or malformed', () => {
    for (const hash of ['', '#', '#/', '#/nope', '#/browse/', '#/object/%E0%A4%A/x']) expect(parseHash(hash)).toEqual({ view: 'buckets' });
    expect(parseHash('#/server')).toEqual({ view: 'server' });
    expect(parseHash('#/object/b/')).toEqual({ view: 'browse', bucket: 'b', prefix: '' });
  });

  it('splits folders into breadcrumbs and finds an object’s folder', () => {
    expect(breadcrumbs('a/b/')).toEqual([{ name: 'a', prefix: 'a/' }, { name: 'b', prefix: 'a/b/' }]);
    expect(breadcrumbs('a//')).toEqual([{ name: 'a', prefix: 'a/' }, { name: '', prefix: 'a//' }]);
    expect([parentPrefix('a/b/c'), parentPrefix('a'), parentPrefix('a/b/')]).toEqual(['a/b/', '', 'a/']);
  });
});

describe('form checks', () => {
  it('follows S3’s bucket naming rules', () => {
    for (const ok of ['abc', 'my-bucket.2024', 'a'.repeat(63)]) expect(bucketNameProblem(ok), ok).toBeUndefined();
    for (const bad of ['ab', 'a'.repeat(64), 'Upper', '-start', 'end-', 'a..b', '192.168.1.1', 'under_score']) expect(bucketNameProblem(bad), bad).toBeDefined();
  });

  it('checks folder and metadata names', () => {
    expect([folderNameProblem('docs'), folderNameProblem('docs/')]).toEqual([undefined, undefined]);
    for (const bad of ['', '/', 'a/b']) expect(folderNameProblem(bad), bad).toBeDefined();
    expect(metadataProblem([{ name: 'Owner', value: 'x' }, { name: 'x-y_z.1', value: '' }])).toBeUndefined();
    expect(metadataProblem([{ name: 'has space', value: '' }])).toMatch(/not a valid/);
    expect(metadataProblem([{ name: 'a', value: '1' }, { name: 'A', value: '2' }])).toMatch(/twice/);
  });
});

describe('page sorting', () => {
  const entry = (key: string, size: number, time: number) => ({ key, size, lastModified: new Date(time), etag: '' });
  const page = [entry('b', 5, 2), entry('a', 5, 3), entry('c', 1, 1)];
  it.each([
    ['name-asc', ['a', 'b', 'c']],
    ['name-desc', ['c', 'b', 'a']],
    ['size-desc', ['a', 'b', 'c']],
    ['size-asc', ['c', 'a', 'b']],
    ['date-desc', ['a', 'b', 'c']],
    ['date-asc', ['c', 'b', 'a']],
  ] as const)('%s', (order, keys) => {
    expect(sortObjects(page, order).map((o) => o.key)).toEqual(keys);
  });
});

describe('the part plan', () => {
  it('uses the minimum part size, larger only past 10,000 parts, and covers the file exactly', () => {
    expect(partSizeFor(20 * MIB)).toBe(5 * MIB);
    expect(partSizeFor(100_000 * MIB)).toBe(10 * MIB);
    expect(partSizeFor(10 * MIB, 8 * MIB)).toBe(8 * MIB);
    const parts = planParts(12 * MIB + 1, 5 * MIB);
    expect(parts.map((p) => [p.partNumber, p.end - p.start])).toEqual([[1, 5 * MIB], [2, 5 * MIB], [3, 2 * MIB + 1]]);
    expect(planParts(0, 5 * MIB)).toEqual([]);
    const huge = 5 * 1024 ** 4;
    expect(planParts(huge, partSizeFor(huge)).length).toBeLessThanOrEqual(MAX_PARTS);
    expect(() => planParts(MAX_PARTS + 1, 1)).toThrow(RangeError);
  });
});

describe('formats', () => {
  it('writes sizes, numbers and durations', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(52.369), formatBytes(1.25), formatBytes(1536), formatBytes(20 * MIB), formatBytes(-1)]).toEqual([
      '0 B',
      '1023 B',
      '52 B',
      '1.3 B',
      '1.50 KiB',
      '20.0 MiB',
      '—',
    ]);
    expect([formatNumber(0), formatNumber(0.3333), formatNumber(12.34), formatNumber(1234.5), formatNumber(NaN)]).toEqual(['0', '0.333', '12.3', '1,235', '—']);
    expect([formatDuration(12), formatDuration(250), formatDuration(7300), formatDuration(90_000)]).toEqual(['12s', '4m 10s', '2h 1m', '1d 1h']);
  });
});

describe('share links against the real server', () => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await startConsoleServer({ assets: placeholderAssets() });
    await server.s3.send(new CreateBucketCommand({ Bucket: 'share' }));
    await server.s3.send(new PutObjectCommand({ Bucket: 'share', Key: 'dir/ünï cødé.txt', Body: 'shared' }));
  });
  afterAll(() => server.close());

  it('presigns a GET that anyone can fetch, for up to 7 days', async () => {
    const link = await shareLink(server.s3, 'share', 'dir/ünï cødé.txt', MAX_EXPIRY_SECONDS);
    expect(new URL(link).searchParams.get('X-Amz-Expires')).toBe('604800');
    const r = await fetch(link);
    expect([r.status, await r.text()]).toEqual([200, 'shared']);
    for (const bad of [0, MAX_EXPIRY_SECONDS + 1, 1.5]) await expect(shareLink(server.s3, 'share', 'k', bad)).rejects.toThrow(RangeError);
  });

  it('names downloads after the key’s last segment, in UTF-8 with an ASCII fallback (RFC 6266)', async () => {
    const disposition = attachmentDisposition('dir/ünï cødé.txt');
    expect(disposition).toBe(`attachment; filename="_n_ c_d_.txt"; filename*=UTF-8''%C3%BCn%C3%AF%20c%C3%B8d%C3%A9.txt`);
    const url = await getSignedUrl(server.s3, new GetObjectCommand({ Bucket: 'share', Key: 'dir/ünï cødé.txt', ResponseContentDisposition: disposition }), { expiresIn: 60 });
    expect((await fetch(url)).headers.get('content-disposition')).toBe(disposition);
    expect(attachmentDisposition('a "quoted" \\ name')).toBe(`attachment; filename="a _quoted_ _ name"; filename*=UTF-8''a%20%22quoted%22%20%5C%20name`);
  });
});
