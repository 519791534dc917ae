/**
 * The one S3 route: address the request (path- or virtual-hosted-style), pick the route by method, target and
 * sub-resource, authenticate, check the bucket, run the handler and write its answer. Handlers see plain
 * {@link S3Context}s; failures go to the one error handler.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resolveAddress } from './addressing.ts';
import type { Authenticator } from './auth/index.ts';
import type { S3Context, ServerState } from './context.ts';
import { corsHeaders, matchCorsRule } from './cors-store.ts';
import { sendResponse } from './reply.ts';
import { matchRoute } from './router.ts';
import type { Target } from './router.ts';
import { S3Error } from './s3-errors.ts';

/** What the dispatcher needs besides the shared state. */
export interface DispatchOptions {
  state: ServerState;
  authenticator: Authenticator;
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

/** Creates the request handler of the S3 API. */
export function createDispatcher(opts: DispatchOptions) {
  const { state, authenticator, virtualHostDomains } = opts;
  return async function dispatch(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const rawUrl = request.raw.url ?? '/';
    const address = resolveAddress(rawUrl, request.headers.host, virtualHostDomains);
    const target: Target = address.key !== undefined ? 'object' : address.bucket !== undefined ? 'bucket' : 'service';
    const route = matchRoute(request.method, target, address.query, request.headers);
    request.s3Op = route.op;
    const auth = route.anonymous
      ? { accessKeyId: null, payload: { kind: 'unsigned' as const }, presigned: false }
      : authenticator.authenticate({ method: request.method, rawUrl, headers: request.headers, virtualHostBucket: address.virtualHost ? address.bucket : undefined });
    if (target !== 'service' && route.needsBucket !== false && address.bucket !== undefined) {
      // Once the registry is loaded the answer is synchronous: no promise hop on every object request.
      const known = state.buckets.peek(address.bucket);
      if (known === false || (known === undefined && !(await state.buckets.get(address.bucket)))) {
        throw new S3Error('NoSuchBucket', undefined, { extra: { BucketName: address.bucket } });
      }
    }
    let controller: AbortController | undefined;
    const ctx: S3Context = {
      op: route.op,
      method: request.method,
      bucket: address.bucket,
      key: address.key,
      query: address.query,
      headers: request.headers,
      raw: request.raw,
      auth,
      requestId: request.id,
      // Made on first use: a controller and a 'close' listener per request showed in the GET profile, and a
      // small GET does not need them (see object-get.ts).
      get signal(): AbortSignal {
        if (controller === undefined) {
          const c = (controller = new AbortController());
          const res = reply.raw;
          // A client that goes away mid-request aborts the storage operation (which then leaves no partial effect).
          const onClose = () => {
            if (!res.writableFinished) c.abort(new Error('client closed the connection'));
          };
          if (res.closed) onClose();
          else res.once('close', onClose);
        }
        return controller.signal;
      },
      state,
    };
    const res = await route.handler(ctx);
    if (!route.anonymous && ctx.headers.origin !== undefined) await applyCors(ctx, reply);
    return sendResponse(reply, res);
  };
}
