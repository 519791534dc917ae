/**
 * The client side of aws-chunked framing, for tests and benchmarks that must send what the SDKs send:
 * signed chunks (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`) or unsigned chunks with trailing headers
 * (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`). Framing per
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html.
 */
import { chunkStringToSign, hmacHex, sha256Hex, trailerStringToSign } from './signing.ts';

/** Options of {@link encodeAwsChunked}. */
export interface EncodeAwsChunkedOptions {
  /** The object's data, one element per chunk (empty elements are skipped). */
  chunks: Uint8Array[];
  /** Sign every chunk (and the trailer) chained from `seedSignature`; omit for unsigned chunks. */
  signing?: { seedSignature: string; signingKey: Buffer; scope: string; amzDate: string };
  /** Trailing headers, e.g. `{ 'x-amz-checksum-crc32': 'NhCmhg==' }`. */
  trailers?: Record<string, string>;
}

/** Encodes a whole aws-chunked body in memory (test sizes only). */
export function encodeAwsChunked(opts: EncodeAwsChunkedOptions): Buffer {
  const parts: Buffer[] = [];
  const s = opts.signing;
  let previous = s?.seedSignature ?? '';
  const header = (data: Uint8Array): string => {
    const size = data.length.toString(16);
    if (s === undefined) return `${size}\r\n`;
    previous = hmacHex(s.signingKey, chunkStringToSign(s.amzDate, s.scope, previous, sha256Hex(data)));
    return `${size};chunk-signature=${previous}\r\n`;
  };
  for (const chunk of opts.chunks) {
    if (chunk.length === 0) continue;
    parts.push(Buffer.from(header(chunk)), Buffer.from(chunk), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(header(new Uint8Array(0))));
  const trailers = Object.entries(opts.trailers ?? {});
  if (trailers.length > 0) {
    const canonical = trailers.map(([n, v]) => `${n.toLowerCase()}:${v}\n`).join('');
    parts.push(Buffer.from(canonical.replace(/\n/g, '\r\n')));
    if (s !== undefined) {
      const signature = hmacHex(s.signingKey, trailerStringToSign(s.amzDate, s.scope, previous, sha256Hex(canonical)));
      parts.push(Buffer.from(`x-amz-trailer-signature:${signature}\r\n`));
    }
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}
