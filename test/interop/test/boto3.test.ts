/**
 * boto3 at its default settings (a recent botocore: CRC32 checksums and aws-chunked trailers by default)
 * against the object server: upload_file (multipart above 8 MiB), download_file, put/get with checksums,
 * paginators, conditional put with IfNoneMatch, and a typed error. The script prints one JSON result.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startServer } from '../src/harness.ts';
import type { InteropServer } from '../src/harness.ts';

const hasBoto3 = (() => {
  try {
    execFileSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const SCRIPT = String.raw`
import hashlib, json, os, sys
import boto3, botocore
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, work = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=endpoint)  # default settings on purpose
out = {"botocore": botocore.__version__}
bucket = "boto-bucket"
s3.create_bucket(Bucket=bucket)

# put/get with the default checksum (CRC32 via aws-chunked trailer on this botocore)
body = os.urandom(300_000)
put = s3.put_object(Bucket=bucket, Key="dir/obj ü+&.bin", Body=body, Metadata={"k": "v"})
out["put_etag_ok"] = put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
got = s3.get_object(Bucket=bucket, Key="dir/obj ü+&.bin", ChecksumMode="ENABLED")
out["get_ok"] = got["Body"].read() == body
out["get_checksum_crc32"] = "ChecksumCRC32" in got
out["metadata"] = got["Metadata"]

# explicit SHA256 checksum
s3.put_object(Bucket=bucket, Key="sha.bin", Body=b"hello", ChecksumAlgorithm="SHA256")
h = s3.head_object(Bucket=bucket, Key="sha.bin", ChecksumMode="ENABLED")
out["sha256"] = h.get("ChecksumSHA256")

# upload_file: 20 MiB -> multipart with default 8 MiB parts
path = os.path.join(work, "big.bin")
data = os.urandom(20 * 1024 * 1024)
open(path, "wb").write(data)
s3.upload_file(path, bucket, "big.bin")
s3.download_file(bucket, "big.bin", path + ".out")
out["upload_file_ok"] = open(path + ".out", "rb").read() == data
out["big_etag"] = s3.head_object(Bucket=bucket, Key="big.bin")["ETag"]

# paginator over 25 keys, 10 per page
for i in range(25):
    s3.put_object(Bucket=bucket, Key="page/%03d" % i, Body=b"x")
keys, pages = [], 0
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="page/", PaginationConfig={"PageSize": 10}):
    pages += 1
    keys += [c["Key"] for c in page.get("Contents", [])]
out["pages"] = pages
out["paged_keys_ok"] = keys == ["page/%03d" % i for i in range(25)]

# conditional put: IfNoneMatch="*" twice -> the second is 412
s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
try:
    s3.put_object(Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    out["if_none_match"] = "second put succeeded"
except ClientError as e:
    out["if_none_match"] = e.response["Error"]["Code"]
out["once_body"] = s3.get_object(Bucket=bucket, Key="once")["Body"].read().decode()

# a typed error
try:
    s3.get_object(Bucket=bucket, Key="missing")
except s3.exceptions.NoSuchKey:
    out["no_such_key"] = True
print(json.dumps(out))
`;

describe.skipIf(!hasBoto3 && !process.env.CI)('boto3 (default settings)', () => {
  let s: InteropServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => s?.close());

  it('round-trips objects with default checksums, upload_file, paginators, IfNoneMatch and typed errors', async () => {
    const script = join(s.work, 'boto.py');
    writeFileSync(script, SCRIPT);
    const r = await run('python3', [script, s.endpoint, s.work], { ...s.env, PYTHONIOENCODING: 'utf-8' }, { timeoutMs: 180_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(out).toMatchObject({
      put_etag_ok: true,
      get_ok: true,
      get_checksum_crc32: true,
      metadata: { k: 'v' },
      upload_file_ok: true,
      pages: 3,
      paged_keys_ok: true,
      if_none_match: 'PreconditionFailed',
      once_body: '1',
      no_such_key: true,
    });
    expect(out.sha256).toBe('LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=');
    expect(out.big_etag).toMatch(/^"[0-9a-f]{32}-3"$/);
  }, 200_000);
});
