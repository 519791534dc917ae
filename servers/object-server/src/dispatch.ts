/**
 * The one S3 route: address the request (path- or virtual-hosted-style), pick the route by method, target and
 * sub-resource, authenticate, check the bucket, run the handler and write its answer. Handlers see plain
 * {@link S3Context}s; failures go to the one error handler.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BytesReadable, takeBytes } from '@strata/storage';
import { resolveAddress } from './addressing.ts';
import type { Authenticator } from './auth/index.ts';
import type { Authorizer } from './iam/authorizer.ts';
import type { S3Context, S3Response, ServerState } from './context.ts';
import { corsHeaders, matchCorsRule } from './cors-store.ts';
import { sendBytesDirect } from './direct-reply.ts';
import { sendResponse } from './reply.ts';
import { RequestContext } from './request-context.ts';
import { matchRoute } from './router.ts';
import type { Target } from './router.ts';
import { S3Error } from './s3-errors.ts';

/** What the dispatcher needs besides the shared state. */
export interface DispatchOptions {
  state: ServerState;
  authenticator: Authenticator;
  /** Decides whether the authenticated (or anonymous) caller may run the operation (iam/authorizer.ts). */
  authorizer: Authorizer;
  virtualHostDomains: readonly string[];
}

/** Adds the Access-Control-* headers of the bucket's matching CORS rule to an actual (non-preflight) request. */
async function applyCors(ctx: S3Context, reply: FastifyReply): Promise<void> {
  const origin = ctx.headers.origin;
  if (typeof origin !== 'string' || ctx.bucket === undefined) return;
  const rules = await ctx.state.cors.get(ctx.bucket).catch(() => undefined);
  const rule = rules && matchCorsRule(rules, origin, ctx.method);
  if (rule) reply.headers(corsHeaders(rule, origin, undefined));
}

/**
 * The body as one Buffer when it already is one, or is a stream over bytes in memory holding exactly the
 * declared length (the memory and file adapters answer small reads so); else undefined (it streams).
 */
function bytesOf(body: NonNullable<S3Response['body']>, length: unknown): Buffer | undefined {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof BytesReadable && body.bytes.length === length) return takeBytes(body);
  return undefined;
}

/** The S3 request handler: a promise, or undefined when the answer was written before it returned. */
export type Dispatch = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | undefined;

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as { then?: unknown }).then === 'function';

/**
 * Creates the request handler of the S3 API. A request whose bucket is known and whose handler answers
 * without a promise (a read-cache hit) is answered synchronously: no promise or microtask of the dispatcher's
 * own (fastify then has nothing to wait for). Everything else — and every throw, which fastify routes to the
 * error handler either way — takes the async path.
 */
export function createDispatcher(opts: DispatchOptions): Dispatch {
  const { state, authenticator, authorizer, virtualHostDomains } = opts;

  /** Writes a handler's answer (CORS first for cross-origin requests). */
  async function finish(request: FastifyRequest, reply: FastifyReply, ctx: S3Context, pending: S3Response | Promise<S3Response>, anonymous: boolean): Promise<FastifyReply> {
    const res = await pending;
    if (!anonymous && ctx.headers.origin !== undefined) await applyCors(ctx, reply);
    return send(request, reply, res);
  }

  async function afterBucketCheck(request: FastifyRequest, reply: FastifyReply, bucket: string, run: () => Promise<FastifyReply> | undefined): Promise<FastifyReply> {
    if (!(await state.buckets.get(bucket))) throw new S3Error('NoSuchBucket', undefined, { extra: { BucketName: bucket } });
    return (await run()) ?? reply;
  }

  return function dispatch(request, reply) {
    const rawUrl = request.raw.url ?? '/';
    const address = resolveAddress(rawUrl, request.headers.host, virtualHostDomains);
    const target: Target = address.key !== undefined ? 'object' : address.bucket !== undefined ? 'bucket' : 'service';
    const route = matchRoute(request.method, target, address.query, request.headers);
    request.s3Op = route.op;
    const auth = route.anonymous
      ? { accessKeyId: null, payload: { kind: 'unsigned' as const }, presigned: false }
      : authenticator.authenticate({ method: request.method, rawUrl, headers: request.headers, virtualHostBucket: address.virtualHost ? address.bucket : undefined });
    // A promise only when a policy tests s3:ExistingObjectTag and the object's tags are read first.
    const authorized = route.anonymous ? undefined : authorizer.authorize(route.op, auth, address.bucket, address.key, request.raw, address.query);
    const run = (): Promise<FastifyReply> | undefined => {
      const ctx = new RequestContext(route.op, request.method, address.bucket, address.key, address.query, request.headers, request.raw, auth, request.id, state, reply.raw);
      const res = route.handler(ctx);
      if (isPromise(res) || (!route.anonymous && ctx.headers.origin !== undefined)) return finish(request, reply, ctx, res, route.anonymous === true);
      send(request, reply, res);
      return undefined;
    };
    const proceed = (): Promise<FastifyReply> | undefined => {
      if (target !== 'service' && route.needsBucket !== false && address.bucket !== undefined) {
        // Once the registry is loaded the answer is synchronous: no promise hop on every object request.
        const known = state.buckets.peek(address.bucket);
        if (known === false) throw new S3Error('NoSuchBucket', undefined, { extra: { BucketName: address.bucket } });
        if (known === undefined) return afterBucketCheck(request, reply, address.bucket, run);
      }
      return run();
    };
    return authorized === undefined ? proceed() : authorized.then(async () => (await proceed()) ?? reply);
  };
}

/** The body of an answer that has none (PutObject's 200): written directly as `content-length: 0`. */
const NO_BYTES = Buffer.alloc(0);

/**
 * Writes a handler's answer: bytes in hand directly (see direct-reply.ts), and so is an answer of headers only
 * that names no length of its own (PutObject's: fastify's send path was a visible share of a small PUT beside
 * the socket write); anything else through reply.ts.
 */
function send(request: FastifyRequest, reply: FastifyReply, res: S3Response): FastifyReply {
  if (res.xml === undefined && res.body !== undefined) {
    const bytes = bytesOf(res.body, res.headers?.['content-length']);
    if (bytes !== undefined) {
      if (sendBytesDirect(reply, request.method, res.status ?? 200, res.headers, bytes)) return reply;
      return sendResponse(reply, { ...res, body: bytes });
    }
  }
  if (res.xml === undefined && res.body === undefined && res.headers?.['content-length'] === undefined) {
    if (sendBytesDirect(reply, request.method, res.status ?? 200, res.headers, NO_BYTES)) return reply;
  }
  return sendResponse(reply, res);
}
