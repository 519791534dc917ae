/**
 * A boto3 client (path-style, default settings otherwise) reading a server the way an application would:
 * ListBuckets, HeadBucket, ListObjectsV2 (paginated two keys a page, and with a delimiter), GetObject whole
 * and by range. One python3 process per probe; it prints one JSON document.
 */
import { findTool } from '#system-tools';
import { run } from '../../interop/src/harness.ts';

/** What to read. */
export interface ProbeSpec {
  /** Buckets to HeadBucket (the answer's status is reported). */
  headBuckets: string[];
  /** Buckets to list whole (every key) and at the top level (delimiter `/`). */
  list: string[];
  /** Objects to get whole: `[bucket, key]`. */
  gets: [string, string][];
  /** Objects to get by range: `[bucket, key, 'bytes=…']`. */
  ranges: [string, string, string][];
}

/** What boto3 saw. */
export interface ProbeResult {
  buckets: string[];
  headBucket: Record<string, number>;
  /** Per bucket: `[key, size, etag]` of every object, in listing order. */
  objects: Record<string, [string, number, string][]>;
  /** Per bucket: the common prefixes and keys of a delimiter listing. */
  top: Record<string, { prefixes: string[]; keys: string[] }>;
  /** Per `bucket/key`: the body's MD5, its length, the ETag and Content-Type, or the error's status. */
  gets: Record<string, { md5: string; length: number; etag: string; contentType?: string } | { status: number }>;
  /** Per `bucket/key range`: the body (hex) and Content-Range. */
  ranges: Record<string, { hex: string; contentRange: string }>;
}

const SCRIPT = String.raw`
import hashlib, json, sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, spec = sys.argv[1], json.loads(sys.argv[2])
s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
status = lambda e: int(e.response["ResponseMetadata"]["HTTPStatusCode"])
out = {"buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]], "headBucket": {}, "objects": {}, "top": {}, "gets": {}, "ranges": {}}
for b in spec["headBuckets"]:
    try:
        out["headBucket"][b] = s3.head_bucket(Bucket=b)["ResponseMetadata"]["HTTPStatusCode"]
    except ClientError as e:
        out["headBucket"][b] = status(e)
for b in spec["list"]:
    rows = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=b, PaginationConfig={"PageSize": 2}):
        rows += [[o["Key"], o["Size"], o["ETag"]] for o in page.get("Contents", [])]
    out["objects"][b] = rows
    top = s3.list_objects_v2(Bucket=b, Delimiter="/")
    out["top"][b] = {"prefixes": [p["Prefix"] for p in top.get("CommonPrefixes", [])], "keys": [o["Key"] for o in top.get("Contents", [])]}
for b, k in spec["gets"]:
    try:
        r = s3.get_object(Bucket=b, Key=k)
        body = r["Body"].read()
        out["gets"][b + "/" + k] = {"md5": hashlib.md5(body).hexdigest(), "length": len(body), "etag": r["ETag"], "contentType": r.get("ContentType")}
    except ClientError as e:
        out["gets"][b + "/" + k] = {"status": status(e)}
for b, k, rng in spec["ranges"]:
    r = s3.get_object(Bucket=b, Key=k, Range=rng)
    out["ranges"][b + "/" + k + " " + rng] = {"hex": r["Body"].read().hex(), "contentRange": r["ContentRange"]}
print(json.dumps(out))
`;

/** Runs the probe against `endpoint` with the client environment `env`. */
export async function probe(endpoint: string, env: NodeJS.ProcessEnv, spec: ProbeSpec): Promise<ProbeResult> {
  const python = findTool('boto3');
  if (python === undefined) throw new Error('no python3 with boto3');
  const { stdout } = await run(python, ['-c', SCRIPT, endpoint, JSON.stringify(spec)], env, { timeoutMs: 120_000 });
  return JSON.parse(stdout) as ProbeResult;
}
