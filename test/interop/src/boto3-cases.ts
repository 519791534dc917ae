/**
 * boto3 at its default settings (a recent botocore: CRC32 checksums and aws-chunked trailers by default; on
 * Debian's botocore 1.29, which CI installs, the PutObject asks for CRC32 explicitly and takes the same paths)
 * against any {@link StartTarget}: upload_file (multipart above 8 MiB), download_file, put/get with checksums,
 * paginators, conditional puts (IfNoneMatch, IfMatch), copy, ranged get, delete_objects, upload_fileobj of an
 * unseekable stream, presigned URLs and a typed error, over http and https. The script prints one JSON result.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { excluder } from './case-selection.ts';
import type { CaseSelection } from './case-selection.ts';
import { run } from './harness.ts';
import type { InteropTarget, StartTarget } from './harness.ts';

// The first interpreter that imports boto3: the machine's own python3 (pyenv, a recent botocore) or Debian's
// (python3-boto3, which .ci/run installs: botocore 1.29, from before default checksums).
const python = [process.env.STRATA_PYTHON ?? 'python3', '/usr/bin/python3'].find((bin) => {
  try {
    execFileSync(bin, ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

const SCRIPT = String.raw`
import hashlib, json, os, sys
import boto3, botocore
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, work = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=endpoint)  # default settings on purpose
out = {"botocore": botocore.__version__}
# botocore before 1.36 sends no checksum by default and has no IfMatch/IfNoneMatch parameters on PutObject: on
# such a version the script asks for CRC32 explicitly and sends the conditional headers through a hook instead.
legacy = tuple(int(x) for x in botocore.__version__.split(".")[:2]) < (1, 36)
bucket = "boto-bucket"
s3.create_bucket(Bucket=bucket)

# put/get with the default checksum (CRC32 via aws-chunked trailer on this botocore). A hook records how the
# PutObject body was framed, so the test proves the default path (not a fallback) was exercised.
sent = {}
def recorder(op):
    def record(request, **kwargs):
        h = request.headers
        get = lambda k: (h.get(k).decode() if isinstance(h.get(k), bytes) else h.get(k))
        sha = get("x-amz-content-sha256") or ""
        sent.setdefault(op, {
            "content_encoding": get("Content-Encoding"),
            "trailer": get("x-amz-trailer"),
            "payload": sha if not all(c in "0123456789abcdef" for c in sha) else "sha256-hex",
            "crc32_header": get("x-amz-checksum-crc32") is not None,
        })
    return record
s3.meta.events.register("before-send.s3.PutObject", recorder("PutObject"))
s3.meta.events.register("before-send.s3.UploadPart", recorder("UploadPart"))
body = os.urandom(300_000)
put = s3.put_object(Bucket=bucket, Key="dir/obj ü+&.bin", Body=body, Metadata={"k": "v"}, **({"ChecksumAlgorithm": "CRC32"} if legacy else {}))
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

def conditional_put(key, body, **cond):
    if not legacy:
        return s3.put_object(Bucket=bucket, Key=key, Body=body, **cond)
    headers = {"IfNoneMatch": "If-None-Match", "IfMatch": "If-Match"}
    def add(request, **kwargs):
        for name, value in cond.items():
            request.headers[headers[name]] = value
    s3.meta.events.register_first("before-sign.s3.PutObject", add)
    try:
        return s3.put_object(Bucket=bucket, Key=key, Body=body)
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", add)

# conditional put: IfNoneMatch="*" twice -> the second is 412
conditional_put("once", b"1", IfNoneMatch="*")
try:
    conditional_put("once", b"2", IfNoneMatch="*")
    out["if_none_match"] = "second put succeeded"
except ClientError as e:
    out["if_none_match"] = e.response["Error"]["Code"]
out["once_body"] = s3.get_object(Bucket=bucket, Key="once")["Body"].read().decode()

# conditional overwrite with IfMatch (botocore 1.36+): the right ETag wins, a stale one is 412
etag = s3.head_object(Bucket=bucket, Key="once")["ETag"]
conditional_put("once", b"3", IfMatch=etag)
try:
    conditional_put("once", b"4", IfMatch=etag)
    out["if_match_stale"] = "stale put succeeded"
except ClientError as e:
    out["if_match_stale"] = e.response["Error"]["Code"]
out["once_after_if_match"] = s3.get_object(Bucket=bucket, Key="once")["Body"].read().decode()

# copy with a dict CopySource whose key needs encoding, a ranged get, delimiter listing, delete_objects
s3.copy_object(Bucket=bucket, Key="copy/of ü+&?#.bin", CopySource={"Bucket": bucket, "Key": "dir/obj ü+&.bin"})
out["copy_ok"] = s3.get_object(Bucket=bucket, Key="copy/of ü+&?#.bin")["Body"].read() == body
rng = s3.get_object(Bucket=bucket, Key="dir/obj ü+&.bin", Range="bytes=100-199")
out["range_ok"] = rng["Body"].read() == body[100:200] and rng["ContentRange"] == "bytes 100-199/300000"
top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
out["prefixes"] = sorted(p["Prefix"] for p in top.get("CommonPrefixes", []))
d = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "page/%03d" % i} for i in range(25)]})
out["deleted"] = len(d.get("Deleted", [])) == 25 and not d.get("Errors")

# upload_fileobj of a non-seekable stream of unknown length (multipart through s3transfer)
class Pipe:
    def __init__(self, data): self.data, self.pos = data, 0
    def read(self, n=-1):
        n = len(self.data) - self.pos if n is None or n < 0 else n
        chunk = self.data[self.pos:self.pos + n]; self.pos += len(chunk); return chunk
stream_data = os.urandom(9 * 1024 * 1024)
s3.upload_fileobj(Pipe(stream_data), bucket, "stream.bin")
out["stream_ok"] = s3.get_object(Bucket=bucket, Key="stream.bin")["Body"].read() == stream_data

# Presigned URLs. At default settings botocore presigns S3 with Signature Version 2 ("AWSAccessKeyId="); the
# server accepts SigV2 presigned URLs (query form only) as MinIO and Ceph RGW do
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html#RESTAuthenticationQueryStringAuth),
# and signature_version="s3v4" URLs as well.
import urllib.request, urllib.error, ssl
ctx = ssl.create_default_context(cafile=os.environ["AWS_CA_BUNDLE"]) if os.environ.get("AWS_CA_BUNDLE") else None
def fetch(url):
    try:
        return urllib.request.urlopen(url, context=ctx, timeout=10).read().decode()
    except urllib.error.HTTPError as e:
        m = __import__("re").search(r"<Code>([^<]+)</Code>", e.read().decode())
        return "HTTP %d %s" % (e.code, m.group(1) if m else "")
v2url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "sha.bin"}, ExpiresIn=300)
out["presigned_default"] = ("sigv2 " if "AWSAccessKeyId=" in v2url else "sigv4 ") + fetch(v2url)
s3v4 = boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3v4"))
v4url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "sha.bin"}, ExpiresIn=300)
out["presigned_s3v4"] = fetch(v4url)
put_url = s3v4.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned-put"}, ExpiresIn=300)
req = urllib.request.Request(put_url, data=b"put via url", method="PUT")
urllib.request.urlopen(req, context=ctx, timeout=10).read()
out["presigned_put"] = s3.get_object(Bucket=bucket, Key="presigned-put")["Body"].read().decode()
v2_put = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned-put-v2", "ContentType": "text/plain"}, ExpiresIn=300)
req = urllib.request.Request(v2_put, data=b"put via sigv2 url", method="PUT", headers={"Content-Type": "text/plain"})
urllib.request.urlopen(req, context=ctx, timeout=10).read()
got = s3.get_object(Bucket=bucket, Key="presigned-put-v2")
out["presigned_put_v2"] = ("sigv2 " if "AWSAccessKeyId=" in v2_put else "sigv4 ") + got["Body"].read().decode() + " " + got["ContentType"]
out["presigned_v2_tampered"] = fetch(v2url.replace("/sha.bin?", "/other.bin?"))

# a typed error
try:
    s3.get_object(Bucket=bucket, Key="missing")
except s3.exceptions.NoSuchKey:
    out["no_such_key"] = True
out["framing"] = sent
print(json.dumps(out))
`;

// botocore >= 1.36 computes CRC32 by default (https://docs.aws.amazon.com/sdkref/latest/guide/feature-dataintegrity.html).
// Over http it signs the payload (hex SHA-256) and sends the checksum as a header; over https it streams the body
// as aws-chunked with the CRC32 in a trailer. Each transport must take its own path, so the framing is asserted.
const HEADER_MODE = { content_encoding: null, trailer: null, payload: 'sha256-hex', crc32_header: true };
const TRAILER_MODE = { content_encoding: 'aws-chunked', trailer: 'x-amz-checksum-crc32', payload: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', crc32_header: false };
/** Each transport: name, whether it is https, the framing botocore must use over it. */
export const TRANSPORTS: Array<[string, boolean, typeof HEADER_MODE | typeof TRAILER_MODE]> = [
  ['http: checksum headers', false, HEADER_MODE],
  ['https: aws-chunked trailers', true, TRAILER_MODE],
];

/** What a target runs of these cases. */
export interface Boto3Selection extends CaseSelection {
  /** The transports to run ({@link TRANSPORTS} by default). */
  transports?: typeof TRANSPORTS;
  /**
   * Set, to the reason, for a target that verifies the checksums an upload sends but keeps none: the case then
   * asserts that reads with `ChecksumMode=ENABLED` answer none, instead of the checksum sent.
   */
  checksumsNotKept?: string;
}

/** Declares the boto3 cases against targets from `start`, one group per transport. */
export function describeBoto3Cases(start: StartTarget, selection: Boto3Selection = {}): void {
  const exclude = excluder(selection.exclude);
  const checksumsKept = selection.checksumsNotKept === undefined;
  describe.skipIf(skipWithout('boto3')).each(selection.transports ?? TRANSPORTS)('boto3 (default settings) over %s', (_name, tls, framing) => {
    let s: InteropTarget;
    beforeAll(async () => {
      s = await start({ tls });
    });
    afterAll(async () => s?.close());

    exclude(it, 'round-trips objects with default checksums: upload_file(obj), paginators, IfNoneMatch/IfMatch, copy, range, presign, typed errors', async () => {
      const script = join(s.work, 'boto.py');
      writeFileSync(script, SCRIPT);
      const r = await run(python ?? 'python3', [script, s.endpoint, s.work], { ...s.env, PYTHONIOENCODING: 'utf-8' }, { timeoutMs: 120_000 });
      const out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
      expect(out).toMatchObject({
        put_etag_ok: true,
        get_ok: true,
        get_checksum_crc32: checksumsKept,
        metadata: { k: 'v' },
        upload_file_ok: true,
        pages: 3,
        paged_keys_ok: true,
        if_none_match: 'PreconditionFailed',
        once_body: '1',
        if_match_stale: 'PreconditionFailed',
        once_after_if_match: '3',
        copy_ok: true,
        range_ok: true,
        prefixes: ['copy/', 'dir/', 'page/'],
        deleted: true,
        stream_ok: true,
        presigned_default: 'sigv2 hello',
        presigned_put_v2: 'sigv2 put via sigv2 url text/plain',
        presigned_v2_tampered: 'HTTP 403 SignatureDoesNotMatch',
        presigned_s3v4: 'hello',
        presigned_put: 'put via url',
        no_such_key: true,
      });
      // Before botocore 1.36 only the PutObject asks for CRC32 (explicitly); s3transfer's parts go without a
      // checksum, signed (http) or UNSIGNED-PAYLOAD (https), so the legacy run proves that path instead.
      const legacy = /^1\.(\d|[12]\d|3[0-5])\./.test(out.botocore);
      const legacyPart = { content_encoding: null, trailer: null, payload: tls ? 'UNSIGNED-PAYLOAD' : 'sha256-hex', crc32_header: false };
      expect(out.framing).toEqual({ PutObject: framing, UploadPart: legacy ? legacyPart : framing });
      expect(out.sha256, selection.checksumsNotKept).toBe(checksumsKept ? 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=' : null);
      expect(out.big_etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    }, 150_000);
  });
}
