/** s3cmd against any target: mb, put, get, sync, info, del, and a multipart put (5 MiB chunks). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { excluder } from './case-selection.ts';
import type { CaseSelection } from './case-selection.ts';
import { bytes, md5, run } from './harness.ts';
import type { InteropTarget, StartTarget } from './harness.ts';

/** Declares the s3cmd cases against a target from `start`. */
export function describeS3cmdCases(start: StartTarget, selection: CaseSelection = {}): void {
  const exclude = excluder(selection.exclude);
  describe.skipIf(skipWithout('s3cmd'))('s3cmd', () => {
    let s: InteropTarget;
    let cfg: string;
    const s3cmd = (...args: string[]) => run('/usr/bin/s3cmd', ['-c', cfg, ...args], s.env, { timeoutMs: 120_000 });

    beforeAll(async () => {
      s = await start();
      cfg = join(s.work, 's3cfg');
      const host = `127.0.0.1:${s.port}`;
      writeFileSync(
        cfg,
        [
          '[default]',
          `access_key = ${s.credentials.accessKeyId}`,
          `secret_key = ${s.credentials.secretAccessKey}`,
          `host_base = ${host}`,
          `host_bucket = ${host}`,
          'use_https = False',
          'signature_v2 = False',
          'bucket_location = us-east-1',
          '',
        ].join('\n'),
      );
    });
    afterAll(async () => s?.close());

    exclude(it, 'puts, gets, syncs, shows info and deletes, with a multipart put', { timeout: 120_000 }, async () => {
      await s3cmd('mb', 's3://cmd-bucket');
      const small = bytes(4321, 7);
      writeFileSync(join(s.work, 'small.bin'), small);
      await s3cmd('put', join(s.work, 'small.bin'), 's3://cmd-bucket/x/small.bin', '--mime-type=application/x-test');
      await s3cmd('get', 's3://cmd-bucket/x/small.bin', join(s.work, 'small.out'));
      expect(md5(readFileSync(join(s.work, 'small.out')))).toBe(md5(small));
      const info = (await s3cmd('info', 's3://cmd-bucket/x/small.bin')).stdout;
      expect(info).toContain('4321');
      expect(info).toContain(md5(small));
      expect(info).toContain('application/x-test');

      const big = bytes(17 * 1024 * 1024, 8);
      writeFileSync(join(s.work, 'big.bin'), big);
      await s3cmd('put', '--multipart-chunk-size-mb=5', join(s.work, 'big.bin'), 's3://cmd-bucket/big.bin');
      // 17 MiB in 5 MiB chunks: four parts of one multipart upload.
      const parts = s.requests.filter((r) => r.method === 'PUT' && r.url.startsWith('/cmd-bucket/big.bin?') && r.url.includes('partNumber='));
      expect(parts).toHaveLength(4);
      expect((await s.storage.head('cmd-bucket/big.bin')).etag).toMatch(/^[0-9a-f]{32}-4$/);
      // For a multipart ETag s3cmd `info` shows the whole-file MD5 it kept in x-amz-meta-s3cmd-attrs: metadata
      // written is metadata read back.
      expect((await s3cmd('info', 's3://cmd-bucket/big.bin')).stdout).toMatch(new RegExp(`MD5 sum:\\s+${md5(big)}`));
      await s3cmd('get', 's3://cmd-bucket/big.bin', join(s.work, 'big.out'));
      expect(md5(readFileSync(join(s.work, 'big.out')))).toBe(md5(big));

      const tree = join(s.work, 'tree');
      mkdirSync(join(tree, 'd'), { recursive: true });
      writeFileSync(join(tree, 'one.txt'), 'one');
      writeFileSync(join(tree, 'd', 'two.txt'), 'two');
      await s3cmd('sync', `${tree}/`, 's3://cmd-bucket/tree/');
      const back = join(s.work, 'back');
      mkdirSync(back);
      await s3cmd('sync', 's3://cmd-bucket/tree/', `${back}/`);
      expect(readFileSync(join(back, 'd', 'two.txt'), 'utf8')).toBe('two');

      await s3cmd('del', 's3://cmd-bucket/x/small.bin');
      const ls = (await s3cmd('ls', '-r', 's3://cmd-bucket')).stdout;
      expect(ls).not.toContain('small.bin');
      expect(ls).toContain('big.bin');
    });

    exclude(it, 'copies, moves, modifies headers, sizes and refuses to remove a non-empty bucket', { timeout: 120_000 }, async () => {
      await s3cmd('mb', 's3://cmd-ops');
      writeFileSync(join(s.work, 'o.txt'), 'ops body');
      await s3cmd('put', join(s.work, 'o.txt'), 's3://cmd-ops/src/o.txt');
      await s3cmd('cp', 's3://cmd-ops/src/o.txt', 's3://cmd-ops/dst/copy & co.txt');
      await s3cmd('mv', 's3://cmd-ops/dst/copy & co.txt', 's3://cmd-ops/moved/o.txt');
      // `modify` is a CopyObject onto itself with REPLACE metadata.
      await s3cmd('modify', '--add-header=Cache-Control:max-age=60', 's3://cmd-ops/moved/o.txt');
      const info = await s.storage.head('cmd-ops/moved/o.txt');
      expect(info.cacheControl).toBe('max-age=60');
      expect(info.size).toBe(8);
      const ls = (await s3cmd('ls', '-r', 's3://cmd-ops')).stdout;
      expect(ls).toContain('s3://cmd-ops/src/o.txt');
      expect(ls).toContain('s3://cmd-ops/moved/o.txt');
      expect(ls).not.toContain('copy & co');
      expect((await s3cmd('du', 's3://cmd-ops')).stdout).toMatch(/^\s*16\s+2 objects/);
      const rb = await run('/usr/bin/s3cmd', ['-c', cfg, 'rb', 's3://cmd-ops'], s.env, { allowFail: true, timeoutMs: 60_000 });
      expect(rb.code).not.toBe(0);
      expect(rb.stderr).toContain('BucketNotEmpty');
      await s3cmd('del', '--recursive', '--force', 's3://cmd-ops');
      await s3cmd('rb', 's3://cmd-ops');
      expect((await s3cmd('ls')).stdout).not.toContain('cmd-ops');
    });
  });
}
