/**
 * aws-chunked bodies (chunked-framing.ts) through the payload decoder and through a real server:
 *
 * - valid framings of random bodies, cut into random chunks and fed in random slices, decode to exactly the
 *   body; PUT over a socket, the object reads back byte for byte;
 * - a corrupted framing (bad hex, a size off by a few bytes, a missing CRLF, a cut body, a wrong or missing
 *   chunk or trailer signature, swapped chunks, data after the end, a wrong or missing trailer checksum, a
 *   wrong decoded length) is refused with a clear S3 4xx error and stores nothing — or, where the framing
 *   rules tolerate the change (a bare LF, a missing final CRLF), stores exactly the body. Corruptions that
 *   change what the body means (signatures, checksums, lengths, chunk order) must be refused. Never a 5xx,
 *   never a hang: every exchange is bounded by a timeout.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, createPayloadDecoder, signRequest } from '../../src/auth/index.ts';
import type { AuthResult } from '../../src/auth/index.ts';
import { isS3Error } from '../../src/s3-errors.ts';
import { runThrough } from '../auth/helpers.ts';
import { chunksOf, corruptChunkedCase, encodeChunked, framingHeaders, payloadHashOf, TRAILER_NAME, crc32Base64, validChunkedCase } from './chunked-framing.ts';
import type { ChunkedCase, ChunkSigning } from './chunked-framing.ts';
import { fuzzParameters, testTimeout } from './fuzz-settings.ts';
import type { FuzzBudget } from './fuzz-settings.ts';
import { CREDENTIALS, FUZZ_BUCKET, signedRequest, startFuzzServer } from './fuzz-server.ts';
import type { FuzzServer } from './fuzz-server.ts';
import { describeOutcome, sendRaw } from './raw-http.ts';
import { answerProblem, errorCodeOf } from './s3-answer.ts';

/** The S3 errors a broken aws-chunked body may be answered with. */
const FRAMING_ERRORS = new Set(['IncompleteBody', 'InvalidRequest', 'InvalidArgument', 'SignatureDoesNotMatch', 'MalformedTrailerError', 'BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'BadRequest']);

/** Whether accepting `c` would store the body under a false claim (signature, checksum, length, order). */
function mustRefuse(c: ChunkedCase): boolean {
  const k = c.corruption;
  const signed = c.mode !== 'unsigned-trailer';
  const chunks = chunksOf(c);
  switch (k?.kind) {
    case 'chunk-signature':
    case 'no-chunk-signature':
      return signed;
    case 'trailer-signature':
      return c.mode === 'signed-trailer';
    case 'trailer-value':
    case 'trailer-missing':
      return c.mode !== 'signed';
    case 'decoded-length':
      return true;
    case 'swap-chunks':
      // Chained chunk signatures catch any reordering; without them the trailer's CRC32 catches changed bytes.
      return chunks.length >= 2 && (signed || !Buffer.concat([chunks[1] as Buffer, chunks[0] as Buffer]).equals(Buffer.concat(chunks.slice(0, 2))));
    default:
      return false;
  }
}

/** Corruptions only the trailer checksum catches, which storage verifies (not the decoder). */
function caughtByChecksum(c: ChunkedCase): boolean {
  switch (c.corruption?.kind) {
    case 'trailer-value':
      return c.mode !== 'signed';
    case 'swap-chunks':
      return c.mode === 'unsigned-trailer';
    default:
      return false;
  }
}

let sequence = 0;
const url = (port: number, key: string) => `http://127.0.0.1:${port}/${FUZZ_BUCKET}/${key}`;

/** Signs a streaming PUT of `c` to `key` and returns its wire bytes (Content-Length unsigned, as SDKs send it). */
function streamingPut(port: number, key: string, c: ChunkedCase): Buffer {
  const signed = signRequest({ method: 'PUT', url: url(port, key), credentials: CREDENTIALS, payloadHash: payloadHashOf(c.mode), headers: framingHeaders(c) });
  const body = encodeChunked(c, { seedSignature: signed.signature, signingKey: signed.signingKey, scope: signed.scope, amzDate: signed.amzDate });
  const headers = { ...signed.headers, 'content-length': String(body.length) };
  const head = `PUT ${signed.rawUrl} HTTP/1.1\r\n${Object.entries(headers).map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

describe('aws-chunked through the payload decoder', () => {
  const authenticator = createAuthenticator({ credentials: [CREDENTIALS] });
  const BUDGET: FuzzBudget = { runs: 300, timeLimitMs: 8_000, runTimeoutMs: 5_000 };

  /** Authenticates a streaming request for `c` and returns its auth, headers and the chunk-signing seed. */
  function prepare(c: ChunkedCase): { auth: AuthResult; headers: Record<string, string>; signing: ChunkSigning } {
    const signed = signRequest({ method: 'PUT', url: 'http://h/b/k', credentials: CREDENTIALS, payloadHash: payloadHashOf(c.mode), headers: framingHeaders(c) });
    const auth = authenticator.authenticate({ method: 'PUT', rawUrl: signed.rawUrl, headers: signed.headers });
    return { auth, headers: signed.headers, signing: { seedSignature: signed.signature, signingKey: signed.signingKey, scope: signed.scope, amzDate: signed.amzDate } };
  }

  it(
    'valid framings decode to exactly the body, in any slicing, with the trailer checksum',
    async () => {
      await fc.assert(
        fc.asyncProperty(validChunkedCase, fc.integer({ min: 1, max: 70_000 }), async (c, slice) => {
          const { auth, headers, signing } = prepare(c);
          const decoder = createPayloadDecoder(auth, headers);
          const { output, error } = await runThrough(decoder.stream, encodeChunked(c, signing), slice);
          expect(error).toBeUndefined();
          expect(output.equals(Buffer.from(c.body))).toBe(true);
          if (c.mode !== 'signed') expect(decoder.trailers()[TRAILER_NAME]).toBe(crc32Base64(c.body));
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );

  it(
    'corrupted framings fail with an S3 4xx error, or decode to exactly the body where the rules tolerate the change',
    async () => {
      await fc.assert(
        fc.asyncProperty(corruptChunkedCase, fc.integer({ min: 1, max: 700 }), async (c, slice) => {
          const { auth, headers, signing } = prepare(c);
          let decoder: ReturnType<typeof createPayloadDecoder>;
          try {
            decoder = createPayloadDecoder(auth, headers);
          } catch (e) {
            expect(isS3Error(e) && e.status < 500, String(e)).toBe(true);
            return;
          }
          const { output, error } = await runThrough(decoder.stream, encodeChunked(c, signing), slice);
          if (error === undefined) {
            // Checksums are storage's to verify: what only they catch decodes here (the server test refuses it).
            if (caughtByChecksum(c)) return;
            expect(mustRefuse(c), 'a corruption that changes the body was accepted').toBe(false);
            expect(output.equals(Buffer.from(c.body)), 'a tolerated corruption changed the bytes').toBe(true);
            return;
          }
          expect(isS3Error(error), `not an S3Error: ${String(error)}`).toBe(true);
          if (isS3Error(error)) {
            expect(FRAMING_ERRORS.has(error.code), `${error.code}: ${error.message}`).toBe(true);
            expect(error.status).toBeLessThan(500);
          }
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );
});

describe('aws-chunked PUTs over a socket (file backend)', () => {
  let target: FuzzServer | undefined;
  beforeAll(async () => {
    target = await startFuzzServer('file');
  });
  afterAll(async () => {
    await target?.close();
  });
  const BUDGET: FuzzBudget = { runs: 100, timeLimitMs: 10_000, runTimeoutMs: 15_000 };

  /** The object's bytes, or undefined when it does not exist. */
  async function read(port: number, key: string): Promise<Buffer | undefined> {
    const outcome = await sendRaw(port, signedRequest(port, 'GET', `/${FUZZ_BUCKET}/${key}`));
    if (outcome.kind === 'answer' && outcome.status === 200) return outcome.body;
    if (outcome.kind === 'answer' && outcome.status === 404) return undefined;
    throw new Error(`GET ${key}: ${describeOutcome(outcome)}`);
  }

  it(
    'valid framings round-trip byte for byte',
    async () => {
      const { port } = target as FuzzServer;
      await fc.assert(
        fc.asyncProperty(validChunkedCase, async (c) => {
          const key = `chunked/valid-${sequence++}`;
          const outcome = await sendRaw(port, streamingPut(port, key, c), { timeoutMs: 5000 });
          expect(outcome.kind === 'answer' && outcome.status, describeOutcome(outcome)).toBe(200);
          expect((await read(port, key))?.equals(Buffer.from(c.body))).toBe(true);
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );

  it(
    'corrupted framings are refused with an S3 4xx error and store nothing (or store exactly the body where tolerated)',
    async () => {
      const { port } = target as FuzzServer;
      await fc.assert(
        fc.asyncProperty(corruptChunkedCase, async (c) => {
          const key = `chunked/corrupt-${sequence++}`;
          const outcome = await sendRaw(port, streamingPut(port, key, c), { timeoutMs: 5000 });
          const problem = answerProblem(outcome);
          expect(problem, describeOutcome(outcome)).toBeUndefined();
          const stored = await read(port, key);
          if (outcome.kind === 'answer' && outcome.status === 200) {
            expect(mustRefuse(c), 'a corruption that changes the body was accepted').toBe(false);
            expect(stored?.equals(Buffer.from(c.body)), 'a tolerated corruption stored other bytes').toBe(true);
            return;
          }
          const code = errorCodeOf(outcome);
          expect(code !== undefined && FRAMING_ERRORS.has(code), describeOutcome(outcome)).toBe(true);
          expect(stored, 'a refused upload left an object behind').toBeUndefined();
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );
});
