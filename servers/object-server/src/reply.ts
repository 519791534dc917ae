/**
 * Writing answers: a handler's {@link S3Response} and, through the one error table, every failure as S3's
 * error XML (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses).
 * HEAD answers and 304s carry no body; every answer carries `x-amz-request-id` (set in onRequest).
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BytesReadable, takeBytes } from '@strata/storage';
import type { S3Response } from './context.ts';
import { toS3Error } from './error-mapping.ts';
import type { S3Error } from './s3-errors.ts';
import { toXml } from './xml.ts';

/** Bodies up to this size that a stream already holds whole are sent as one Buffer (see {@link bufferedBody}). */
const SMALL_BODY = 64 * 1024;

/**
 * The whole body as a Buffer when `body` is a stream that already holds all `length` bytes (the file and
 * memory adapters answer small GETs with such a stream); otherwise `body` itself. Sending a Buffer skips
 * fastify's stream path (pipe, end-of-stream tracking, destroy), a visible share of a 4 KiB GET's CPU.
 * Nothing is read that was not already in memory, so the no-buffering rule for object bodies holds.
 */
function bufferedBody(body: S3Response['body'], length: unknown): S3Response['body'] {
  // A body already in memory (read cache, memory adapter): its bytes whole, whatever their size.
  if (body instanceof BytesReadable && body.bytes.length === length) return takeBytes(body) ?? body;
  if (!(body instanceof Readable) || typeof length !== 'number' || length <= 0 || length > SMALL_BODY) return body;
  if (body.readableObjectMode || body.readableEncoding !== null || body.readableLength !== length) return body;
  const buf = body.read(length) as Buffer | null;
  if (buf === null) return body;
  body.destroy();
  return buf;
}

/** Sends a handler's answer. Streams are piped as they are; XML goes through the one serializer. */
export function sendResponse(reply: FastifyReply, res: S3Response): FastifyReply {
  reply.code(res.status ?? 200);
  const headers = res.headers;
  if (headers !== undefined) {
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined) reply.header(name, value);
    }
  }
  if (res.xml) return reply.header('content-type', 'application/xml').send(toXml(res.xml));
  if (res.body !== undefined) return reply.send(bufferedBody(res.body, headers?.['content-length']));
  if (res.headers?.['content-length'] === undefined) reply.header('content-length', 0);
  return reply.send();
}

/** The `Resource` of an error: the request path without its query. */
function resourceOf(request: FastifyRequest): string {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The S3 error document of `err` for `request`. */
export function errorDocument(err: S3Error, request: FastifyRequest): string {
  return toXml({
    root: 'Error',
    noNamespace: true,
    body: { Code: err.code, Message: err.message, ...err.extra, Resource: resourceOf(request), RequestId: request.id, HostId: request.id },
  });
}

/** Answers any thrown value as S3 does. Unexpected failures are logged and become 500 InternalError. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const err = toS3Error(error);
  if (err.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.debug({ err: error }, 'request rejected');
  // Only the framework's own headers survive (and `connection`: a close decided for this answer stands);
  // a half-built success answer's headers must not leak.
  for (const name of Object.keys(reply.getHeaders())) {
    if (name !== 'x-amz-request-id' && name !== 'x-amz-id-2' && !name.startsWith('access-control-') && name !== 'vary' && name !== 'connection') reply.removeHeader(name);
  }
  // Framework errors (a URL fastify cannot decode) arrive before the onRequest hook has set these.
  if (!reply.hasHeader('x-amz-request-id')) reply.header('x-amz-request-id', request.id).header('x-amz-id-2', Buffer.from(request.id).toString('base64'));
  reply.code(err.status);
  // A 416 names the representation's length so the client can ask again (RFC 9110 §15.5.17).
  if (err.code === 'InvalidRange' && err.extra.ActualObjectSize !== undefined) reply.header('content-range', `bytes */${err.extra.ActualObjectSize}`);
  if (err.code === 'NotModified' || request.method === 'HEAD') return reply.header('content-length', 0).send();
  return reply.header('content-type', 'application/xml').send(errorDocument(err, request));
}
