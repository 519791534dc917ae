/**
 * The auth layer end to end over a real socket: an HTTP server on 127.0.0.1:0 authenticates, decodes and hashes
 * a 24 MiB signed aws-chunked upload (three 8 MiB chunks, signed SHA-256 trailer) sent with
 * Transfer-Encoding: chunked. The decoder must stream — bytes leave it while the request is still arriving —
 * and a tampered chunk must fail the request.
 */
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, createChecksumVerifier, createPayloadDecoder, signRequest } from '../../src/auth/index.ts';
import { chunkStringToSign, hmacHex, sha256Hex, trailerStringToSign } from '../../src/auth/signing.ts';
import { isS3Error } from '../../src/s3-errors.ts';

const CREDS = { accessKeyId: 'streamer', secretAccessKey: 'stream secret' };
const CHUNK = 8 * 1024 * 1024;
const CHUNKS = 3;

/** Deterministic content of chunk `i` without keeping it around. */
function chunkData(i: number): Buffer {
  // A native fill with a chunk-specific pattern whose length (37) does not divide the chunk size.
  return Buffer.alloc(CHUNK, `chunk ${i} of a signed aws-chunked body!`.slice(0, 37));
}

let server: Server;
let port: number;

interface Outcome {
  bytes?: number;
  sha256?: string;
  trailers?: Record<string, string>;
  expected?: Record<string, string>;
  emittedBeforeEnd?: number;
  code?: string;
}

beforeAll(async () => {
  const authenticator = createAuthenticator({ credentials: [CREDS] });
  server = createServer((req: IncomingMessage, res) => {
    void (async () => {
      let emitted = 0;
      let emittedBeforeEnd = -1;
      req.on('end', () => (emittedBeforeEnd = emitted));
      const hash = createHash('sha256');
      try {
        const auth = authenticator.authenticate({ method: req.method ?? 'GET', rawUrl: req.url ?? '/', headers: req.headers });
        const decoder = createPayloadDecoder(auth, req.headers);
        const sums = createChecksumVerifier(req.headers, decoder.trailers);
        const sink = new Writable({
          write(chunk: Buffer, _enc, cb) {
            emitted += chunk.length;
            hash.update(chunk);
            cb();
          },
        });
        await pipeline(req, decoder.stream, sink);
        const out: Outcome = { bytes: emitted, sha256: hash.digest('base64'), trailers: decoder.trailers(), expected: sums.expected(), emittedBeforeEnd };
        res.end(JSON.stringify(out));
      } catch (e) {
        req.resume();
        res.statusCode = isS3Error(e) ? e.status : 500;
        res.end(JSON.stringify({ code: isS3Error(e) ? e.code : String(e) }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends the signed chunked upload, writing each chunk as it is produced; `tamper` flips a byte in chunk 1. */
async function upload(tamper: boolean): Promise<{ status: number; body: Outcome; sha256: string }> {
  const whole = createHash('sha256');
  for (let i = 0; i < CHUNKS; i++) whole.update(chunkData(i));
  const sha256 = whole.digest('base64');
  const signed = signRequest({
    method: 'PUT',
    url: `http://127.0.0.1:${port}/bucket/big%20object`,
    credentials: CREDS,
    region: 'local',
    payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
    headers: {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(CHUNK * CHUNKS),
      'x-amz-trailer': 'x-amz-checksum-sha256',
      'x-amz-sdk-checksum-algorithm': 'SHA256',
    },
  });
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${port}${signed.rawUrl}`, { method: 'PUT', headers: { ...signed.headers, 'transfer-encoding': 'chunked' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString()) as Outcome, sha256 }));
    });
    req.on('error', reject);
    void (async () => {
      const write = (b: Buffer | string) => new Promise<void>((ok) => (req.write(b) ? ok() : req.once('drain', ok)));
      let previous = signed.signature;
      for (let i = 0; i <= CHUNKS; i++) {
        const data = i < CHUNKS ? chunkData(i) : Buffer.alloc(0);
        previous = hmacHex(signed.signingKey, chunkStringToSign(signed.amzDate, signed.scope, previous, sha256Hex(data)));
        if (tamper && i === 1) data[12345] = (data[12345] ?? 0) ^ 1;
        await write(`${data.length.toString(16)};chunk-signature=${previous}\r\n`);
        for (let off = 0; off < data.length; off += 1024 * 1024) await write(data.subarray(off, off + 1024 * 1024));
        if (data.length > 0) await write('\r\n');
      }
      const trailer = `x-amz-checksum-sha256:${sha256}\n`;
      const trailerSig = hmacHex(signed.signingKey, trailerStringToSign(signed.amzDate, signed.scope, previous, sha256Hex(trailer)));
      await write(`${trailer.replace('\n', '\r\n')}x-amz-trailer-signature:${trailerSig}\r\n\r\n`);
      req.end();
    })();
  });
}

describe('signed aws-chunked upload over a real socket', () => {
  it('streams 24 MiB through the decoder and delivers the signed trailer checksum', async () => {
    const { status, body, sha256 } = await upload(false);
    expect(status).toBe(200);
    expect(body.bytes).toBe(CHUNK * CHUNKS);
    expect(body.sha256).toBe(sha256);
    expect(body.trailers).toEqual({ 'x-amz-checksum-sha256': sha256 });
    expect(body.expected).toEqual({ sha256 });
    // Bytes were emitted while the request was still arriving: nothing waits for the whole body.
    expect(body.emittedBeforeEnd).toBeGreaterThanOrEqual(2 * CHUNK);
  });

  it('fails a tampered chunk with SignatureDoesNotMatch', async () => {
    const { status, body } = await upload(true);
    expect(status).toBe(403);
    expect(body.code).toBe('SignatureDoesNotMatch');
  });
});
