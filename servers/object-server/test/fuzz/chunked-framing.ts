/**
 * aws-chunked bodies as data, for the fuzz properties: a body split into random chunks, in one of the three
 * streaming modes (signed chunks, signed chunks with a signed trailer, unsigned chunks with a trailer), and
 * one optional corruption of the framing. The encoder writes the wire bytes itself (rather than through the
 * server's encodeAwsChunked) so that a corruption can hit one exact piece: a size, a CRLF, a signature, a
 * trailer line. Framing: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html.
 */
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { CONTENT_SHA256 } from '../../src/auth/index.ts';
import { chunkStringToSign, hmacHex, sha256Hex, trailerStringToSign } from '../../src/auth/signing.ts';

/** The streaming payload modes of `x-amz-content-sha256`. */
export type StreamingMode = 'signed' | 'signed-trailer' | 'unsigned-trailer';

/** A break of the framing; `at` picks the chunk (modulo their count). */
export type FramingCorruption =
  | { kind: 'bad-hex'; at: number; size: string }
  | { kind: 'size-off'; at: number; by: number }
  | { kind: 'no-crlf-after-data'; at: number }
  | { kind: 'lf-after-data'; at: number }
  | { kind: 'cut'; keep: number }
  | { kind: 'chunk-signature'; at: number; flip: number }
  | { kind: 'no-chunk-signature'; at: number }
  | { kind: 'swap-chunks' }
  | { kind: 'extra-data'; data: string }
  | { kind: 'trailer-value' }
  | { kind: 'trailer-missing' }
  | { kind: 'trailer-junk-line'; line: string }
  | { kind: 'trailer-signature'; flip: number }
  | { kind: 'decoded-length'; by: number };

/** A body and how it is framed. */
export interface ChunkedCase {
  mode: StreamingMode;
  body: Uint8Array;
  /** Chunk sizes to cut the body into (the remainder is one more chunk). */
  cuts: number[];
  corruption: FramingCorruption | undefined;
}

/** What signing a streaming request yields: the seed and key of the chunk signatures. */
export interface ChunkSigning {
  seedSignature: string;
  signingKey: Buffer;
  scope: string;
  amzDate: string;
}

/** The trailer every trailer mode sends: the CRC32 of the body, as the SDKs do. */
export const TRAILER_NAME = 'x-amz-checksum-crc32';

export function crc32Base64(data: Uint8Array): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
}

export const corruption: fc.Arbitrary<FramingCorruption> = fc.oneof(
  fc.record({ kind: fc.constant('bad-hex' as const), at: fc.nat(), size: fc.constantFrom('zz', '', '-1', '0x10', ' 10', '1'.repeat(17), '+5', 'A;', '10 ') }),
  fc.record({ kind: fc.constant('size-off' as const), at: fc.nat(), by: fc.oneof(fc.integer({ min: -5, max: -1 }), fc.integer({ min: 1, max: 5 })) }),
  fc.record({ kind: fc.constant('no-crlf-after-data' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('lf-after-data' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('cut' as const), keep: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) }),
  fc.record({ kind: fc.constant('chunk-signature' as const), at: fc.nat(), flip: fc.nat({ max: 63 }) }),
  fc.record({ kind: fc.constant('no-chunk-signature' as const), at: fc.nat() }),
  fc.constant<FramingCorruption>({ kind: 'swap-chunks' }),
  fc.record({ kind: fc.constant('extra-data' as const), data: fc.constantFrom('x', '0\r\n\r\n', '5\r\nhello\r\n', 'GET / HTTP/1.1\r\n\r\n') }),
  fc.constant<FramingCorruption>({ kind: 'trailer-value' }),
  fc.constant<FramingCorruption>({ kind: 'trailer-missing' }),
  fc.record({ kind: fc.constant('trailer-junk-line' as const), line: fc.constantFrom('not a header', ':novalue', 'x-amz-checksum-crc32', 'é:é') }),
  fc.record({ kind: fc.constant('trailer-signature' as const), flip: fc.nat({ max: 63 }) }),
  fc.record({ kind: fc.constant('decoded-length' as const), by: fc.oneof(fc.integer({ min: -3, max: -1 }), fc.integer({ min: 1, max: 3 })) }),
);

const mode = fc.constantFrom<StreamingMode>('signed', 'signed-trailer', 'unsigned-trailer');

/** Valid framings: a random body (up to 64 KiB, mostly small) cut at random places. */
export const validChunkedCase: fc.Arbitrary<ChunkedCase> = fc.record({
  mode,
  body: fc.oneof({ arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 4 }, { arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 65_536 }), weight: 1 }),
  cuts: fc.array(fc.integer({ min: 1, max: 20_000 }), { maxLength: 6 }),
  corruption: fc.constant(undefined),
});

/** Framings with one corruption. */
export const corruptChunkedCase: fc.Arbitrary<ChunkedCase> = fc.record({
  mode,
  body: fc.uint8Array({ minLength: 1, maxLength: 400 }),
  cuts: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 }),
  corruption: corruption.map((c) => c as FramingCorruption | undefined),
});

/** The `x-amz-content-sha256` value of a mode. */
export function payloadHashOf(mode: StreamingMode): string {
  return mode === 'signed' ? CONTENT_SHA256.streamingSigned : mode === 'signed-trailer' ? CONTENT_SHA256.streamingSignedTrailer : CONTENT_SHA256.streamingUnsignedTrailer;
}

/** The body cut into chunks (never empty ones: an empty chunk is the final one). */
export function chunksOf(c: ChunkedCase): Buffer[] {
  const body = Buffer.from(c.body);
  const out: Buffer[] = [];
  let at = 0;
  for (const size of c.cuts) {
    if (at >= body.length) break;
    out.push(body.subarray(at, at + size));
    at += size;
  }
  if (at < body.length) out.push(body.subarray(at));
  return out;
}

/** The request headers the framing needs besides the signature (sent and signed). */
export function framingHeaders(c: ChunkedCase): Record<string, string> {
  const by = c.corruption?.kind === 'decoded-length' ? c.corruption.by : 0;
  const headers: Record<string, string> = {
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(Math.max(0, c.body.length + by)),
  };
  if (c.mode !== 'signed') headers['x-amz-trailer'] = TRAILER_NAME;
  return headers;
}

interface Frame {
  size: string;
  extension: string;
  data: Buffer;
  afterData: string;
}

/** Encodes `c` (signatures from `signing`; unused in the unsigned mode). */
export function encodeChunked(c: ChunkedCase, signing: ChunkSigning): Buffer {
  const signed = c.mode !== 'unsigned-trailer';
  const k = c.corruption;
  const chunks = chunksOf(c);
  let previous = signing.seedSignature;
  const sign = (data: Buffer): string => {
    previous = hmacHex(signing.signingKey, chunkStringToSign(signing.amzDate, signing.scope, previous, sha256Hex(data)));
    return previous;
  };
  const frames: Frame[] = [...chunks, Buffer.alloc(0)].map((data) => ({
    size: data.length.toString(16),
    extension: signed ? `;chunk-signature=${sign(data)}` : '',
    data,
    afterData: data.length > 0 ? '\r\n' : '',
  }));
  // Signatures are computed over the true data before a corruption touches a frame, as a tampering proxy would.
  const target = (at: number): Frame | undefined => frames[at % Math.max(1, frames.length - 1)];
  switch (k?.kind) {
    case 'swap-chunks':
      // Whole frames, signatures included, as a proxy reordering them would.
      if (frames.length >= 3) [frames[0], frames[1]] = [frames[1] as Frame, frames[0] as Frame];
      break;
    case 'bad-hex':
      (target(k.at) as Frame).size = k.size;
      break;
    case 'size-off': {
      const f = target(k.at) as Frame;
      f.size = Math.max(0, f.data.length + k.by).toString(16);
      break;
    }
    case 'no-crlf-after-data':
      (target(k.at) as Frame).afterData = '';
      break;
    case 'lf-after-data': {
      const f = target(k.at) as Frame;
      if (f.afterData !== '') f.afterData = '\n';
      break;
    }
    case 'chunk-signature': {
      const f = target(k.at) as Frame;
      f.extension = f.extension.replace(/=([0-9a-f]{64})/, (_, s: string) => `=${s.slice(0, k.flip)}${s[k.flip] === '0' ? '1' : '0'}${s.slice(k.flip + 1)}`);
      break;
    }
    case 'no-chunk-signature':
      (target(k.at) as Frame).extension = '';
      break;
  }
  const parts: Buffer[] = frames.flatMap((f) => [Buffer.from(`${f.size}${f.extension}\r\n`, 'latin1'), f.data, Buffer.from(f.afterData)]);
  if (c.mode !== 'signed') {
    let trailers = k?.kind === 'trailer-missing' ? '' : `${TRAILER_NAME}:${k?.kind === 'trailer-value' ? 'AAAAAA==' : crc32Base64(c.body)}\n`;
    if (c.mode === 'signed-trailer' && trailers !== '') {
      let signature = hmacHex(signing.signingKey, trailerStringToSign(signing.amzDate, signing.scope, previous, sha256Hex(trailers)));
      if (k?.kind === 'trailer-signature') signature = `${signature.slice(0, k.flip)}${signature[k.flip] === '0' ? '1' : '0'}${signature.slice(k.flip + 1)}`;
      trailers += `x-amz-trailer-signature:${signature}\n`;
    }
    if (k?.kind === 'trailer-junk-line') trailers += `${k.line}\n`;
    parts.push(Buffer.from(trailers.replace(/\n/g, '\r\n'), 'latin1'));
  }
  parts.push(Buffer.from('\r\n'));
  if (k?.kind === 'extra-data') parts.push(Buffer.from(k.data));
  const wire = Buffer.concat(parts);
  return k?.kind === 'cut' ? wire.subarray(0, Math.floor(k.keep * wire.length)) : wire;
}
