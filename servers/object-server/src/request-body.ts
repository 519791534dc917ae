/**
 * Request bodies. Object bodies stream: `request.raw` is piped through the auth layer's payload decoder
 * (which strips and verifies aws-chunked framing) straight into storage, with the checksums the client
 * declared handed to storage to verify at the end. Nothing is buffered whole.
 *
 * XML bodies (DeleteObjects, CompleteMultipartUpload, Tagging, CORS) are small by nature; they are read with a
 * size limit, and their Content-MD5 / x-amz-checksum-* are verified here since they never reach storage.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { checksumBase64 } from '@strata/storage';
import type { ChecksumAlgorithm, Checksums } from '@strata/storage';
import { createChecksumVerifier, createPayloadDecoder } from './auth/index.ts';
import { header } from './context.ts';
import type { S3Context } from './context.ts';
import { S3Error } from './s3-errors.ts';
import { TooLargeError, pipeRequest, readRequestBody } from './streams.ts';

/** The largest XML request body the server reads (S3 documents 1 MB for these configurations). */
export const MAX_XML_BODY_BYTES = 1024 * 1024;

/** S3's answer to a small body over its limit ("Your request was too big."). */
const tooBig = (cause?: unknown) => new S3Error('MaxMessageLengthExceeded', undefined, cause === undefined ? {} : { cause });

/** The body-integrity options storage's put and uploadPart take. */
export interface BodyOptions {
  checksumAlgorithms?: ChecksumAlgorithm[];
  expectedChecksums?: () => Checksums | undefined;
  contentMd5?: string;
  contentLength?: number;
}

/** A decoded object body and what storage must verify about it. */
export interface ObjectBody {
  body: Readable;
  options: BodyOptions;
}

/** The headers without `x-amz-checksum-<algorithm>` values (the algorithm and type headers stay). */
function withoutChecksumValues(headers: S3Context['headers']): S3Context['headers'] {
  const out: S3Context['headers'] = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!/^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/.test(name)) out[name] = value;
  }
  return out;
}

function declaredLength(ctx: S3Context): number | undefined {
  const v = header(ctx, 'content-length');
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new S3Error('InvalidArgument', 'Content-Length must be a non-negative integer');
  return Number(v);
}

/**
 * Opens the request's object body: decoded, with its declared length and the checksums storage computes and
 * verifies (for PutObject and UploadPart alike, so each checksum is computed once, by storage).
 * `bodyChecksums: false` leaves `x-amz-checksum-*` headers alone: on CompleteMultipartUpload they describe the
 * object being assembled, not the XML body.
 */
export function objectBody(ctx: S3Context, bodyChecksums = true): ObjectBody {
  const checksumHeaders = bodyChecksums ? ctx.headers : withoutChecksumValues(ctx.headers);
  let body: Readable;
  let contentLength: number | undefined;
  let verifier: ReturnType<typeof createChecksumVerifier>;
  if (ctx.auth.payload.kind === 'unsigned') {
    // Nothing to decode or verify on the way: the request itself is the body. A pass-through stage and a
    // stream.pipeline cost ~40 µs per small PUT (pipeline's AbortController builds a DOMException with a
    // stack trace on every finish). Storage reads `ctx.raw` directly: a reset or truncated upload errors
    // (or prematurely closes) it, which prepareBody turns into a failed body, so nothing is stored.
    verifier = createChecksumVerifier(checksumHeaders, () => ({}));
    body = ctx.raw;
    contentLength = declaredLength(ctx);
  } else {
    const decoder = createPayloadDecoder(ctx.auth, ctx.headers);
    verifier = createChecksumVerifier(checksumHeaders, () => decoder.trailers());
    // The decoder fails with the request's error (a reset or truncated upload), so storage sees the failure
    // and stores nothing; a failed decoder destroys the request.
    pipeRequest(ctx.raw, decoder.stream);
    const framed = ctx.auth.payload.kind === 'streaming-signed' || ctx.auth.payload.kind === 'streaming-unsigned-trailer';
    contentLength = decoder.decodedLength ?? (framed ? undefined : declaredLength(ctx));
    body = decoder.stream;
  }
  const options: BodyOptions = {};
  if (verifier.algorithms.length > 0) {
    options.checksumAlgorithms = [...verifier.algorithms];
    options.expectedChecksums = () => verifier.expected();
  }
  if (verifier.contentMd5 !== undefined) options.contentMd5 = verifier.contentMd5;
  if (contentLength !== undefined) options.contentLength = contentLength;
  return { body, options };
}

/**
 * Reads a small request body whole (at most `limit` bytes, else `MaxMessageLengthExceeded`), verifying its
 * Content-MD5 (`BadDigest`) and any x-amz-checksum-* value. A body declared longer than `limit` is refused
 * before a byte of it is read; one that turns out longer is refused at the limit. Either way the rest is left
 * unread for the error answer to abandon, closing the connection gracefully (app.ts), so the client reads
 * the error rather than a reset.
 */
export async function readSmallBody(ctx: S3Context, limit = MAX_XML_BODY_BYTES, bodyChecksums = true): Promise<Buffer> {
  const { body, options } = objectBody(ctx, bodyChecksums);
  if (options.contentLength !== undefined && options.contentLength > limit) throw tooBig();
  let data: Buffer;
  try {
    data = await readRequestBody(body, limit);
  } catch (e) {
    if (e instanceof TooLargeError) throw tooBig(e);
    throw e;
  }
  if (options.contentLength !== undefined && data.length !== options.contentLength) throw new S3Error('IncompleteBody');
  if (options.contentMd5 !== undefined && createHash('md5').update(data).digest('base64') !== options.contentMd5) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const expected = options.expectedChecksums?.() ?? {};
  for (const [alg, value] of Object.entries(expected) as [ChecksumAlgorithm, string | undefined][]) {
    if (value !== undefined && checksumBase64(alg, data) !== value) {
      throw new S3Error('BadDigest', `The ${alg.toUpperCase()} you specified did not match the calculated checksum.`);
    }
  }
  return data;
}

/** Reads an XML request body as text (see {@link readSmallBody}). */
export async function readXmlBody(ctx: S3Context, limit = MAX_XML_BODY_BYTES, bodyChecksums = true): Promise<string> {
  return (await readSmallBody(ctx, limit, bodyChecksums)).toString('utf8');
}
