/**
 * CORS headers on error answers. S3 adds the matching rule's Access-Control-* headers to every response of a
 * cross-origin request to a bucket with a CORS configuration, errors included
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): without them a browser hides the error
 * document (a 403 SignatureDoesNotMatch, a 404 NoSuchKey) from the page, which then sees only "network error".
 *
 * Successful answers get their headers in the dispatcher; this runs in the one error handler, so it costs nothing
 * on the success path. Only existing buckets are looked up, so unauthenticated requests naming arbitrary buckets
 * cannot grow the CORS cache.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resolveAddress } from './addressing.ts';
import type { ServerState } from './context.ts';
import { corsHeaders, matchCorsRule } from './cors-store.ts';

/** Sets the Access-Control-* headers of the bucket's matching CORS rule on an error answer (never throws). */
export async function addCorsHeadersToError(
  state: ServerState,
  request: FastifyRequest,
  reply: FastifyReply,
  virtualHostDomains: readonly string[],
): Promise<void> {
  const origin = request.headers.origin;
  // A refused preflight stays bare: OPTIONS is not a method a CORS rule can allow.
  if (typeof origin !== 'string' || request.method === 'OPTIONS' || reply.hasHeader('access-control-allow-origin')) return;
  try {
    const { bucket } = resolveAddress(request.raw.url ?? '/', request.headers.host, virtualHostDomains);
    if (bucket === undefined || !(await state.buckets.get(bucket))) return;
    const rules = await state.cors.get(bucket);
    const rule = rules && matchCorsRule(rules, origin, request.method);
    if (rule) reply.headers(corsHeaders(rule, origin, undefined));
  } catch {
    // The error being answered matters more than its CORS headers (an unparsable URL, storage down).
  }
}
