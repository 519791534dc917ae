/**
 * Random XML bodies (xml-generators.ts) sent, validly signed, to every operation that reads one:
 * DeleteObjects, CompleteMultipartUpload, PutObjectTagging, PutBucketTagging and PutBucketCors, on a server
 * over the file backend.
 *
 * Whatever the document — schema-shaped with random values, random trees, deep nesting, oversized text,
 * entities, DTDs — the answer is never a 5xx (but S3's deliberate 501 NotImplemented), every error is an S3
 * error document, the server stays up and nothing is written outside its data directory. A document that is
 * not well-formed XML is refused with a 4xx (MalformedXML; MaxMessageLengthExceeded past 1 MB).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzParameters, testTimeout } from './fuzz-settings.ts';
import type { FuzzBudget } from './fuzz-settings.ts';
import { FUZZ_BUCKET, signedRequest, startFuzzServer } from './fuzz-server.ts';
import type { FuzzServer } from './fuzz-server.ts';
import { describeOutcome, sendRaw } from './raw-http.ts';
import type { RawOutcome } from './raw-http.ts';
import { answerProblem, errorCodeOf } from './s3-answer.ts';
import { XML_ROOTS, malformedXml, xmlDocument } from './xml-generators.ts';

/** An operation that reads an XML body: its root element and where it is sent. */
interface Operation {
  op: string;
  root: (typeof XML_ROOTS)[number];
  method: 'POST' | 'PUT';
  /** The request path; CompleteMultipartUpload names a live upload. */
  path(uploadId: string): string;
}

const OPERATIONS: Operation[] = [
  { op: 'DeleteObjects', root: 'Delete', method: 'POST', path: () => `/${FUZZ_BUCKET}?delete` },
  { op: 'CompleteMultipartUpload', root: 'CompleteMultipartUpload', method: 'POST', path: (uploadId) => `/${FUZZ_BUCKET}/mpu?uploadId=${encodeURIComponent(uploadId)}` },
  { op: 'PutObjectTagging', root: 'Tagging', method: 'PUT', path: () => `/${FUZZ_BUCKET}/tagged?tagging` },
  { op: 'PutBucketTagging', root: 'Tagging', method: 'PUT', path: () => `/${FUZZ_BUCKET}?tagging` },
  { op: 'PutBucketCors', root: 'CORSConfiguration', method: 'PUT', path: () => `/${FUZZ_BUCKET}?cors` },
];

const BUDGET: FuzzBudget = { runs: 120, timeLimitMs: 8_000, runTimeoutMs: 20_000 };

let target: FuzzServer | undefined;
beforeAll(async () => {
  target = await startFuzzServer('file');
  const { port } = target;
  const put = await sendRaw(port, signedRequest(port, 'PUT', `/${FUZZ_BUCKET}/tagged`, { body: Buffer.from('tagged object') }));
  if (put.kind !== 'answer' || put.status !== 200) throw new Error(`PutObject failed: ${describeOutcome(put)}`);
});
afterAll(async () => {
  await target?.close();
});

/** Starts a multipart upload (CompleteMultipartUpload needs a live one) and returns its id. */
async function createUpload(port: number): Promise<string> {
  const outcome = await sendRaw(port, signedRequest(port, 'POST', `/${FUZZ_BUCKET}/mpu?uploads`));
  const id = outcome.kind === 'answer' ? /<UploadId>([^<]+)<\/UploadId>/.exec(outcome.body.toString('utf8'))?.[1] : undefined;
  if (id === undefined) throw new Error(`CreateMultipartUpload failed: ${describeOutcome(outcome)}`);
  return id;
}

/** Sends `xml` to `operation`, signed with its SHA-256 (or unsigned), with or without a Content-MD5. */
async function sendXml(operation: Operation, xml: string, signPayload: boolean, withMd5: boolean): Promise<RawOutcome> {
  const { port } = target as FuzzServer;
  const body = Buffer.from(xml, 'utf8');
  const path = operation.op === 'CompleteMultipartUpload' ? operation.path(await createUpload(port)) : operation.path('');
  const headers: Record<string, string> = { 'content-type': 'application/xml' };
  if (withMd5) headers['content-md5'] = createHash('md5').update(body).digest('base64');
  const payloadHash = signPayload ? createHash('sha256').update(body).digest('hex') : 'UNSIGNED-PAYLOAD';
  return sendRaw(port, signedRequest(port, operation.method, path, { headers, body, payloadHash }), { timeoutMs: 10_000 });
}

/** An operation with a document for its root, well-formed or not. */
function bodies(kind: 'any' | 'malformed') {
  return fc.constantFrom(...OPERATIONS).chain((operation) =>
    fc.record({
      operation: fc.constant(operation),
      xml: kind === 'malformed' ? malformedXml(operation.root) : fc.oneof(xmlDocument(operation.root), malformedXml(operation.root)),
      signPayload: fc.boolean(),
      withMd5: fc.boolean(),
    }),
  );
}

const failure = (operation: Operation, xml: string, outcome: RawOutcome): string =>
  `${operation.op} with ${JSON.stringify(xml.length > 600 ? `${xml.slice(0, 600)}… (${xml.length} chars)` : xml)}\nanswer: ${describeOutcome(outcome)}`;

describe(`XML bodies (${XML_ROOTS.join(', ')})`, () => {
  it(
    'any document: no 5xx, errors as S3 XML, server up, nothing written outside the data directory',
    async () => {
      await fc.assert(
        fc.asyncProperty(bodies('any'), async ({ operation, xml, signPayload, withMd5 }) => {
          const outcome = await sendXml(operation, xml, signPayload, withMd5);
          const problem = answerProblem(outcome);
          if (problem !== undefined) throw new Error(`${problem}\n${failure(operation, xml, outcome)}`);
          await (target as FuzzServer).assertAlive();
          expect(await (target as FuzzServer).strayFiles()).toEqual([]);
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );

  it(
    'a document that is not well-formed is refused with a 4xx S3 error (501 where the operation is not built)',
    async () => {
      await fc.assert(
        fc.asyncProperty(bodies('malformed'), async ({ operation, xml, signPayload, withMd5 }) => {
          const outcome = await sendXml(operation, xml, signPayload, withMd5);
          const problem = answerProblem(outcome);
          if (problem !== undefined) throw new Error(`${problem}\n${failure(operation, xml, outcome)}`);
          const status = outcome.kind === 'answer' ? outcome.status : 0;
          const code = errorCodeOf(outcome);
          const refused = (status >= 400 && status < 500) || (status === 501 && code === 'NotImplemented');
          expect(refused, failure(operation, xml, outcome)).toBe(true);
        }),
        fuzzParameters(BUDGET),
      );
    },
    testTimeout(BUDGET),
  );
});
