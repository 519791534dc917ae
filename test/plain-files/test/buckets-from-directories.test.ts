/**
 * Buckets made by hand: a top-level directory created in the data directory while the server runs is a
 * bucket at once, and from then on it lives as an S3 bucket does (the aws CLI drives it):
 * - `aws s3 rb --force` works on it: the objects are deleted (the file store then removes the empty
 *   directory), and DeleteBucket still finds the bucket to delete;
 * - a bucket emptied object by object stays, empty, until DeleteBucket
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html);
 * - CreateBucket of a name a directory already holds keeps the files (us-east-1 answers 200, as S3 does for
 *   one's own bucket, https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html);
 * - a file at the top level is in no bucket, and the server's own state never shows as one.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { run, startServer } from '../../interop/src/harness.ts';
import type { InteropServer } from '../../interop/src/harness.ts';

describe.skipIf(skipWithout('aws'))('buckets made by hand (aws CLI)', () => {
  let s: InteropServer;
  const aws = async (...args: string[]) => (await run('/usr/bin/aws', ['--endpoint-url', s.endpoint, ...args], s.env)).stdout;
  const bucketNames = async () => (JSON.parse(await aws('s3api', 'list-buckets')) as { Buckets: { Name: string }[] }).Buckets.map((b) => b.Name);
  const keys = async (bucket: string) =>
    ((JSON.parse((await aws('s3api', 'list-objects-v2', '--bucket', bucket)) || '{}') as { Contents?: { Key: string }[] }).Contents ?? []).map((o) => o.Key);
  const handMade = (bucket: string, files: Record<string, string>) => {
    for (const [key, text] of Object.entries(files)) {
      mkdirSync(join(s.data, bucket, key, '..'), { recursive: true });
      writeFileSync(join(s.data, bucket, key), text);
    }
  };

  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => s?.close());

  it('removes a bucket made by hand with `aws s3 rb --force`', { timeout: 60_000 }, async () => {
    handMade('photos', { 'a.jpg': 'jpeg bytes', 'trip/b.jpg': 'more jpeg bytes' });
    expect(await bucketNames()).toContain('photos');
    await aws('s3', 'rb', 's3://photos', '--force');
    expect(await bucketNames()).not.toContain('photos');
    expect(existsSync(join(s.data, 'photos'))).toBe(false);
    const head = await run('/usr/bin/aws', ['--endpoint-url', s.endpoint, 's3api', 'head-bucket', '--bucket', 'photos'], s.env, { allowFail: true });
    expect(head.code).not.toBe(0);
    expect(head.stderr).toMatch(/404|Not Found/);
  });

  it('keeps a bucket made by hand after its last object is deleted, until DeleteBucket', { timeout: 60_000 }, async () => {
    handMade('scratch', { 'only.txt': 'one object' });
    await aws('s3api', 'delete-object', '--bucket', 'scratch', '--key', 'only.txt');
    expect(existsSync(join(s.data, 'scratch'))).toBe(false); // the file store removed the empty directory
    expect(await bucketNames()).toContain('scratch');
    await aws('s3api', 'head-bucket', '--bucket', 'scratch');
    expect(await keys('scratch')).toEqual([]);
    await aws('s3api', 'delete-bucket', '--bucket', 'scratch');
    expect(await bucketNames()).not.toContain('scratch');
  });

  it('keeps the files when CreateBucket names a directory made by hand', { timeout: 60_000 }, async () => {
    handMade('shared', { 'report.csv': 'a,b\n1,2\n' });
    await aws('s3api', 'create-bucket', '--bucket', 'shared');
    expect(await keys('shared')).toEqual(['report.csv']);
  });

  it('puts top-level files in no bucket and shows no server state as a bucket', { timeout: 60_000 }, async () => {
    writeFileSync(join(s.data, 'loose.txt'), 'beside the buckets');
    await aws('s3api', 'create-bucket', '--bucket', 'made-by-s3');
    await aws('s3api', 'put-object', '--bucket', 'made-by-s3', '--key', 'k', '--body', join(s.data, 'loose.txt'));
    // The server's records are on disk (under the escaped name of its `.strata/` prefix) …
    expect(readdirSync(s.data)).toContain('.strata-esc.strata');
    // … and neither they nor the loose file are a bucket or in one.
    const names = await bucketNames();
    expect(names.filter((n) => n.startsWith('.') || n.includes('loose'))).toEqual([]);
    const get = await run('/usr/bin/aws', ['--endpoint-url', s.endpoint, 's3api', 'head-bucket', '--bucket', 'loose.txt'], s.env, { allowFail: true });
    expect(get.code).not.toBe(0);
    for (const bucket of names) expect(await keys(bucket)).not.toContain('loose.txt');
  });
});
