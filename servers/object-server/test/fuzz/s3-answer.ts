/**
 * What every answer of the server must look like, whatever the request: an answer at all (no hang, no
 * connection dropped without one), no 5xx, and every error that has a body written as S3's error document
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses): `application/xml`,
 * root `Error`, a `Code` from S3's table with that code's HTTP status, a `Message`, and a `RequestId` equal to
 * the `x-amz-request-id` header.
 *
 * Two 5xx answers are deliberate and stay allowed: 501 NotImplemented, S3's documented answer for a feature the
 * server does not build (unbuilt sub-resources, SigV4a; see router.ts), and 503 SlowDown, S3's documented
 * back-pressure answer that clients retry. Anything else at 500 or above is a server fault.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3_ERRORS } from '../../src/s3-errors.ts';
import type { RawOutcome } from './raw-http.ts';

/** 5xx codes that are a legitimate S3 answer, with their status. */
export const TOLERATED_5XX: Readonly<Record<string, number>> = { NotImplemented: 501, SlowDown: 503 };

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: true });

/** The parsed S3 error document in `body`, or a reason it is not one. */
export function parseErrorDocument(body: Buffer): { code: string; message: string; requestId: string } | string {
  const text = body.toString('utf8');
  if (XMLValidator.validate(text) !== true) return `the error body is not well-formed XML: ${text.slice(0, 300)}`;
  const doc = parser.parse(text) as { Error?: Record<string, unknown> };
  const error = doc.Error;
  if (error === undefined || typeof error !== 'object') return `the error body's root is not <Error>: ${text.slice(0, 300)}`;
  const { Code: code, Message: message, RequestId: requestId } = error;
  if (typeof code !== 'string' || code === '') return `the error document has no Code: ${text.slice(0, 300)}`;
  if (typeof message !== 'string') return `the error document has no Message: ${text.slice(0, 300)}`;
  if (typeof requestId !== 'string' || requestId === '') return `the error document has no RequestId: ${text.slice(0, 300)}`;
  return { code, message, requestId };
}

/** Why `outcome` breaks the rules above, or undefined when it keeps them. */
export function answerProblem(outcome: RawOutcome): string | undefined {
  if (outcome.kind === 'timeout') return `no answer within the timeout (${outcome.received.length} bytes received)`;
  if (outcome.kind === 'closed') {
    return `the connection closed without an answer (${outcome.received.length} bytes received: ${JSON.stringify(outcome.received.toString('latin1').slice(0, 200))})`;
  }
  const { status, body, headers } = outcome;
  const parsed = body.length > 0 && status >= 400 ? parseErrorDocument(body) : undefined;
  const code = typeof parsed === 'object' ? parsed.code : undefined;
  // A HEAD answer has no body to name its code: its status alone must be one of the tolerated ones.
  const tolerated = code !== undefined ? TOLERATED_5XX[code] === status : body.length === 0 && Object.values(TOLERATED_5XX).includes(status);
  if (status >= 500 && !tolerated) {
    return `answered ${status}${code !== undefined ? ` ${code}` : ''}: ${body.toString('utf8').slice(0, 400)}`;
  }
  if (parsed === undefined) return undefined;
  if (typeof parsed === 'string') return `answered ${status} with a body that is not an S3 error document (${parsed})`;
  if (!(headers['content-type'] ?? '').startsWith('application/xml')) {
    return `answered ${status} ${parsed.code} with content-type ${headers['content-type'] ?? '(none)'}`;
  }
  const known = (S3_ERRORS as Record<string, readonly [number, string] | undefined>)[parsed.code];
  if (known === undefined) return `answered ${status} with an error code S3 does not define: ${parsed.code}`;
  if (known[0] !== status) return `answered ${status} ${parsed.code}, a code whose status is ${known[0]}`;
  if (headers['x-amz-request-id'] !== parsed.requestId) {
    return `the error's RequestId ${parsed.requestId} is not the x-amz-request-id header ${headers['x-amz-request-id'] ?? '(none)'}`;
  }
  return undefined;
}

/** The S3 error code of an answer (undefined for a success or a bodiless error). */
export function errorCodeOf(outcome: RawOutcome): string | undefined {
  if (outcome.kind !== 'answer' || outcome.status < 400 || outcome.body.length === 0) return undefined;
  const parsed = parseErrorDocument(outcome.body);
  return typeof parsed === 'object' ? parsed.code : undefined;
}
