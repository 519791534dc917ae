/**
 * rclone against any target: copy, check, sync, lsjson and a multipart upload (upload cutoff lowered
 * so a 12 MiB file goes multipart). rclone refuses the machine's AWS_CA_BUNDLE on plain http, so the
 * environment omits it (the harness builds a clean environment anyway).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { excluder } from './case-selection.ts';
import type { CaseSelection } from './case-selection.ts';
import { bytes, md5, REGION, run } from './harness.ts';
import type { InteropTarget, StartTarget } from './harness.ts';

/** Declares the rclone cases against a target from `start`. */
export function describeRcloneCases(start: StartTarget, selection: CaseSelection = {}): void {
  const exclude = excluder(selection.exclude);
  describe.skipIf(skipWithout('rclone'))('rclone', () => {
    let s: InteropTarget;
    let env: NodeJS.ProcessEnv;
    const rclone = (...args: string[]) => run('/usr/bin/rclone', ['--config', '/dev/null', ...args], env, { timeoutMs: 120_000 });

    beforeAll(async () => {
      s = await start();
      env = {
        ...s.env,
        RCLONE_CONFIG_STRATA_TYPE: 's3',
        RCLONE_CONFIG_STRATA_PROVIDER: 'Other',
        RCLONE_CONFIG_STRATA_ENDPOINT: s.endpoint,
        RCLONE_CONFIG_STRATA_ACCESS_KEY_ID: s.credentials.accessKeyId,
        RCLONE_CONFIG_STRATA_SECRET_ACCESS_KEY: s.credentials.secretAccessKey,
        RCLONE_CONFIG_STRATA_REGION: REGION,
      };
    });
    afterAll(async () => s?.close());

    exclude(it, 'copies, checks, syncs and lists a tree, with a multipart upload', { timeout: 120_000 }, async () => {
      const src = join(s.work, 'src');
      mkdirSync(join(src, 'sub dir'), { recursive: true });
      writeFileSync(join(src, 'a.txt'), 'alpha');
      writeFileSync(join(src, 'sub dir', 'b+c.bin'), bytes(123_457, 5));
      writeFileSync(join(src, 'big.bin'), bytes(12 * 1024 * 1024, 6));
      await rclone('mkdir', 'strata:rc-bucket');
      await rclone('copy', src, 'strata:rc-bucket/tree', '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M');
      // 12 MiB over a 5 MiB cutoff: one multipart upload of three 5 MiB-chunk parts, not a single PUT.
      const parts = s.requests.filter((r) => r.method === 'PUT' && r.url.startsWith('/rc-bucket/tree/big.bin?') && r.url.includes('partNumber='));
      expect(parts).toHaveLength(3);
      await rclone('check', src, 'strata:rc-bucket/tree');
      const listing = JSON.parse((await rclone('lsjson', '-R', 'strata:rc-bucket/tree')).stdout) as Array<{ Path: string; Size: number; IsDir: boolean }>;
      const files = listing.filter((e) => !e.IsDir).map((e) => [e.Path, e.Size]);
      expect(files.sort()).toEqual([
        ['a.txt', 5],
        ['big.bin', 12 * 1024 * 1024],
        ['sub dir/b+c.bin', 123_457],
      ]);
      // sync deletes what the source no longer has, and brings changes.
      writeFileSync(join(src, 'a.txt'), 'alpha two');
      const back = join(s.work, 'back');
      await rclone('sync', src, 'strata:rc-bucket/tree');
      await rclone('sync', 'strata:rc-bucket/tree', back);
      expect(readFileSync(join(back, 'a.txt'), 'utf8')).toBe('alpha two');
      expect(md5(readFileSync(join(back, 'big.bin')))).toBe(md5(readFileSync(join(src, 'big.bin'))));
      await rclone('check', src, back);
    });

    exclude(it, 'copies and moves server-side, reports MD5s, deletes and purges', { timeout: 120_000 }, async () => {
      writeFileSync(join(s.work, 'one.bin'), bytes(50_000, 9));
      await rclone('mkdir', 'strata:rc-ops');
      await rclone('copyto', join(s.work, 'one.bin'), 'strata:rc-ops/a/one.bin');
      await rclone('copyto', 'strata:rc-ops/a/one.bin', 'strata:rc-ops/b/copy #1+.bin'); // server-side CopyObject
      expect(s.requests.some((r) => r.method === 'PUT' && r.url.startsWith('/rc-ops/b/copy'))).toBe(true);
      await rclone('moveto', 'strata:rc-ops/b/copy #1+.bin', 'strata:rc-ops/c/moved.bin');
      const sums = (await rclone('md5sum', 'strata:rc-ops')).stdout.trim().split('\n').sort();
      const sum = md5(bytes(50_000, 9));
      expect(sums).toEqual([`${sum}  a/one.bin`, `${sum}  c/moved.bin`]);
      await rclone('delete', 'strata:rc-ops/a');
      expect(JSON.parse((await rclone('lsjson', '-R', 'strata:rc-ops')).stdout).filter((e: { IsDir: boolean }) => !e.IsDir).map((e: { Path: string }) => e.Path)).toEqual(['c/moved.bin']);
      await rclone('purge', 'strata:rc-ops');
      const buckets = (await rclone('lsd', 'strata:')).stdout;
      expect(buckets).not.toContain('rc-ops');
      expect(buckets).toContain('rc-bucket');
    });
  });
}
