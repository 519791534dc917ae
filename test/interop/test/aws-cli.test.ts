/**
 * The aws CLI against the object server (issue 5): Debian's v2 (`/usr/bin/aws`) and, where present, the
 * machine's recent v1 (pyenv), which sends CRC checksums and aws-chunked trailers by default.
 * cp, sync, ls, rm, presign, s3api put/get/head/copy/list/delete-objects, and a 40 MiB multipart cp.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, bytes, md5, run, startServer } from '../src/harness.ts';
import type { InteropServer } from '../src/harness.ts';

function pyenvAws(): string | undefined {
  try {
    const p = execFileSync('bash', ['-lc', 'ls /root/.pyenv/versions/*/bin/aws 2>/dev/null | head -1'], { encoding: 'utf8' }).trim();
    return p || undefined;
  } catch {
    return undefined;
  }
}

const clients: Array<[string, string | undefined, boolean]> = [
  ['aws CLI v2 (Debian)', '/usr/bin/aws', available('/usr/bin/aws')],
  ['aws CLI v1 (pyenv, default checksums)', pyenvAws(), Boolean(pyenvAws())],
];

describe.each(clients)('%s', (_name, bin, enabled) => {
  let s: InteropServer;
  const bucket = `cli-${Math.random().toString(36).slice(2, 8)}`;
  const aws = (...args: string[]) => run(bin as string, ['--endpoint-url', s.endpoint, ...args], s.env);

  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => s?.close());

  it.skipIf(!enabled)('makes a bucket, copies files up and down byte-exact, lists and removes', async () => {
    await aws('s3', 'mb', `s3://${bucket}`);
    const small = bytes(10_000, 1);
    writeFileSync(join(s.work, 'small.bin'), small);
    await aws('s3', 'cp', join(s.work, 'small.bin'), `s3://${bucket}/dir/small file+1.bin`);
    await aws('s3', 'cp', `s3://${bucket}/dir/small file+1.bin`, join(s.work, 'small.out'));
    expect(md5(readFileSync(join(s.work, 'small.out')))).toBe(md5(small));
    const ls = await aws('s3', 'ls', `s3://${bucket}/dir/`);
    expect(ls.stdout).toContain('small file+1.bin');
    expect(ls.stdout).toContain('10000');
    await aws('s3', 'rm', `s3://${bucket}/dir/small file+1.bin`);
    expect((await aws('s3', 'ls', `s3://${bucket}/dir/`, '--recursive').catch((e: Error) => ({ stdout: e.message }))).stdout).not.toContain('small file+1.bin');
  });

  it.skipIf(!enabled)('uploads 40 MiB with multipart cp and downloads it byte-exact', async () => {
    const big = bytes(40 * 1024 * 1024, 2);
    writeFileSync(join(s.work, 'big.bin'), big);
    await aws('s3', 'cp', join(s.work, 'big.bin'), `s3://${bucket}/big.bin`);
    const head = JSON.parse((await aws('s3api', 'head-object', '--bucket', bucket, '--key', 'big.bin')).stdout);
    expect(head.ContentLength).toBe(big.length);
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-\d+"$/);
    await aws('s3', 'cp', `s3://${bucket}/big.bin`, join(s.work, 'big.out'));
    expect(md5(readFileSync(join(s.work, 'big.out')))).toBe(md5(big));
  });

  it.skipIf(!enabled)('syncs a directory tree up and back down', async () => {
    const src = join(s.work, 'tree');
    mkdirSync(join(src, 'a', 'b'), { recursive: true });
    writeFileSync(join(src, 'top.txt'), 'top');
    writeFileSync(join(src, 'a', 'one.txt'), 'one');
    writeFileSync(join(src, 'a', 'b', 'two.txt'), bytes(70_000, 3));
    await aws('s3', 'sync', src, `s3://${bucket}/tree`);
    const dst = join(s.work, 'tree-back');
    await aws('s3', 'sync', `s3://${bucket}/tree`, dst);
    for (const f of ['top.txt', 'a/one.txt', 'a/b/two.txt']) expect(md5(readFileSync(join(dst, f)))).toBe(md5(readFileSync(join(src, f))));
    // A second sync has nothing to do.
    const again = await aws('s3', 'sync', src, `s3://${bucket}/tree`);
    expect(again.stdout.trim()).toBe('');
  });

  it.skipIf(!enabled)('presigns a GET that plain fetch can use', async () => {
    writeFileSync(join(s.work, 'p.txt'), 'presigned body');
    await aws('s3', 'cp', join(s.work, 'p.txt'), `s3://${bucket}/p.txt`);
    const url = (await aws('s3', 'presign', `s3://${bucket}/p.txt`, '--expires-in', '300')).stdout.trim();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('presigned body');
  });

  it.skipIf(!enabled)('s3api put/get/head/copy/list/delete-objects', async () => {
    writeFileSync(join(s.work, 'api.txt'), 'api body');
    const put = JSON.parse((await aws('s3api', 'put-object', '--bucket', bucket, '--key', 'api/x y.txt', '--body', join(s.work, 'api.txt'), '--content-type', 'text/plain', '--metadata', 'color=blue')).stdout);
    expect(put.ETag).toBe(`"${md5(Buffer.from('api body'))}"`);
    const head = JSON.parse((await aws('s3api', 'head-object', '--bucket', bucket, '--key', 'api/x y.txt')).stdout);
    expect(head.ContentType).toBe('text/plain');
    expect(head.Metadata).toEqual({ color: 'blue' });
    await aws('s3api', 'copy-object', '--bucket', bucket, '--key', 'api/copy&?.txt', '--copy-source', `${bucket}/api/x y.txt`);
    await aws('s3api', 'get-object', '--bucket', bucket, '--key', 'api/copy&?.txt', join(s.work, 'copy.out'));
    expect(readFileSync(join(s.work, 'copy.out'), 'utf8')).toBe('api body');
    const list = JSON.parse((await aws('s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'api/')).stdout);
    expect(list.Contents.map((c: { Key: string }) => c.Key)).toEqual(['api/copy&?.txt', 'api/x y.txt']);
    const del = JSON.parse(
      (await aws('s3api', 'delete-objects', '--bucket', bucket, '--delete', JSON.stringify({ Objects: [{ Key: 'api/x y.txt' }, { Key: 'api/copy&?.txt' }, { Key: 'api/missing' }] }))).stdout,
    );
    expect(del.Deleted.map((d: { Key: string }) => d.Key).sort()).toEqual(['api/copy&?.txt', 'api/missing', 'api/x y.txt']);
    const after = (await aws('s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'api/')).stdout.trim();
    expect(after === '' || !JSON.parse(after).Contents).toBe(true);
  });

  it.skipIf(!enabled)('reports NoSuchKey for a missing object', async () => {
    const r = await run(bin as string, ['--endpoint-url', s.endpoint, 's3api', 'head-object', '--bucket', bucket, '--key', 'nope'], s.env, { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/404|Not Found/);
    expect(existsSync(join(s.work, 'nope'))).toBe(false);
  });
});
