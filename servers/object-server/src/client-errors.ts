/**
 * S3 error answers written on the socket itself, for failures that happen where no fastify request or reply
 * exists: Node's HTTP parser rejecting a request (headers too large, a malformed or ambiguous Content-Length,
 * Content-Length with Transfer-Encoding, bad chunk framing, garbage), the headers timeout, and a request body
 * that stops arriving (http-limits.ts). Node reports parser failures as the server's `clientError` event, whose
 * default answer (and fastify's) is a bare or JSON 4xx; clients of an S3 API expect the S3 error document
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses), so it is written
 * here through the one XML serializer, in the same shape `sendError` writes, with `Connection: close`.
 *
 * After a parse error the connection cannot be trusted to carry another request (RFC 9112 §9.6 and §6.3: a
 * framing error leaves the message boundary unknown), so every answer here closes it, gracefully
 * (graceful-close.ts) so the client reads the answer rather than a reset.
 */
import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { closeGracefully, closeSoon, isClosing } from './graceful-close.ts';
import { S3Error } from './s3-errors.ts';
import { toXml } from './xml.ts';

/** The S3 error document of `err`: what `sendError` writes, for a request known only by its id (and path). */
export function rawErrorDocument(err: S3Error, requestId: string, resource?: string): string {
  return toXml({
    root: 'Error',
    noNamespace: true,
    body: { Code: err.code, Message: err.message, ...err.extra, Resource: resource, RequestId: requestId, HostId: requestId },
  });
}

/** A whole HTTP/1.1 response carrying the S3 error document of `err`, announcing that the connection closes. */
export function rawErrorResponse(err: S3Error, requestId: string, resource?: string): string {
  const body = rawErrorDocument(err, requestId, resource);
  return (
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\n` +
    `Date: ${new Date().toUTCString()}\r\n` +
    'Content-Type: application/xml\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n' +
    `x-amz-request-id: ${requestId}\r\n` +
    `x-amz-id-2: ${Buffer.from(requestId).toString('base64')}\r\n` +
    `\r\n${body}`
  );
}

/**
 * The server's own answer in progress on `socket`, if any: the socket's `_httpMessage`, which Node's own
 * `clientError` default consults too (writing over an answer that has started would corrupt it).
 */
export function answerInFlight(socket: Duplex): ServerResponse | undefined {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  return inFlight === null || inFlight === undefined || inFlight.writableFinished ? undefined : inFlight;
}

/** True when an answer of the server's own has started on `socket`: writing another would corrupt it. */
function answerStarted(socket: Duplex): boolean {
  return answerInFlight(socket)?.headersSent === true;
}

const kRefusalPending = Symbol('strata.refusalPending');

/**
 * Answers `err` on `socket` (unless the server's own answer has already started there) and closes the
 * connection: gracefully while the client may still be sending, or as soon as the answer is flushed when it
 * has gone quiet (`clientIdle`). Does nothing on a socket that is already closing, so a parser that keeps
 * failing on the bytes still arriving does not answer twice.
 */
export function answerOnSocket(socket: Duplex, err: S3Error, requestId: string, resource?: string, clientIdle = false): void {
  if (socket.destroyed || isClosing(socket)) return;
  if (socket.writable && !answerStarted(socket)) socket.write(rawErrorResponse(err, requestId, resource));
  if (clientIdle) closeSoon(socket);
  else closeGracefully(socket);
}

/** A parser error as Node reports it: an `HPE_*` code and llhttp's fixed reason text. */
export interface HttpParserError extends Error {
  code?: string;
  reason?: string;
}

/**
 * The S3 error for a request Node's HTTP parser (or its headers timer) refused: `RequestHeaderSectionTooLarge`
 * for headers over Node's limit (S3 answers that code, with `MaxSizeAllowed`), `RequestTimeout` for headers
 * that did not arrive in time, and otherwise S3's `BadRequest` with llhttp's reason (e.g. "Duplicate
 * Content-Length"; the reasons are fixed texts of the parser, safe to show).
 */
export function clientErrorToS3(err: HttpParserError, maxHeaderBytes = maxHeaderSize): S3Error {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new S3Error('RequestHeaderSectionTooLarge', undefined, { cause: err, extra: { MaxSizeAllowed: String(maxHeaderBytes) } });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new S3Error('RequestTimeout', undefined, { cause: err });
    default: {
      const reason = typeof err.reason === 'string' && /^[\x20-\x7e]{1,200}$/.test(err.reason) ? err.reason.replace(/\.$/, '') : undefined;
      return new S3Error('BadRequest', reason === undefined ? undefined : `An error occurred when parsing the HTTP request: ${reason}.`, { cause: err });
    }
  }
}

/**
 * The http server's `clientError` handler (fastify's `clientErrorHandler` option): answers the parser's
 * refusal as an S3 error document on the socket and closes it gracefully. A connection the client already
 * reset has nobody to answer.
 *
 * A refusal that comes while the server is still answering an earlier request on the connection (pipelined
 * bytes after it that do not parse) waits for that answer to be sent whole: the refused bytes come after it on
 * the wire, so their answer does too; if the earlier answer closes the connection, there is nothing more to
 * say. Bytes after a `Connection: close` request are not answered at all: RFC 9112 §9.6 says they are not
 * processed, and that request's answer closes the connection. A request whose own body fails to parse is
 * answered with the refusal instead of its own answer, unless that has started.
 */
export function createClientErrorHandler(nextRequestId: () => string, maxHeaderBytes = maxHeaderSize) {
  return function onClientError(err: HttpParserError, socket: Duplex): void {
    const s = socket as Duplex & { [kRefusalPending]?: true };
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || code === 'EPIPE' || socket.destroyed) {
      if (!isClosing(socket)) socket.destroy();
      return;
    }
    // The parser stays failed, so every later chunk reports again: the first report is the one answered.
    if (s[kRefusalPending] || isClosing(socket) || code === 'HPE_CLOSED_CONNECTION') return;
    s[kRefusalPending] = true;
    const refusal = clientErrorToS3(err, maxHeaderBytes);
    const answer = (): void => {
      const inFlight = answerInFlight(socket);
      // An earlier request's answer, due first; checked again after Node's own 'finish' handling (registered
      // first), which closes the connection or moves on to the next pipelined answer.
      if (inFlight !== undefined && inFlight.req.complete) inFlight.once('finish', answer);
      // Headers that stopped arriving: the client is idle, nothing to read on; else it may still be sending.
      else answerOnSocket(socket, refusal, nextRequestId(), undefined, code === 'ERR_HTTP_REQUEST_TIMEOUT');
    };
    answer();
  };
}
