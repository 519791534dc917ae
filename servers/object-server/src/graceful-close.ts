/**
 * Closing a connection without losing the answer written on it.
 *
 * A socket closed while request bytes are still arriving (the rest of a body the server refused, a client that
 * keeps writing after a parse error) is not closed cleanly: with unread data in its receive queue, the kernel
 * answers the close with a TCP reset and drops whatever of the answer it had not sent yet, so the client sees
 * "connection reset" instead of the S3 error. RFC 9112 §9.6 ("Tear-down") gives the remedy: close the write
 * half first, then keep reading (and discarding) until the client closes too, or until the server is
 * reasonably sure the answer arrived. {@link closeGracefully} does that within bounds, so a client cannot keep
 * a connection open, or make the server read, without limit.
 *
 * Node's http server closes the connection after a `Connection: close` answer with `socket.destroySoon()`
 * (end, then destroy as soon as the answer is flushed), which resets a connection on which the client is
 * still sending (the rest of a refused body, requests pipelined after its `Connection: close` one).
 * {@link closeGracefullyOnDestroySoon} makes that call the graceful close on a socket of the server.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** How long a closing connection is read from, at most, after the answer. */
export const LINGER_MS = 2000;
/** How many bytes a closing connection is read (and discarded), at most, after the answer. */
export const LINGER_BYTES = 8 * 1024 * 1024;
/** How often the byte bound is checked: Node's http parser reads the socket natively, so there is no 'data' event. */
const LINGER_CHECK_MS = 50;

const kClosing = Symbol('strata.closingGracefully');

type ClosableSocket = Duplex & Partial<Pick<Socket, 'bytesRead' | 'setTimeout'>> & { [kClosing]?: true; destroySoon?: () => void };

/** True once {@link closeGracefully} has started on `socket` (the answer has been written). */
export function isClosing(socket: Duplex): boolean {
  return (socket as ClosableSocket)[kClosing] === true;
}

/**
 * Ends the write half of `socket` (after whatever is queued on it), then reads and discards what the client
 * still sends until it closes its half, for at most `lingerMs` and `lingerBytes`; then destroys the socket.
 * Calling it again on the same socket does nothing.
 */
export function closeGracefully(socket: Duplex, bounds: { lingerMs?: number; lingerBytes?: number } = {}): void {
  const s = socket as ClosableSocket;
  if (s[kClosing] || s.destroyed) return;
  s[kClosing] = true;
  const lingerBytes = bounds.lingerBytes ?? LINGER_BYTES;
  const start = s.bytesRead ?? 0;
  // The idle timeouts of http-limits no longer apply: the deadline below bounds the rest.
  s.setTimeout?.(0);
  const deadline = setTimeout(() => s.destroy(), bounds.lingerMs ?? LINGER_MS);
  const check = setInterval(() => {
    if ((s.bytesRead ?? 0) - start > lingerBytes) s.destroy();
  }, LINGER_CHECK_MS);
  deadline.unref();
  check.unref();
  s.once('close', () => {
    clearTimeout(deadline);
    clearInterval(check);
  });
  // The client closed its half: once the answer is flushed there is nothing left to wait for.
  s.once('end', () => destroyWhenFlushed(s));
  s.end();
  s.resume();
}

/** Destroys `socket` as soon as what was written to it has been handed to the kernel. */
function destroyWhenFlushed(socket: Duplex): void {
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}

/**
 * Ends `socket` once the answer queued on it is flushed, for a client that has stopped sending (nothing is
 * arriving, so there is nothing to wait for): the request on it is aborted at once, and storage with it.
 * A client that does not read the answer either is cut after `LINGER_MS`.
 */
export function closeSoon(socket: Duplex): void {
  const s = socket as ClosableSocket;
  if (s[kClosing] || s.destroyed) return;
  s[kClosing] = true;
  s.setTimeout?.(0);
  const deadline = setTimeout(() => s.destroy(), LINGER_MS);
  deadline.unref();
  s.once('close', () => clearTimeout(deadline));
  s.end();
  destroyWhenFlushed(s);
}

/** Makes Node's http server close `socket` after a `Connection: close` answer with {@link closeGracefully}. */
export function closeGracefullyOnDestroySoon(socket: Duplex): void {
  (socket as ClosableSocket).destroySoon = () => closeGracefully(socket);
}

/**
 * Abandons the unread rest of `request`'s body: it is read and discarded (until the connection closes) rather
 * than left to fill the socket's buffers, which would stop the reading a graceful close relies on. A body
 * piped into a decoder (aws-chunked) is cut loose from it: nobody reads the decoder any more.
 */
export function abandonBody(request: IncomingMessage): void {
  request.unpipe();
  request.resume();
}
