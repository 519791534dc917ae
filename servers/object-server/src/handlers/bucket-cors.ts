/**
 * PutBucketCors — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
 * GetBucketCors — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html
 * DeleteBucketCors — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketCors.html
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import type { CorsRule } from '../cors-store.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, children, parseXml } from '../xml.ts';

const METHODS = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'];
const MAX_RULES = 100;

const texts = (node: Parameters<typeof children>[0], name: string): string[] =>
  children(node, name).map((c) => {
    if (typeof c !== 'string') throw new S3Error('MalformedXML', `${name} must contain text`);
    return c.trim();
  });

/** Parses and validates a CORSConfiguration document. */
export function parseCorsXml(body: string): CorsRule[] {
  const rules = children(parseXml(body, 'CORSConfiguration'), 'CORSRule');
  if (rules.length === 0 || rules.length > MAX_RULES) throw new S3Error('MalformedXML', `A CORS configuration holds 1 to ${MAX_RULES} rules`);
  return rules.map((r) => {
    const allowedOrigins = texts(r, 'AllowedOrigin');
    const allowedMethods = texts(r, 'AllowedMethod');
    if (allowedOrigins.length === 0 || allowedMethods.length === 0) throw new S3Error('MalformedXML', 'A CORSRule needs AllowedOrigin and AllowedMethod');
    const bad = allowedMethods.find((m) => !METHODS.includes(m));
    if (bad !== undefined) throw new S3Error('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${bad}`);
    const maxAge = childText(r, 'MaxAgeSeconds');
    if (maxAge !== undefined && !/^\d+$/.test(maxAge.trim())) throw new S3Error('MalformedXML', 'MaxAgeSeconds must be an integer');
    const id = childText(r, 'ID');
    return {
      ...(id !== undefined ? { id } : {}),
      allowedOrigins,
      allowedMethods,
      allowedHeaders: texts(r, 'AllowedHeader'),
      exposeHeaders: texts(r, 'ExposeHeader'),
      ...(maxAge !== undefined ? { maxAgeSeconds: Number(maxAge.trim()) } : {}),
    };
  });
}

/** Sets a bucket's CORS rules. */
export const putBucketCors: Handler = async (ctx) => {
  const rules = parseCorsXml(await readXmlBody(ctx));
  await ctx.state.cors.put(bucketOf(ctx), rules);
  return {};
};

/** Returns a bucket's CORS rules, NoSuchCORSConfiguration when none are set. */
export const getBucketCors: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const rules = await ctx.state.cors.get(bucket);
  if (!rules) throw new S3Error('NoSuchCORSConfiguration', undefined, { extra: { BucketName: bucket } });
  return {
    xml: {
      root: 'CORSConfiguration',
      body: {
        CORSRule: rules.map((r) => ({
          ID: r.id,
          AllowedHeader: r.allowedHeaders,
          AllowedMethod: r.allowedMethods,
          AllowedOrigin: r.allowedOrigins,
          ExposeHeader: r.exposeHeaders,
          MaxAgeSeconds: r.maxAgeSeconds,
        })),
      },
    },
  };
};

/** Removes a bucket's CORS rules. */
export const deleteBucketCors: Handler = async (ctx) => {
  await ctx.state.cors.remove(bucketOf(ctx));
  return { status: 204 };
};
