/**
 * The aws CLI cases, for any {@link StartTarget}: Debian's v2 (`/usr/bin/aws`) and, where present, the
 * machine's recent v1 (pyenv), which sends CRC checksums and aws-chunked trailers by default, each at its default
 * settings. cp, sync, ls, rm, presign, s3api put/get/head/copy/list/delete-objects, and a 40 MiB multipart cp.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { excluder } from './case-selection.ts';
import type { CaseSelection } from './case-selection.ts';
import { bytes, httpGet, md5, REGION, run } from './harness.ts';
import type { InteropTarget, StartTarget } from './harness.ts';

function pyenvAws(): string | undefined {
  try {
    const p = execFileSync('bash', ['-lc', 'ls /root/.pyenv/versions/*/bin/aws 2>/dev/null | head -1'], { encoding: 'utf8' }).trim();
    return p || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Each CLI: name, binary, whether it is installed, whether it talks https. CLI v1 (botocore 1.4x) sends its
 * default CRC32 as an aws-chunked trailer only over https, so it talks to the server through the harness's TLS
 * terminator; CLI v2 2.9 (no default checksums yet) uses plain http.
 */
export const CLIENTS: Array<[string, string | undefined, boolean, boolean]> = [
  ['aws CLI v2 (Debian, http)', '/usr/bin/aws', !skipWithout('aws'), false],
  ['aws CLI v1 (pyenv, https: default CRC32 trailers)', pyenvAws(), Boolean(pyenvAws()), true],
];

/** What a target runs of these cases. */
export interface AwsCliSelection extends CaseSelection {
  /** The CLIs to run ({@link CLIENTS} by default). */
  clients?: typeof CLIENTS;
}

/**
 * Declares the aws CLI cases (one group per CLI found) against targets from `start`; `selection` excludes
 * cases a target documents as unsupported, each with its reason.
 */
export function describeAwsCliCases(start: StartTarget, selection: AwsCliSelection = {}): void {
  const clients = selection.clients ?? CLIENTS;
  const exclude = excluder(selection.exclude);
  describe.each(clients)('%s', (_name, bin, enabled, tls) => {
    let s: InteropTarget;
    const bucket = `cli-${Math.random().toString(36).slice(2, 8)}`;
    const aws = (...args: string[]) => run(bin as string, ['--endpoint-url', s.endpoint, ...args], s.env);

    beforeAll(async () => {
      s = await start({ tls });
      if (enabled) await aws('s3', 'mb', `s3://${bucket}`);
    });
    afterAll(async () => s?.close());

    exclude(it.skipIf(!enabled), 'made a bucket; copies files up and down byte-exact, lists and removes', async () => {
      expect((await aws('s3', 'ls')).stdout).toContain(bucket);
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
    }, 60_000);

    exclude(it.skipIf(!enabled), 'uploads 40 MiB with multipart cp and downloads it byte-exact', async () => {
      const big = bytes(40 * 1024 * 1024, 2);
      writeFileSync(join(s.work, 'big.bin'), big);
      await aws('s3', 'cp', join(s.work, 'big.bin'), `s3://${bucket}/big.bin`);
      const parts = s.requests.filter((r) => r.method === 'PUT' && r.url.includes('/big.bin?') && r.url.includes('partNumber='));
      expect(parts.length).toBe(5); // 40 MiB in the CLI's default 8 MiB parts
      // botocore 1.36+ (CLI v1 here) streams parts as aws-chunked with a CRC32 trailer over https.
      if (tls) for (const p of parts) expect(p).toMatchObject({ payload: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', trailer: 'x-amz-checksum-crc32' });
      const head = JSON.parse((await aws('s3api', 'head-object', '--bucket', bucket, '--key', 'big.bin')).stdout);
      expect(head.ContentLength).toBe(big.length);
      expect(head.ETag).toMatch(/^"[0-9a-f]{32}-\d+"$/);
      await aws('s3', 'cp', `s3://${bucket}/big.bin`, join(s.work, 'big.out'));
      expect(md5(readFileSync(join(s.work, 'big.out')))).toBe(md5(big));
    }, 180_000);

    exclude(it.skipIf(!enabled), 'syncs a directory tree up and back down', async () => {
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
    }, 60_000);

    exclude(it.skipIf(!enabled), 'presigns a GET that a plain HTTP client can use', async () => {
      writeFileSync(join(s.work, 'p.txt'), 'presigned body');
      await aws('s3', 'cp', join(s.work, 'p.txt'), `s3://${bucket}/p.txt`);
      let url = (await aws('s3', 'presign', `s3://${bucket}/p.txt`, '--expires-in', '300')).stdout.trim();
      if (bin !== '/usr/bin/aws') {
        // CLI v1 presigns with Signature Version 2 unless `s3.signature_version = s3v4` is configured; the server
        // accepts SigV2 presigned URLs as MinIO and Ceph do, and the signature still covers the path.
        expect(url).toContain('AWSAccessKeyId=');
        const v2 = await httpGet(url, s.ca);
        expect(v2.status).toBe(200);
        expect(v2.body).toBe('presigned body');
        const v2other = await httpGet(url.replace('/p.txt?', '/q.txt?'), s.ca);
        expect(v2other.status).toBe(403);
        expect(v2other.body).toContain('<Code>SignatureDoesNotMatch</Code>');
        // With s3v4 configured (https://docs.aws.amazon.com/AmazonS3/latest/API/specify-signature-version.html).
        const config = join(s.work, 'aws-config-s3v4');
        writeFileSync(config, `[default]\nregion = ${REGION}\ns3 =\n    signature_version = s3v4\n`);
        url = (await run(bin as string, ['--endpoint-url', s.endpoint, 's3', 'presign', `s3://${bucket}/p.txt`, '--expires-in', '300'], { ...s.env, AWS_CONFIG_FILE: config })).stdout.trim();
      }
      expect(url).toContain('X-Amz-Algorithm=AWS4-HMAC-SHA256');
      const res = await httpGet(url, s.ca);
      expect(res.status).toBe(200);
      expect(res.body).toBe('presigned body');
      // The signature covers the path: the same query on another key is refused.
      const other = await httpGet(url.replace('/p.txt?', '/q.txt?'), s.ca);
      expect(other.status).toBe(403);
      expect(other.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    }, 60_000);

    exclude(it.skipIf(!enabled), 's3api put/get/head/copy/list/delete-objects', async () => {
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
    }, 60_000);

    // Keys with characters that must be percent-encoded in a path (`+ ? & # %`, space) and non-ASCII text.
    // S3 keys are any UTF-8 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).
    const NASTY = ['plus+sign.txt', 'query?x=1&y=2.txt', 'hash#frag.txt', '100% pct.txt', 'pct%2Fnot-a-slash.txt', 'ünïcødé 日本語 🎉.txt', "misc ~!$'()*,;=@[] {}.txt"];

    exclude(it.skipIf(!enabled), 's3api put/head/get/copy/list/delete keys with + ? & # % and unicode', async () => {
      const key = 'sp/a+b ?&#% ü 日本 🎉.txt';
      writeFileSync(join(s.work, 'nasty.txt'), 'nasty body');
      const put = JSON.parse((await aws('s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', join(s.work, 'nasty.txt'))).stdout);
      expect(put.ETag).toBe(`"${md5(Buffer.from('nasty body'))}"`);
      const head = JSON.parse((await aws('s3api', 'head-object', '--bucket', bucket, '--key', key)).stdout);
      expect(head.ContentLength).toBe(10);
      const copyKey = 'sp/copy of +?&#%ü.txt';
      await aws('s3api', 'copy-object', '--bucket', bucket, '--key', copyKey, '--copy-source', `${bucket}/${key}`);
      await aws('s3api', 'get-object', '--bucket', bucket, '--key', copyKey, join(s.work, 'nasty.out'));
      expect(readFileSync(join(s.work, 'nasty.out'), 'utf8')).toBe('nasty body');
      // The server holds the exact keys (not a decoded or double-encoded variant).
      expect((await s.storage.head(`${bucket}/${key}`)).size).toBe(10);
      expect((await s.storage.head(`${bucket}/${copyKey}`)).size).toBe(10);
      const list = JSON.parse((await aws('s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'sp/')).stdout);
      expect(list.Contents.map((c: { Key: string }) => c.Key)).toEqual([key, copyKey].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      const del = JSON.parse((await aws('s3api', 'delete-objects', '--bucket', bucket, '--delete', JSON.stringify({ Objects: [{ Key: key }, { Key: copyKey }] }))).stdout);
      expect(del.Deleted.map((d: { Key: string }) => d.Key).sort()).toEqual([key, copyKey].sort());
      await expect(s.storage.head(`${bucket}/${key}`)).rejects.toMatchObject({ code: 'NotFound' });
    }, 90_000);

    exclude(it.skipIf(!enabled), 's3 cp --recursive round-trips file names with + ? & # % and unicode', async () => {
      const dir = join(s.work, 'nasty-tree');
      mkdirSync(dir, { recursive: true });
      NASTY.forEach((name, i) => writeFileSync(join(dir, name), `file ${i}`));
      await aws('s3', 'cp', dir, `s3://${bucket}/nasty/`, '--recursive');
      const list = JSON.parse((await aws('s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'nasty/')).stdout);
      expect(list.Contents.map((c: { Key: string }) => c.Key).sort()).toEqual(NASTY.map((n) => `nasty/${n}`).sort());
      const back = join(s.work, 'nasty-back');
      await aws('s3', 'cp', `s3://${bucket}/nasty/`, back, '--recursive');
      NASTY.forEach((name, i) => expect(readFileSync(join(back, name), 'utf8'), name).toBe(`file ${i}`));
    }, 90_000);

    exclude(it.skipIf(!enabled), 's3 ls and s3api list-objects(-v2) page through more than 1000 keys', async () => {
      const many = `${bucket}-many`;
      await aws('s3', 'mb', `s3://${many}`);
      const count = 1_205;
      const name = (i: number) => `k/${String(i).padStart(5, '0')}`;
      // Seeded through the storage (the listing is under test, not 1205 uploads); the bucket is the first segment.
      for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => s.storage.put(`${many}/${name(i + j)}`, 'x')));
      const ls = (await aws('s3', 'ls', `s3://${many}/`, '--recursive')).stdout.trim().split('\n');
      expect(ls).toHaveLength(count);
      expect(ls.map((l) => l.split(/\s+/).pop())).toEqual(Array.from({ length: count }, (_, i) => name(i)));
      const v2 = JSON.parse((await aws('s3api', 'list-objects-v2', '--bucket', many)).stdout);
      expect(v2.Contents).toHaveLength(count);
      const v1 = JSON.parse((await aws('s3api', 'list-objects', '--bucket', many)).stdout);
      expect(v1.Contents.map((c: { Key: string }) => c.Key)).toEqual(Array.from({ length: count }, (_, i) => name(i)));
      // --page-size forces small pages: the CLI must follow the continuation tokens to the end.
      const paged = JSON.parse((await aws('s3api', 'list-objects-v2', '--bucket', many, '--page-size', '400')).stdout);
      expect(paged.Contents).toHaveLength(count);
      await aws('s3', 'rb', `s3://${many}`, '--force');
      await expect(s.storage.head(`${many}/${name(0)}`)).rejects.toMatchObject({ code: 'NotFound' });
    }, 120_000);

    exclude(it.skipIf(!enabled), 'reports NoSuchKey for a missing object', async () => {
      const r = await run(bin as string, ['--endpoint-url', s.endpoint, 's3api', 'head-object', '--bucket', bucket, '--key', 'nope'], s.env, { allowFail: true });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/404|Not Found/);
      expect(existsSync(join(s.work, 'nope'))).toBe(false);
    }, 60_000);
  });
}
