/**
 * The direct answer for bodies already in memory (read-cache hits, small objects read whole, the memory
 * adapter): one `writeHead` with a flat header list and one `end(body)`, which Node writes with a single
 * `writev` of head and body. Fastify's `reply.send` would do the same writes after per-header `reply.header`
 * calls, a parse of the content type and its payload checks — together the largest share of a 4 KiB GET
 * after the socket write itself (GET profile).
 *
 * What stays as it was: the headers fastify holds for the reply (`x-amz-request-id`, `x-amz-id-2`, CORS),
 * those set on the raw response (merged by Node's `writeHead`), the status for the `onResponse` hook and
 * `content-length` in fastify's header map, where the metrics hook reads the bytes sent. A header value Node
 * refuses makes `writeHead` throw before anything is written, so the error handler still answers.
 */
import type { FastifyReply } from 'fastify';

/** Status codes whose answers carry no body (RFC 9110 §6.4.1); they take the ordinary path. */
const NO_BODY = (status: number) => status < 200 || status === 204 || status === 304;

/** Flat lists of frozen header records (a read-cache hit's headers are one frozen record per object). */
const flatLists = new WeakMap<object, readonly (string | number)[]>();

/** `headers` as a flat name, value list without undefined values and `content-length`; cached when frozen. */
function flatHeaders(headers: Record<string, string | number | undefined>): readonly (string | number)[] {
  const frozen = Object.isFrozen(headers);
  const cached = frozen ? flatLists.get(headers) : undefined;
  if (cached !== undefined) return cached;
  const list: (string | number)[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && name !== 'content-length') list.push(name, value);
  }
  if (frozen) flatLists.set(headers, list);
  return list;
}

/**
 * Sends `status`, `headers` (undefined values skipped; `content-length` is the body's) and `body` on the raw
 * response. Returns false, having written nothing, when the answer must take fastify's path instead: a HEAD
 * request, a status without a body, or a response already started.
 */
export function sendBytesDirect(reply: FastifyReply, method: string, status: number, headers: Record<string, string | number | undefined> | undefined, body: Buffer): boolean {
  const res = reply.raw;
  if (method === 'HEAD' || NO_BODY(status) || res.headersSent) return false;
  const held = reply.getHeaders();
  const list: (string | number)[] = [];
  for (const name in held) {
    const value = held[name];
    if (value !== undefined && name !== 'content-length') list.push(name, value as string | number);
  }
  if (headers !== undefined) {
    const own = flatHeaders(headers);
    for (let i = 0; i < own.length; i++) list.push(own[i] as string | number);
  }
  list.push('content-length', body.length);
  res.writeHead(status, list as string[]);
  reply.header('content-length', body.length);
  // An empty body goes out with the head in one write; `end(emptyBuffer)` would cork, then writev two pieces.
  if (body.length === 0) res.end();
  else res.end(body);
  return true;
}
