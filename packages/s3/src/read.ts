/**
 * get and head. Read conditions go to S3 as headers (If-Match, If-None-Match, If-Modified-Since,
 * If-Unmodified-Since; AWS GetObject) — there is no HEAD before a GET — except those some endpoints get
 * wrong, which are checked on the answer (`read-conditions.ts`). The body is the SDK's Node stream,
 * wrapped by `resumableBody` so a dropped connection resumes (unless it already arrived whole). Tags are
 * fetched (GetObjectTagging) only when the response says the object has some (`x-amz-tagging-count`).
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { GetObjectCommandInput, GetObjectCommandOutput, GetObjectTaggingCommandOutput, HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { hasErrorCode } from '@strata/storage';
import type { AdapterGetOptions, GetResult, HeadOptions, ObjectInfo, OperationOptions } from '@strata/storage';
import type { S3Core } from './core.ts';
import { tagSetToRecord } from './metadata-codec.ts';
import { rangeHeader, toObjectInfo } from './object-info.ts';
import { checkAnswer, planReadConditions, recheckNotModified } from './read-conditions.ts';
import { resumableBody } from './resumable-get.ts';

/** Read settings of the adapter. */
export interface ReadConfig {
  /** Ask S3 for stored checksums (`x-amz-checksum-mode: ENABLED`) on head and whole-object get. */
  checksums: boolean;
  /** Fetch tags with GetObjectTagging when an object has any. */
  readTags: boolean;
  /** How many times one GET body may resume after a dropped connection. */
  maxResumes: number;
}

/** The object's tags when `tagCount` says it has some (one GetObjectTagging), else `{}`. */
export async function fetchTags(core: S3Core, key: string, tagCount: number | undefined, cfg: ReadConfig, options: OperationOptions, op: string) {
  if (!cfg.readTags || tagCount === undefined || tagCount === 0) return {};
  const out = await core.send<GetObjectTaggingCommandOutput>(new GetObjectTaggingCommand({ Bucket: core.bucket, Key: core.s3Key(key) }), {
    op,
    key,
    signal: options.signal,
  });
  return tagSetToRecord(out.TagSet);
}

/** HeadObject → ObjectInfo (plus tags when there are some). */
export async function headObject(core: S3Core, key: string, options: HeadOptions, cfg: ReadConfig, op = 'head'): Promise<ObjectInfo> {
  const plan = planReadConditions(options);
  const out = await core
    .send<HeadObjectCommandOutput>(
      new HeadObjectCommand({ Bucket: core.bucket, Key: core.s3Key(key), ...plan.fields, ChecksumMode: cfg.checksums ? 'ENABLED' : undefined }),
      { op, key, signal: options.signal, date: false },
    )
    .catch((e: unknown) => recheckNotModified(core, key, plan, e, op, options.signal));
  const info = toObjectInfo(key, out, {});
  checkAnswer(plan, info, op);
  info.tags = await fetchTags(core, key, out.TagCount, cfg, options, op);
  return info;
}

/** GetObject → info and a resumable body stream. */
export async function getObject(core: S3Core, key: string, options: AdapterGetOptions, cfg: ReadConfig): Promise<GetResult> {
  const { range, signal } = options;
  let out: GetObjectCommandOutput;
  const plan = planReadConditions(options);
  try {
    const input: GetObjectCommandInput = { Bucket: core.bucket, Key: core.s3Key(key), ...plan.fields };
    if (range !== undefined) input.Range = rangeHeader(range);
    // Ranged responses carry no whole-object checksum to validate (AWS GetObject, "ChecksumMode").
    else if (cfg.checksums) input.ChecksumMode = 'ENABLED';
    const sent = core.send<GetObjectCommandOutput>(new GetObjectCommand(input), { op: 'get', key, signal, date: false });
    // Only a plan with local preconditions has a 304 to re-check; no catch handler (a promise more) otherwise.
    out = await (plan.local === undefined ? sent : sent.catch((e: unknown) => recheckNotModified(core, key, plan, e, 'get', signal)));
  } catch (e) {
    // S3 answers 416 to any range on an empty object, where the contract returns the (empty) object whole.
    if (range !== undefined && hasErrorCode(e, 'InvalidRange')) {
      const info = await headObject(core, key, options, cfg, 'get');
      if (info.size === 0) return getObject(core, key, { ...options, range: undefined }, cfg);
    }
    throw e;
  }
  const body = out.Body as Readable;
  let info: ObjectInfo;
  try {
    // No await (and no microtask) when there are no tags to fetch, the common case.
    info = toObjectInfo(key, out, {});
    checkAnswer(plan, info, 'get');
    if (cfg.readTags && out.TagCount) info.tags = await fetchTags(core, key, out.TagCount, cfg, options, 'get');
  } catch (e) {
    body.destroy();
    throw e;
  }
  const length = out.ContentLength ?? 0;
  const m = out.ContentRange !== undefined ? /bytes\s+(\d+)-(\d+)\//.exec(out.ContentRange) : null;
  const start = m?.[1] !== undefined ? Number(m[1]) : 0;
  // A response already received whole (Node's `IncomingMessage.complete`: the usual case for bodies up to a few
  // KiB, which arrive with the headers) can no longer drop, and the HTTP parser held it to its Content-Length:
  // it needs no resumable wrapper, whose extra stream costs ~9 µs, 1 % of a 4 KiB GET.
  const whole = (body as Readable & { complete?: boolean }).complete === true;
  const result: GetResult = {
    info,
    body: whole ? body : resumableBody(body, { core, key, etag: info.etag, start, end: start + length - 1, signal, maxResumes: cfg.maxResumes }),
  };
  if (m?.[2] !== undefined) result.range = { start, end: Number(m[2]) };
  return result;
}
