/**
 * CORS preflight (OPTIONS on a bucket or object) — https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html
 *
 * Unauthenticated by nature (browsers send no credentials on preflight). Answers with the matching rule's
 * Access-Control-* headers, or 403 when no rule allows the origin, method and requested headers.
 */
import { bucketOf, header } from '../context.ts';
import type { Handler } from '../context.ts';
import { corsHeaders, matchCorsRule } from '../cors-store.ts';
import { S3Error } from '../s3-errors.ts';

/** Answers a CORS preflight request. */
export const corsPreflight: Handler = async (ctx) => {
  const origin = header(ctx, 'origin');
  const method = header(ctx, 'access-control-request-method');
  if (origin === undefined) throw new S3Error('InvalidRequest', 'Insufficient information. Origin request header needed.');
  if (method === undefined) throw new S3Error('InvalidRequest', 'Invalid Access-Control-Request-Method: null');
  const requested = (header(ctx, 'access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const rules = await ctx.state.cors.get(bucketOf(ctx));
  const rule = rules && matchCorsRule(rules, origin, method, requested);
  if (!rule) throw new S3Error('AccessDenied', 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.');
  return { headers: { ...corsHeaders(rule, origin, { method, headers: requested }), 'content-length': 0 } };
};
