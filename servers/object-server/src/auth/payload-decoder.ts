/**
 * Turns a request body into the object's bytes according to the request's payload mode (see payload-mode.ts):
 * pass-through, pass-through verifying `x-amz-content-sha256`, or aws-chunked decoding with chunk signatures and
 * trailing checksums. The app pipes `request.raw` through {@link PayloadDecoder.stream} into the storage's put.
 *
 * AWS: "Authenticating Requests: Using the Authorization Header"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html) and
 * "Checking object integrity" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html)
 * for `x-amz-trailer` and `x-amz-decoded-content-length`.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../s3-errors.ts';
import { STAGE_BUFFERS, createAwsChunkedDecoder } from './aws-chunked-decoder.ts';
import { headerValue, lowerCaseHeaders } from './canonical.ts';
import type { AuthResult, RequestHeaders } from './types.ts';

/** Options of {@link createPayloadDecoder}. */
export interface PayloadDecoderOptions {
  /** Largest single aws-chunked chunk accepted; chunks stream, so this only bounds nonsense. @default 5 GiB */
  maxChunkSize?: number;
}

/** A body decoder for one request. */
export interface PayloadDecoder {
  /** Pipe the raw request body in; the object's bytes come out. Errors with an `S3Error` on any mismatch. */
  stream: Transform;
  /** Trailing headers (lower-case names, e.g. `x-amz-checksum-crc32`), complete once `stream` has ended. */
  trailers(): Record<string, string>;
  /** The object's size from `x-amz-decoded-content-length` (aws-chunked bodies only). */
  decodedLength?: number;
}

/** Names announced by `x-amz-trailer` (comma-separated, lower-cased); `headers` may be already lower-cased. */
export function declaredTrailers(headers: RequestHeaders | Map<string, string | string[]>): string[] {
  const value = headerValue(headers instanceof Map ? headers : lowerCaseHeaders(headers), 'x-amz-trailer');
  if (value === undefined) return [];
  return value
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
}

/**
 * The `Content-Encoding` to store with the object: the request's, without `aws-chunked` (which describes the
 * transfer only; S3 strips it). `undefined` when nothing remains.
 */
export function storedContentEncoding(headers: RequestHeaders): string | undefined {
  const value = headerValue(lowerCaseHeaders(headers), 'content-encoding');
  if (value === undefined) return undefined;
  const rest = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e.toLowerCase() !== 'aws-chunked');
  return rest.length === 0 ? undefined : rest.join(',');
}

function decodedLengthOf(headers: RequestHeaders): number | undefined {
  const value = headerValue(lowerCaseHeaders(headers), 'x-amz-decoded-content-length');
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value.trim())) {
    throw new S3Error('InvalidArgument', 'x-amz-decoded-content-length must be a non-negative integer.', {
      extra: { ArgumentName: 'x-amz-decoded-content-length', ArgumentValue: value },
    });
  }
  return Number(value.trim());
}

/** A pass-through that hashes with SHA-256 and fails at the end unless the digest is `hex`. */
function createSha256Verifier(hex: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    ...STAGE_BUFFERS,
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      const computed = hash.digest('hex');
      if (computed !== hex) {
        cb(new S3Error('XAmzContentSHA256Mismatch', undefined, { extra: { ClientComputedContentSHA256: hex, S3ComputedContentSHA256: computed } }));
        return;
      }
      cb();
    },
  });
}

/** Creates the body decoder for a request authenticated as `auth`, reading framing headers from `headers`. */
export function createPayloadDecoder(auth: AuthResult, headers: RequestHeaders, opts: PayloadDecoderOptions = {}): PayloadDecoder {
  const maxChunkSize = opts.maxChunkSize ?? 5 * 1024 ** 3;
  const payload = auth.payload;
  switch (payload.kind) {
    case 'unsigned':
      return { stream: new PassThrough(), trailers: () => ({}) };
    case 'sha256':
      return { stream: createSha256Verifier(payload.hex), trailers: () => ({}) };
    case 'streaming-signed':
    case 'streaming-unsigned-trailer': {
      const decodedLength = decodedLengthOf(headers);
      const trailers = payload.kind === 'streaming-unsigned-trailer' || payload.trailer;
      const decoder = createAwsChunkedDecoder({
        signing:
          payload.kind === 'streaming-signed'
            ? { seedSignature: payload.seedSignature, signingKey: payload.signingKey, scope: payload.scope, amzDate: payload.amzDate }
            : undefined,
        trailers,
        declaredTrailers: trailers ? declaredTrailers(headers) : [],
        decodedLength,
        maxChunkSize,
      });
      return decodedLength === undefined
        ? { stream: decoder, trailers: () => decoder.trailers }
        : { stream: decoder, trailers: () => decoder.trailers, decodedLength };
    }
  }
}
