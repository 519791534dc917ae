/**
 * Per-bucket CORS configurations (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): stored as
 * JSON under the reserved prefix, cached per process (the server is the only writer), and matched against
 * requests the way S3 does — the first rule whose origin, method and (for preflight) every requested header
 * match wins; `*` in an origin or header pattern matches any run of characters.
 */
import type { Storage } from '@strata/storage';
import { createBucketRecords } from './bucket-records.ts';
import { RESERVED_PREFIX } from './bucket-registry.ts';

const CORS_PREFIX = `${RESERVED_PREFIX}cors/`;

/** One CORSRule. */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** The CORS configurations of all buckets. */
export interface CorsStore {
  get(bucket: string): Promise<CorsRule[] | undefined>;
  put(bucket: string, rules: CorsRule[]): Promise<void>;
  remove(bucket: string): Promise<void>;
}

/** Creates the store over `storage`. */
export function createCorsStore(storage: Storage): CorsStore {
  const records = createBucketRecords<CorsRule[]>(storage, CORS_PREFIX);
  return { get: (bucket) => records.get(bucket), put: (bucket, rules) => records.set(bucket, rules), remove: (bucket) => records.remove(bucket) };
}

function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const esc = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${esc.join('.*')}$`, caseInsensitive ? 'i' : '').test(value);
}

/**
 * The first rule allowing `origin` with `method` and every header of `requestHeaders` (preflight only), or
 * undefined when none does.
 */
export function matchCorsRule(rules: CorsRule[], origin: string, method: string, requestHeaders: string[] = []): CorsRule | undefined {
  return rules.find(
    (r) =>
      r.allowedOrigins.some((o) => wildcard(o, origin, false)) &&
      r.allowedMethods.includes(method.toUpperCase()) &&
      requestHeaders.every((h) => r.allowedHeaders.some((p) => wildcard(p, h, true))),
  );
}

/** The Access-Control-* headers for a matched rule, as S3 sends them. */
export function corsHeaders(rule: CorsRule, origin: string, preflight: { method: string; headers: string[] } | undefined): Record<string, string> {
  const out: Record<string, string> = {
    // S3 echoes '*' when the rule allows any origin, else the request's origin.
    'access-control-allow-origin': rule.allowedOrigins.includes('*') ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!rule.allowedOrigins.includes('*')) out['access-control-allow-credentials'] = 'true';
  if (rule.exposeHeaders.length > 0) out['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (preflight) {
    if (preflight.headers.length > 0) out['access-control-allow-headers'] = preflight.headers.join(', ');
    if (rule.maxAgeSeconds !== undefined) out['access-control-max-age'] = String(rule.maxAgeSeconds);
  }
  return out;
}
