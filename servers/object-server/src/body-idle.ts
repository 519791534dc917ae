/**
 * The idle timeout of request bodies, and the one policy for every socket timeout of the server.
 *
 * Node's `requestTimeout` bounds a whole request, which would cut a large upload on a slow link; what must be
 * bounded is a body that stops moving. S3 answers a body that has not moved for about 20 seconds with 400
 * `RequestTimeout` ("Your socket connection to the server was not read from or written to within the timeout
 * period", https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList). Here, a request
 * that has a body arms its socket's idle timer (`socket.setTimeout`, which Node re-arms on every read and write
 * for free: no timer per request, none at all on a GET). When it fires while the body is incomplete and the
 * server has read everything that arrived, the client is the one that stopped: the request is answered with
 * `RequestTimeout` on the socket and the connection closed, which aborts the request stream, so storage
 * abandons the upload and removes its staging file. When the server is the slow side (bytes are waiting to be
 * read, or the body is complete and the answer is being worked on), the client is not at fault and nothing is cut.
 *
 * Node calls the server's `timeout` listeners for every socket that times out and, once one is registered,
 * no longer destroys timed-out sockets itself; {@link onSocketTimeout} does so for all other cases (an idle
 * keep-alive connection), as Node would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { answerInFlight, answerOnSocket } from './client-errors.ts';
import { isClosing } from './graceful-close.ts';
import { S3Error } from './s3-errors.ts';

const kBodyWatch = Symbol('strata.bodyWatch');

/** The request whose body a socket is waiting for. */
interface BodyWatch {
  request: IncomingMessage;
  response: ServerResponse;
  requestId: string;
  idleMs: number;
}

type WatchedSocket = Duplex & { [kBodyWatch]?: BodyWatch | undefined; setTimeout?: (ms: number) => unknown; bytesRead?: number };

/** True when the request announces a body (Content-Length above 0, or any Transfer-Encoding: RFC 9112 §6.3). */
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** True when the request has a body that has not been received whole (requests faked in memory never do). */
export function bodyPending(request: IncomingMessage): boolean {
  return (request.complete as boolean | undefined) === false && hasBody(request);
}

/**
 * Arms the body idle timeout of `request` on its socket: `idleMs` without a byte while the body is incomplete
 * ends the request with `RequestTimeout`. The watch is dropped when the answer is done.
 */
export function watchBody(request: IncomingMessage, response: ServerResponse, requestId: string, idleMs: number): void {
  const socket = request.socket as WatchedSocket | null;
  if (socket === null || idleMs <= 0) return;
  const watch: BodyWatch = { request, response, requestId, idleMs };
  socket[kBodyWatch] = watch;
  socket.setTimeout?.(idleMs);
  response.once('close', () => {
    if (socket[kBodyWatch] === watch) socket[kBodyWatch] = undefined;
  });
}

/** The request path without its query, as S3's `Resource`. */
function resourceOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The http server's `timeout` listener: see the file header. */
export function onSocketTimeout(socket: Duplex): void {
  const s = socket as WatchedSocket;
  const watch = s[kBodyWatch];
  if (isClosing(s)) {
    s.destroy();
    return;
  }
  if (watch === undefined || watch.response.writableFinished) {
    // A body's timer still armed while a later (pipelined) request is answered: the server's time. Otherwise
    // an idle keep-alive connection, closed as Node would.
    if (answerInFlight(s) !== undefined) s.setTimeout?.(0);
    else s.destroy();
    return;
  }
  const { request } = watch;
  if (request.complete) {
    // The body is in; the answer is being worked on: the server's time, not the client's.
    s.setTimeout?.(0);
    return;
  }
  if (request.readableLength > 0) {
    // Bytes the server has not read yet: the reader is behind, the client is not idle. Wait another period.
    s.setTimeout?.(watch.idleMs);
    return;
  }
  // A reader that was behind (the socket paused) may have just caught up, with the client's next bytes
  // waiting in the kernel: timers run before the event loop polls the sockets. Decide after the poll.
  const bytesRead = s.bytesRead;
  setImmediate(() => {
    if (s.destroyed || isClosing(s) || s[kBodyWatch] !== watch || request.complete) return;
    // Bytes read in the poll re-armed the socket's idle timer on their own.
    if (s.bytesRead !== bytesRead) return;
    if (request.readableLength > 0) {
      s.setTimeout?.(watch.idleMs);
      return;
    }
    s[kBodyWatch] = undefined;
    answerOnSocket(s, new S3Error('RequestTimeout'), watch.requestId, resourceOf(request), true);
  });
}
