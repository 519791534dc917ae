/**
 * Object versioning through real clients at their default settings against any target (AWS "Using
 * versioning in S3 buckets", ListObjectVersions, PutBucketVersioning, "Deleting object versions"):
 * `aws s3api` (Debian's /usr/bin/aws), boto3 and rclone `--s3-versions`. Each client enables versioning,
 * writes versions, reads one back by id and lists versions and delete markers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { excluder } from './case-selection.ts';
import type { CaseSelection } from './case-selection.ts';
import { REGION, run } from './harness.ts';
import type { InteropTarget, StartTarget } from './harness.ts';

/** The client's environment without the machine's AWS_CA_BUNDLE (the server is plain http). */
const clientEnv = (s: InteropTarget, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...s.env, ...extra };
  delete env.AWS_CA_BUNDLE;
  return env;
};

interface Listed {
  Versions?: { Key: string; VersionId: string; IsLatest: boolean; Size: number }[];
  DeleteMarkers?: { Key: string; VersionId: string; IsLatest: boolean }[];
}

const python = ['python3', '/usr/bin/python3'].find((bin) => {
  try {
    execFileSync(bin, ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

const BOTO_SCRIPT = String.raw`
import json, sys
import boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1])  # default settings on purpose
bucket = "boto-versions"
s3.create_bucket(Bucket=bucket)
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
ids = [s3.put_object(Bucket=bucket, Key="k/%d" % (i % 2), Body=b"v%d" % i)["VersionId"] for i in range(4)]
marker = s3.delete_object(Bucket=bucket, Key="k/0")
seen = []
for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}):
    for v in page.get("Versions", []):
        seen.append([v["Key"], v["VersionId"], v["IsLatest"], False])
    for m in page.get("DeleteMarkers", []):
        seen.append([m["Key"], m["VersionId"], m["IsLatest"], True])
old = s3.get_object(Bucket=bucket, Key="k/0", VersionId=ids[0])["Body"].read().decode()
try:
    s3.get_object(Bucket=bucket, Key="k/0")
    gone = None
except s3.exceptions.NoSuchKey as e:
    gone = e.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-delete-marker")
deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k/1", "VersionId": ids[3]}]})["Deleted"]
current = s3.get_object(Bucket=bucket, Key="k/1")["Body"].read().decode()
print(json.dumps({"ids": ids, "marker": marker, "seen": seen, "old": old, "gone": gone, "deleted": deleted, "current": current}, default=str))
`;

/** Declares the versioning cases against one target from `start`, shared by the three clients. */
export function describeVersioningCases(start: StartTarget, selection: CaseSelection = {}): void {
  const exclude = excluder(selection.exclude);
  describe('versioning', () => {
    let s: InteropTarget;
    beforeAll(async () => {
      s = await start();
    });
    afterAll(async () => s?.close());

    describe.skipIf(skipWithout('aws'))('aws s3api', () => {
      const aws = async (...args: string[]) => (await run('/usr/bin/aws', ['--endpoint-url', s.endpoint, '--output', 'json', ...args], clientEnv(s))).stdout;

      exclude(it, 'enables versioning, lists versions and delete markers, reads and deletes by version id', { timeout: 120_000 }, async () => {
        const bucket = 'cli-versions';
        await aws('s3api', 'create-bucket', '--bucket', bucket);
        await aws('s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled');
        expect(JSON.parse(await aws('s3api', 'get-bucket-versioning', '--bucket', bucket))).toMatchObject({ Status: 'Enabled' });
        const file = join(s.work, 'cli-body.txt');
        writeFileSync(file, 'first');
        const v1 = JSON.parse(await aws('s3api', 'put-object', '--bucket', bucket, '--key', 'doc.txt', '--body', file)) as { VersionId: string };
        writeFileSync(file, 'second!');
        const v2 = JSON.parse(await aws('s3api', 'put-object', '--bucket', bucket, '--key', 'doc.txt', '--body', file)) as { VersionId: string };
        const marker = JSON.parse(await aws('s3api', 'delete-object', '--bucket', bucket, '--key', 'doc.txt')) as { DeleteMarker: boolean; VersionId: string };
        expect(marker.DeleteMarker).toBe(true);
        const listed = JSON.parse(await aws('s3api', 'list-object-versions', '--bucket', bucket)) as Listed;
        expect(listed.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
          [v2.VersionId, false, 7],
          [v1.VersionId, false, 5],
        ]);
        expect(listed.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).toEqual([['doc.txt', marker.VersionId, true]]);
        // The CLI pages by key and version-id markers itself: one version per request still lists all three.
        const paged = JSON.parse(await aws('s3api', 'list-object-versions', '--bucket', bucket, '--page-size', '1')) as Listed;
        expect((paged.Versions?.length ?? 0) + (paged.DeleteMarkers?.length ?? 0)).toBe(3);
        const out = join(s.work, 'cli-v1.txt');
        await aws('s3api', 'get-object', '--bucket', bucket, '--key', 'doc.txt', '--version-id', v1.VersionId, out);
        expect(readFileSync(out, 'utf8')).toBe('first');
        await aws('s3api', 'delete-object', '--bucket', bucket, '--key', 'doc.txt', '--version-id', marker.VersionId);
        await aws('s3api', 'get-object', '--bucket', bucket, '--key', 'doc.txt', out);
        expect(readFileSync(out, 'utf8')).toBe('second!');
      });
    });

    describe.skipIf(python === undefined)('boto3', () => {
      exclude(it, 'pages list_object_versions, reads a version and deletes one through delete_objects', { timeout: 120_000 }, async () => {
        const script = join(s.work, 'versions.py');
        writeFileSync(script, BOTO_SCRIPT);
        const r = JSON.parse((await run(python as string, [script, s.endpoint], clientEnv(s))).stdout) as {
          ids: string[];
          marker: { DeleteMarker: boolean; VersionId: string };
          seen: [string, string, boolean, boolean][];
          old: string;
          gone: string | null;
          deleted: { Key: string; VersionId: string }[];
          current: string;
        };
        const [a, b, c, d] = r.ids;
        expect(r.marker.DeleteMarker).toBe(true);
        // One entry per page, so the pages' order is the listing's: keys in order, each key's versions newest
        // first, the marker on top of k/0.
        expect(r.seen).toEqual([
          ['k/0', r.marker.VersionId, true, true],
          ['k/0', c, false, false],
          ['k/0', a, false, false],
          ['k/1', d, true, false],
          ['k/1', b, false, false],
        ]);
        expect(r.old).toBe('v0');
        expect(r.gone).toBe('true');
        expect(r.deleted).toEqual([{ Key: 'k/1', VersionId: d }]);
        expect(r.current).toBe('v1');
      });
    });

    describe.skipIf(skipWithout('rclone'))('rclone --s3-versions', () => {
      exclude(it, 'lists old versions beside current files', { timeout: 120_000 }, async () => {
        const env = clientEnv(s, {
          RCLONE_CONFIG_STRATA_TYPE: 's3',
          RCLONE_CONFIG_STRATA_PROVIDER: 'Other',
          RCLONE_CONFIG_STRATA_ENDPOINT: s.endpoint,
          RCLONE_CONFIG_STRATA_ACCESS_KEY_ID: s.credentials.accessKeyId,
          RCLONE_CONFIG_STRATA_SECRET_ACCESS_KEY: s.credentials.secretAccessKey,
          RCLONE_CONFIG_STRATA_REGION: REGION,
        });
        const rclone = (...args: string[]) => run('/usr/bin/rclone', ['--config', '/dev/null', ...args], env, { timeoutMs: 120_000 });
        await rclone('mkdir', 'strata:rc-versions');
        await rclone('backend', 'versioning', 'strata:rc-versions', 'Enabled');
        const file = join(s.work, 'note.txt');
        writeFileSync(file, 'old text');
        await rclone('copyto', file, 'strata:rc-versions/note.txt');
        // A later write: rclone names the old version after its modification time, at one-second resolution.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        writeFileSync(file, 'new text, longer');
        await rclone('copyto', file, 'strata:rc-versions/note.txt');
        const plain = (await rclone('lsf', 'strata:rc-versions')).stdout.trim().split('\n');
        expect(plain).toEqual(['note.txt']);
        const withVersions = (await rclone('lsf', '--s3-versions', 'strata:rc-versions')).stdout.trim().split('\n').sort();
        expect(withVersions).toHaveLength(2);
        expect(withVersions).toContain('note.txt');
        const old = withVersions.find((n) => /^note-v\d{4}-\d{2}-\d{2}-\d{6}-\d{3}\.txt$/.test(n));
        expect(old).toBeDefined();
        expect((await rclone('cat', '--s3-versions', `strata:rc-versions/${old}`)).stdout).toBe('old text');
      });
    });
  });
}
