/**
 * What a client can hold open on the server, and for how long: the HTTP-level limits of `buildApp`.
 *
 * - **Headers** must arrive within `headersTimeoutMs` of a request's first byte (or of the connection's start),
 *   so a client trickling header bytes (slow-loris) or sending nothing is cut, with S3's `RequestTimeout`.
 *   Node checks this every `connectionsCheckingInterval`, derived here.
 * - **Bodies** may not stop moving for `bodyIdleTimeoutMs` (body-idle.ts). There is no bound on a whole request:
 *   a 5 GiB upload on a slow link is legitimate, a stalled one is not.
 * - **Idle keep-alive connections** close after `keepAliveTimeoutMs`.
 * - **Connections** are capped at `maxConnections`: Node closes further ones as they are accepted, before a
 *   byte is read, so descriptors stay bounded however many sockets a client opens.
 * - **Requests being served** are capped at `maxConcurrentRequests`: further ones are answered with S3's 503
 *   `SlowDown` before authentication or any body is read; S3 clients back off and retry that answer
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
 *
 * The GET path pays one counter and one `close` listener per request; body timers are socket idle timers,
 * armed only for requests that have a body.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyServerOptions } from 'fastify';
import { hasBody, onSocketTimeout, watchBody } from './body-idle.ts';
import { answerOnSocket, createClientErrorHandler } from './client-errors.ts';
import { closeGracefullyOnDestroySoon } from './graceful-close.ts';
import { S3Error } from './s3-errors.ts';

/** The HTTP-level limits of the server (see the file header). Every value is a positive integer. */
export interface HttpLimits {
  /** Milliseconds a request body may go without a byte arriving before it is answered `RequestTimeout`. @default 20000 (S3's) */
  bodyIdleTimeoutMs: number;
  /** Milliseconds for a request's line and headers to arrive. @default 20000 */
  headersTimeoutMs: number;
  /**
   * Milliseconds an idle keep-alive connection stays open. Longer than the 60 s idle timeout of common load
   * balancers, so that a proxy in front, not the server, closes idle connections (the server closing one
   * just as the proxy reuses it is a reset request). @default 72000
   */
  keepAliveTimeoutMs: number;
  /** Open connections at most; further connections are closed as they are accepted. @default 1024 */
  maxConnections: number;
  /** Requests being served at once at most; further ones are answered 503 `SlowDown`. @default 256 */
  maxConcurrentRequests: number;
}

/** The limits `buildApp` applies when none are given. */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  bodyIdleTimeoutMs: 20_000,
  headersTimeoutMs: 20_000,
  keepAliveTimeoutMs: 72_000,
  maxConnections: 1024,
  maxConcurrentRequests: 256,
});

/** The limits with defaults filled in; throws a `RangeError` naming the first value that is not a positive integer. */
export function resolveHttpLimits(limits: Partial<HttpLimits> = {}): HttpLimits {
  const resolved = { ...DEFAULT_HTTP_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`HTTP limit ${name} must be a positive integer, got ${String(value)}`);
  }
  return resolved;
}

/**
 * How often Node looks for connections whose headers are late: often enough that the headers timeout holds
 * to within a quarter of itself, at most once a second (the check walks the connections being parsed).
 */
function connectionsCheckingInterval(headersTimeoutMs: number): number {
  return Math.max(10, Math.min(1000, Math.floor(headersTimeoutMs / 4)));
}

/** The fastify options that carry `limits` to the http server it creates. */
export function httpServerOptions(limits: HttpLimits, nextRequestId: () => string): Partial<FastifyServerOptions> & { http: ServerOptions } {
  return {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Whole-request and whole-connection timeouts stay off: body-idle.ts bounds what a client can stall.
    requestTimeout: 0,
    connectionTimeout: 0,
    http: {
      // Also here, not only above: Node refuses, at construction, a headers timeout over a whole-request one.
      requestTimeout: 0,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingInterval(limits.headersTimeoutMs),
      // Node answers a missing Host with a bare 400 of its own; the request gate answers it in S3's form.
      requireHostHeader: false,
    },
    clientErrorHandler: createClientErrorHandler(nextRequestId),
    // While closing, fastify answers new requests with a JSON 503; serving them (with Connection: close) keeps
    // every answer in S3's form, and fastify's close still waits for them.
    return503OnClosing: false,
  };
}

/**
 * Applies the limits that live on the http server itself (the connection cap and the socket timeout policy),
 * makes every connection close gracefully after a `Connection: close` answer, and answers CONNECT, which Node
 * hands to `connect` listeners only (and otherwise drops the connection).
 */
export function installHttpLimits(server: Server, limits: HttpLimits, nextRequestId: () => string): void {
  server.maxConnections = limits.maxConnections;
  server.on('timeout', onSocketTimeout);
  server.on('connection', closeGracefullyOnDestroySoon);
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    // Node has detached its own listeners from a CONNECT socket, its error listener among them.
    socket.on('error', () => socket.destroy());
    answerOnSocket(socket, new S3Error('MethodNotAllowed', undefined, { extra: { Method: request.method ?? 'CONNECT' } }), nextRequestId());
  });
}

/** Admits requests one by one: counts those being served and arms the body idle timeout. */
export interface RequestGate {
  /** Requests being served now (received and not yet answered or abandoned). */
  readonly inFlight: number;
  /** Counts `request` in until its response closes; returns the error to answer it with, if it is not admitted. */
  admit(request: IncomingMessage, response: ServerResponse, requestId: string): S3Error | undefined;
}

/**
 * Releases the slot of a request pipelined behind another one's answer. Its response waits for the socket and,
 * if the connection ends first, never gets it and never emits 'close': the socket's 'close' releases it then.
 */
function releaseQueued(request: IncomingMessage, response: ServerResponse, release: () => void): void {
  const socket = request.socket;
  let released = false;
  const once = () => {
    if (released) return;
    released = true;
    socket?.removeListener('close', once);
    release();
  };
  response.on('close', once);
  socket?.once('close', once);
}

/** Creates the gate of {@link HttpLimits.maxConcurrentRequests} and {@link HttpLimits.bodyIdleTimeoutMs}. */
export function createRequestGate(limits: HttpLimits): RequestGate {
  let inFlight = 0;
  const release = () => {
    inFlight--;
  };
  return {
    get inFlight() {
      return inFlight;
    },
    admit(request, response, requestId) {
      inFlight++;
      // 'close' comes once per response that has the socket, however it ends (answered, failed, client gone);
      // `on` spares the wrapper `once` allocates on every request.
      if (response.socket !== null) response.on('close', release);
      else releaseQueued(request, response, release);
      if (hasBody(request)) watchBody(request, response, requestId, limits.bodyIdleTimeoutMs);
      // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host header.
      if (request.headers.host === undefined && request.httpVersionMajor === 1 && request.httpVersionMinor >= 1) {
        return new S3Error('BadRequest', 'An error occurred when parsing the HTTP request: an HTTP/1.1 request must have a Host header.');
      }
      if (inFlight > limits.maxConcurrentRequests) return new S3Error('SlowDown');
      return undefined;
    },
  };
}
