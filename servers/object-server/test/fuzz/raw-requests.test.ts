/**
 * Random requests as raw HTTP over node:net against the real server, over the file adapter (the default
 * backend) and the block adapter: request lines, methods, paths and keys (escapes, `..`, `//`, unicode, very
 * long), query strings (sub-resources, duplicates, bad escapes), headers (x-amz-* of every kind, random,
 * duplicated, oversized), broken Authorization headers and presigned parameters, bodies framed every way.
 *
 * Whatever arrives, the server answers (no hang, no dropped connection), never with a 5xx other than S3's
 * deliberate 501 NotImplemented and 503 SlowDown (s3-answer.ts), every error with a body is an S3 error
 * document, the server still answers a health check and a signed ListBuckets after each batch, and nothing
 * appears in the sandbox outside the backend's data. Pipelined on one connection (RFC 9112 §9.3.2), each
 * request gets its own answer in order, `Connection: close` ends the exchange after its request's answer
 * (§9.6), and no request keeps a slot of the server's cap on requests being served once its connection is
 * gone. Requests that are not well-formed HTTP, or use a method S3 does not define, get S3 errors too.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/app.ts';
import { fuzzParameters, testTimeout } from './fuzz-settings.ts';
import type { FuzzBudget } from './fuzz-settings.ts';
import { startFuzzServer } from './fuzz-server.ts';
import type { FuzzBackend, FuzzServer } from './fuzz-server.ts';
import { describeOutcome, sendPipelined, sendRaw } from './raw-http.ts';
import type { PipelinedOutcome } from './raw-http.ts';
import { encodeMalformed, encodeRequest, malformedRequest, undefinedMethodRequest, wellFormedRequest } from './raw-request.ts';
import type { EncodedRequest, RawRequestCase } from './raw-request.ts';
import { answerProblem, errorCodeOf } from './s3-answer.ts';

const WELL_FORMED: FuzzBudget = { runs: 150, timeLimitMs: 10_000, runTimeoutMs: 20_000 };
const MALFORMED: FuzzBudget = { runs: 100, timeLimitMs: 10_000, runTimeoutMs: 20_000 };
const PIPELINED: FuzzBudget = { runs: 60, timeLimitMs: 8_000, runTimeoutMs: 20_000 };
/** A fresh server per run: fewer runs. */
const SLOTS: FuzzBudget = { runs: 40, timeLimitMs: 8_000, runTimeoutMs: 20_000 };
const METHODS: FuzzBudget = { runs: 40, timeLimitMs: 5_000, runTimeoutMs: 20_000 };
const BACKENDS: FuzzBackend[] = ['file', 'block'];

/** Sends `batch`, fails on the first answer that breaks the rules, then checks the server is up and tidy. */
async function exchange(target: FuzzServer, batch: EncodedRequest[]): Promise<void> {
  for (const request of batch) {
    const outcome = await sendRaw(target.port, request.bytes, { method: request.method, endAfterWrite: request.endAfterWrite, timeoutMs: 5000 });
    const problem = answerProblem(outcome);
    if (problem !== undefined) {
      throw new Error(`${problem}\nrequest: ${JSON.stringify(request.bytes.toString('latin1').slice(0, 1500))}\nanswer: ${describeOutcome(outcome)}`);
    }
  }
  await target.assertAlive();
  expect(await target.strayFiles()).toEqual([]);
}

/** A server over `backend` for the describe block's lifetime. */
function useServer(backend: FuzzBackend, options: Partial<AppOptions> = {}): () => FuzzServer {
  let target: FuzzServer | undefined;
  beforeAll(async () => {
    target = await startFuzzServer(backend, options);
  });
  afterAll(async () => {
    await target?.close();
  });
  return () => {
    if (target === undefined) throw new Error('the fuzz server did not start');
    return target;
  };
}

/**
 * Sends `batch` pipelined on one connection. Every request is well-formed, so each gets its own answer, in
 * order, until one answer announces `Connection: close`; none is a parse error (which would mean the server
 * read a body as the next request); nothing follows the last answer.
 */
async function pipelined(target: FuzzServer, batch: EncodedRequest[]): Promise<void> {
  const outcome: PipelinedOutcome = await sendPipelined(target.port, batch, 8000);
  const context = (): string =>
    `requests: ${JSON.stringify(batch.map((r) => r.bytes.toString('latin1').slice(0, 400)))}\nanswers: ${JSON.stringify(outcome.answers.map((a) => `${a.status} ${errorCodeOf(a) ?? ''} ${a.headers.connection ?? ''}`))} then ${outcome.end}`;
  const closeAt = outcome.answers.findIndex((a) => (a.headers.connection ?? '').toLowerCase() === 'close');
  const expected = closeAt === -1 ? batch.length : closeAt + 1;
  for (const answer of outcome.answers) {
    const problem = answerProblem(answer);
    if (problem !== undefined) throw new Error(`${problem}\n${context()}`);
    expect(errorCodeOf(answer), `a well-formed request was answered as unparseable\n${context()}`).not.toBe('BadRequest');
  }
  expect(outcome.answers.length, `answers missing or extra\n${context()}`).toBe(expected);
  expect(outcome.leftover.length, `bytes after the last answer\n${context()}`).toBe(0);
  if (closeAt !== -1) expect(outcome.end, `the connection stayed open after Connection: close\n${context()}`).toBe('closed');
  await target.assertAlive();
}

describe.each(BACKENDS)('raw requests over the %s backend', (backend) => {
  const server = useServer(backend);
  it(
    'well-formed HTTP: every request answered without a 5xx, errors as S3 XML, server up, nothing outside its data',
    async () => {
      const target = server();
      await fc.assert(
        fc.asyncProperty(fc.array(wellFormedRequest, { minLength: 1, maxLength: 3 }), (batch) => exchange(target, batch.map((c) => encodeRequest(c, target.port)))),
        fuzzParameters(WELL_FORMED),
      );
    },
    testTimeout(WELL_FORMED),
  );
});

describe('pipelined requests', () => {
  const server = useServer('memory');
  const keepAlive = wellFormedRequest.filter((c) => c.version === 'HTTP/1.1' && !c.headers.some(([n, v]) => n === 'connection' && v === 'close'));
  const closing = keepAlive.map((c): RawRequestCase => ({ ...c, headers: [...c.headers, ['connection', 'close']] }));

  it(
    'one answer per request, in order, no body read as a request',
    async () => {
      const target = server();
      await fc.assert(
        fc.asyncProperty(fc.array(keepAlive, { minLength: 2, maxLength: 5 }), (batch) => pipelined(target, batch.map((c) => encodeRequest(c, target.port)))),
        fuzzParameters(PIPELINED),
      );
    },
    testTimeout(PIPELINED),
  );

  it(
    'a request with Connection: close gets its own answer, whatever is pipelined after it (RFC 9112 §9.6)',
    async () => {
      const target = server();
      await fc.assert(
        fc.asyncProperty(fc.array(keepAlive, { maxLength: 2 }), closing, fc.array(keepAlive, { minLength: 1, maxLength: 2 }), (before, close, after) =>
          pipelined(target, [...before, close, ...after].map((c) => encodeRequest(c, target.port))),
        ),
        fuzzParameters(PIPELINED),
      );
    },
    testTimeout(PIPELINED),
  );

  it(
    'once a pipelined exchange is over, it holds none of the slots of the cap on requests being served',
    async () => {
      // A fresh server per batch, allowed one request at a time: a slot kept by a request that is over then
      // shows as 503 SlowDown to the very next request, and the shrunk case is the batch that kept it.
      // Inside the batch SlowDown answers are legitimate (pipelined requests are served side by side).
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(keepAlive, closing), { minLength: 2, maxLength: 4 }), async (batch) => {
          const target = await startFuzzServer('memory', { httpLimits: { maxConcurrentRequests: 1 } });
          try {
            await sendPipelined(target.port, batch.map((c) => encodeRequest(c, target.port)), 8000);
            await target.assertCapacity(1);
          } finally {
            await target.close();
          }
        }),
        fuzzParameters(SLOTS),
      );
    },
    testTimeout(SLOTS),
  );
});

describe('HTTP that is not S3, over the file backend', () => {
  const server = useServer('file');
  it(
    'framing, oversized headers, no Host, bad targets, versions and header lines: answered as S3 errors, never 5xx, server up',
    async () => {
      const target = server();
      await fc.assert(
        fc.asyncProperty(malformedRequest, (c) => exchange(target, [encodeMalformed(c, target.port)])),
        fuzzParameters(MALFORMED),
      );
    },
    testTimeout(MALFORMED),
  );

  it(
    'methods S3 does not define (TRACE, CONNECT, WebDAV methods, unknown tokens): answered as S3 errors, never 5xx or a dropped connection',
    async () => {
      const target = server();
      await fc.assert(
        fc.asyncProperty(undefinedMethodRequest, (c) => exchange(target, [encodeMalformed(c, target.port)])),
        fuzzParameters(METHODS),
      );
    },
    testTimeout(METHODS),
  );
});
