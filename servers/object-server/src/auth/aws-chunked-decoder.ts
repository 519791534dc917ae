/**
 * The aws-chunked body decoder: a Transform from the wire framing to the object's bytes.
 *
 * Framing ("Transferring Payload in Multiple Chunks", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
 * and "Signature calculations for trailing headers", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html):
 *
 * ```
 * hex-size[;chunk-signature=sig]\r\n  data  \r\n      ...repeated...
 * 0[;chunk-signature=sig]\r\n                         the final, empty chunk
 * name:value\r\n ... [x-amz-trailer-signature:sig\r\n] trailing headers (trailer variants only)
 * \r\n
 * ```
 *
 * Memory is bounded whatever the chunk size: data is pushed on as it arrives and hashed incrementally; only a
 * chunk header line (≤ 4 KiB) or the trailer section (≤ 16 KiB) is ever held. A chunk's signature can only be
 * checked at its end, so the bytes of a tampered chunk may already have been pushed when the stream errors;
 * consumers (the storage's put) must — and do — treat a stream error as "store nothing".
 *
 * Strict where it matters: hex sizes, CRLF after every chunk's data, every chunk signature, the trailer
 * signature, the declared trailers and `x-amz-decoded-content-length`. Lenient where clients differ: bare LF
 * line ends on header lines, a final CRLF that some clients omit, a blank line some put before the trailers.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../s3-errors.ts';
import { chunkStringToSign, hmacHex, sha256Hex, signaturesEqual, trailerStringToSign } from './signing.ts';

/** Options of {@link createAwsChunkedDecoder}. */
export interface AwsChunkedDecoderOptions {
  /** Present for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`: every chunk must carry a valid signature. */
  signing?: { seedSignature: string; signingKey: Buffer; scope: string; amzDate: string };
  /** Trailing headers may follow the final chunk (the two `-TRAILER` modes). */
  trailers: boolean;
  /** Trailer names `x-amz-trailer` announced; each must arrive. */
  declaredTrailers: string[];
  /** `x-amz-decoded-content-length`, checked against the bytes decoded. */
  decodedLength?: number;
  /** Largest chunk size accepted. */
  maxChunkSize: number;
}

/** The decoder stream; {@link AwsChunkedDecoder.trailers} is complete once the stream has ended. */
export interface AwsChunkedDecoder extends Transform {
  readonly trailers: Record<string, string>;
}

const MAX_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
const CR = 13;
const LF = 10;

type State = 'header' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

function malformed(message: string): S3Error {
  return new S3Error('InvalidRequest', `Malformed aws-chunked body: ${message}`);
}

function incomplete(message: string): S3Error {
  return new S3Error('IncompleteBody', message);
}

function malformedTrailer(message: string): S3Error {
  return new S3Error('MalformedTrailerError', `${message}`);
}

/**
 * Buffer sizes of a body stage, on both sides. Node's default (16 KiB) is a quarter of one socket read: every
 * chunk piped in would fill it, pause the request and resume it again (a `_read` and a socket resume per chunk).
 */
export const STAGE_BUFFERS = { readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024 } as const;

class Decoder extends Transform implements AwsChunkedDecoder {
  readonly #opts: AwsChunkedDecoderOptions;
  #state: State = 'header';
  #line: Buffer[] = [];
  #lineLength = 0;
  #remaining = 0;
  #decoded = 0;
  #hash: Hash | undefined;
  #chunkSignature = '';
  #previousSignature: string;
  #trailers: Record<string, string> = {};
  #trailerCanonical = '';
  #trailerBytes = 0;
  #trailerSignature: string | undefined;
  #skippedBlank = false;

  constructor(opts: AwsChunkedDecoderOptions) {
    super(STAGE_BUFFERS);
    this.#opts = opts;
    this.#previousSignature = opts.signing?.seedSignature ?? '';
  }

  get trailers(): Record<string, string> {
    return { ...this.#trailers };
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.#consume(chunk);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (this.#state === 'trailer') {
        // EOF ends the trailer section; some clients omit its final blank line (or the last line's CRLF).
        if (this.#lineLength > 0) this.#trailerLine(this.#takeLine(this.#lineLength));
        if (this.#state === 'trailer') this.#finish();
      }
      if (this.#state !== 'done') {
        throw incomplete('The aws-chunked body ended before its final chunk.');
      }
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  #consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.#state) {
        case 'header':
        case 'trailer': {
          const nl = buf.indexOf(LF, i);
          const end = nl === -1 ? buf.length : nl;
          const limit = this.#state === 'header' ? MAX_LINE : MAX_TRAILER_BYTES;
          if (this.#lineLength + (end - i) > limit) throw malformed('a chunk header or trailer line is too long');
          if (end > i) {
            this.#line.push(buf.subarray(i, end));
            this.#lineLength += end - i;
          }
          if (nl === -1) return;
          i = nl + 1;
          const line = this.#takeLine(this.#lineLength);
          if (this.#state === 'header') this.#headerLine(line);
          else this.#trailerLine(line);
          break;
        }
        case 'data': {
          const n = Math.min(this.#remaining, buf.length - i);
          const slice = buf.subarray(i, i + n);
          this.#hash?.update(slice);
          this.push(slice);
          this.#remaining -= n;
          this.#decoded += n;
          i += n;
          if (this.#remaining === 0) this.#state = 'data-cr';
          break;
        }
        case 'data-cr':
          if (buf[i] !== CR) throw malformed('chunk data is not followed by CRLF (chunk size and data disagree)');
          this.#state = 'data-lf';
          i++;
          break;
        case 'data-lf':
          if (buf[i] !== LF) throw malformed('chunk data is not followed by CRLF (chunk size and data disagree)');
          i++;
          this.#endChunk();
          this.#state = 'header';
          break;
        case 'done':
          for (; i < buf.length; i++) {
            if (buf[i] !== CR && buf[i] !== LF) throw malformed('data follows the end of the aws-chunked body');
          }
          break;
      }
    }
  }

  /** Joins the held line pieces, drops a trailing CR. */
  #takeLine(length: number): string {
    let line = Buffer.concat(this.#line, length).toString('latin1');
    this.#line = [];
    this.#lineLength = 0;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return line;
  }

  #headerLine(line: string): void {
    const semi = line.indexOf(';');
    const sizeText = semi === -1 ? line : line.slice(0, semi);
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw malformed(`invalid chunk size "${sizeText.slice(0, 32)}"`);
    const size = parseInt(sizeText, 16);
    if (size > this.#opts.maxChunkSize) throw malformed(`chunk of ${size} bytes exceeds the limit of ${this.#opts.maxChunkSize}`);
    const limit = this.#opts.decodedLength;
    if (limit !== undefined && this.#decoded + size > limit) {
      throw incomplete(`The decoded body is longer than x-amz-decoded-content-length (${limit}).`);
    }
    if (this.#opts.signing !== undefined) {
      const m = /(?:^|;)chunk-signature=([^;]*)/.exec(line.slice(semi + 1));
      if (semi === -1 || m === null) throw new S3Error('SignatureDoesNotMatch', 'A chunk of a signed aws-chunked body has no chunk-signature.');
      this.#chunkSignature = (m[1] ?? '').trim();
      this.#hash = createHash('sha256');
    }
    if (size === 0) {
      this.#endChunk();
      this.#state = 'trailer';
    } else {
      this.#remaining = size;
      this.#state = 'data';
    }
  }

  /** Verifies the signature of the chunk just read; it becomes the previous signature of the next. */
  #endChunk(): void {
    const signing = this.#opts.signing;
    if (signing === undefined || this.#hash === undefined) return;
    const stringToSign = chunkStringToSign(signing.amzDate, signing.scope, this.#previousSignature, this.#hash.digest('hex'));
    const expected = hmacHex(signing.signingKey, stringToSign);
    this.#hash = undefined;
    if (!signaturesEqual(expected, this.#chunkSignature)) {
      throw new S3Error('SignatureDoesNotMatch', 'The chunk signature we calculated does not match the signature you provided.', {
        extra: { StringToSign: stringToSign, SignatureProvided: this.#chunkSignature },
      });
    }
    this.#previousSignature = expected;
  }

  #trailerLine(line: string): void {
    if (line === '') {
      const nothingYet = this.#trailerCanonical === '' && this.#trailerSignature === undefined;
      // A blank line straight after the final chunk, when trailers are announced, is a separator some
      // clients send; the trailers follow it. Anywhere else a blank line ends the body.
      if (nothingYet && this.#opts.declaredTrailers.length > 0 && !this.#skippedBlank) {
        this.#skippedBlank = true;
        return;
      }
      this.#finish();
      return;
    }
    if (!this.#opts.trailers) throw malformed('trailing headers after the final chunk of a body without trailers');
    if (this.#trailerSignature !== undefined) throw malformedTrailer('Trailing headers follow x-amz-trailer-signature.');
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformedTrailer(`The trailing header "${line.slice(0, 64)}" is not of the form name:value.`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    this.#trailerBytes += line.length;
    if (this.#trailerBytes > MAX_TRAILER_BYTES) throw malformedTrailer('The trailing headers are too large.');
    if (name === 'x-amz-trailer-signature') {
      this.#trailerSignature = value;
      return;
    }
    this.#trailers[name] = value;
    // The signed form of the trailer: each header as `name:value\n` (sigv4-streaming-trailers.html).
    this.#trailerCanonical += `${name}:${value}\n`;
  }

  /** End of the body: trailer signature, announced trailers, decoded length. */
  #finish(): void {
    const signing = this.#opts.signing;
    if (signing !== undefined && this.#opts.trailers && (this.#trailerCanonical !== '' || this.#trailerSignature !== undefined)) {
      if (this.#trailerSignature === undefined) {
        throw new S3Error('SignatureDoesNotMatch', 'The trailing headers of a signed aws-chunked body have no x-amz-trailer-signature.');
      }
      const stringToSign = trailerStringToSign(signing.amzDate, signing.scope, this.#previousSignature, sha256Hex(this.#trailerCanonical));
      if (!signaturesEqual(hmacHex(signing.signingKey, stringToSign), this.#trailerSignature)) {
        throw new S3Error('SignatureDoesNotMatch', 'The trailer signature we calculated does not match the signature you provided.', {
          extra: { StringToSign: stringToSign, SignatureProvided: this.#trailerSignature },
        });
      }
    }
    for (const name of this.#opts.declaredTrailers) {
      if (this.#trailers[name] === undefined) throw malformedTrailer(`The trailing header ${name} announced in x-amz-trailer is missing.`);
    }
    const limit = this.#opts.decodedLength;
    if (limit !== undefined && this.#decoded !== limit) {
      throw incomplete(`The decoded body has ${this.#decoded} bytes; x-amz-decoded-content-length says ${limit}.`);
    }
    this.#state = 'done';
  }
}

/** Creates the streaming aws-chunked decoder (signed or unsigned chunks, with or without trailers). */
export function createAwsChunkedDecoder(opts: AwsChunkedDecoderOptions): AwsChunkedDecoder {
  return new Decoder(opts);
}
