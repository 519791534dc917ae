/**
 * Requests that stop arriving: a body cut anywhere short of its Content-Length (plain, aws-chunked or XML), or
 * a request head cut short, on a connection the client keeps open. S3 answers such a request with 400
 * RequestTimeout ("Your socket connection to the server was not read from or written to within the timeout
 * period", https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList) and stores
 * nothing. The server here runs with short body and header timeouts (`httpLimits`) so that each stall ends in
 * about a second; every exchange is bounded, so a server that waits forever fails as a hang.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/auth/index.ts';
import { encodeChunked, framingHeaders, payloadHashOf } from './chunked-framing.ts';
import { fuzzParameters, testTimeout } from './fuzz-settings.ts';
import type { FuzzBudget } from './fuzz-settings.ts';
import { CREDENTIALS, FUZZ_BUCKET, signedRequest, startFuzzServer } from './fuzz-server.ts';
import type { FuzzServer } from './fuzz-server.ts';
import { describeOutcome, sendRaw } from './raw-http.ts';
import { answerProblem, errorCodeOf } from './s3-answer.ts';

const BODY_IDLE_MS = 700;
const HEADERS_MS = 1200;
const BUDGET: FuzzBudget = { runs: 4, timeLimitMs: 12_000, runTimeoutMs: 15_000 };

/** One stalled request: what is sent, and how much of it. */
interface Stall {
  kind: 'object-put' | 'chunked-put' | 'xml-post' | 'head';
  size: number;
  /** The fraction of the bytes sent before the client goes quiet. */
  sent: number;
}

const stall: fc.Arbitrary<Stall> = fc.record({
  kind: fc.constantFrom<Stall['kind']>('object-put', 'chunked-put', 'xml-post', 'head'),
  size: fc.integer({ min: 1, max: 5000 }),
  sent: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
});

let sequence = 0;

/** The full request bytes, the number of them to send, and the key a PUT would create. */
function build(port: number, s: Stall): { bytes: Buffer; send: number; key: string } {
  const key = `stalled/${sequence++}`;
  if (s.kind === 'chunked-put') {
    const c = { mode: 'signed' as const, body: new Uint8Array(s.size).fill(7), cuts: [1000, 3000], corruption: undefined };
    const signed = signRequest({ method: 'PUT', url: `http://127.0.0.1:${port}/${FUZZ_BUCKET}/${key}`, credentials: CREDENTIALS, payloadHash: payloadHashOf(c.mode), headers: framingHeaders(c) });
    const body = encodeChunked(c, { seedSignature: signed.signature, signingKey: signed.signingKey, scope: signed.scope, amzDate: signed.amzDate });
    const head = `PUT ${signed.rawUrl} HTTP/1.1\r\n${Object.entries({ ...signed.headers, 'content-length': String(body.length) }).map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
    const bytes = Buffer.concat([Buffer.from(head, 'latin1'), body]);
    return { bytes, send: head.length + Math.floor(s.sent * body.length), key };
  }
  const body = s.kind === 'xml-post' ? Buffer.from(`<Delete>${'<Object><Key>k</Key></Object>'.repeat(Math.ceil(s.size / 28))}</Delete>`) : Buffer.alloc(s.size, 1);
  const bytes = s.kind === 'xml-post' ? signedRequest(port, 'POST', `/${FUZZ_BUCKET}?delete`, { body }) : signedRequest(port, 'PUT', `/${FUZZ_BUCKET}/${key}`, { body });
  const headLength = bytes.length - body.length;
  // A stalled head stops before its blank line; a stalled body after the head.
  const send = s.kind === 'head' ? Math.floor(s.sent * (headLength - 2)) : headLength + Math.floor(s.sent * body.length);
  return { bytes, send, key };
}

describe('requests that stop arriving', () => {
  let target: FuzzServer | undefined;
  beforeAll(async () => {
    target = await startFuzzServer('file', { httpLimits: { bodyIdleTimeoutMs: BODY_IDLE_MS, headersTimeoutMs: HEADERS_MS } });
  });
  afterAll(async () => {
    await target?.close();
  });

  it(
    'are answered 400 RequestTimeout within the timeout, store nothing, and the server stays up',
    async () => {
      const { port } = target as FuzzServer;
      await fc.assert(
        fc.asyncProperty(fc.array(stall, { minLength: 1, maxLength: 6 }), async (stalls) => {
          // The stalls of a batch run side by side: each waits out the same timeout.
          await Promise.all(
            stalls.map(async (s) => {
              const { bytes, send, key } = build(port, s);
              const outcome = await sendRaw(port, bytes.subarray(0, send), { timeoutMs: HEADERS_MS + 4000 });
              const label = `${s.kind} stalled after ${send} of ${bytes.length} bytes: ${describeOutcome(outcome)}`;
              // Nothing sent at all is a connection the client never used: closing it unanswered is fine.
              if (send === 0 && outcome.kind === 'closed') return;
              expect(answerProblem(outcome), label).toBeUndefined();
              expect(errorCodeOf(outcome), label).toBe('RequestTimeout');
              if (s.kind !== 'xml-post' && s.kind !== 'head') {
                const read = await sendRaw(port, signedRequest(port, 'HEAD', `/${FUZZ_BUCKET}/${key}`));
                expect(read.kind === 'answer' && read.status, `a stalled upload left an object: ${label}`).toBe(404);
              }
            }),
          );
          await (target as FuzzServer).assertAlive();
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );
});
