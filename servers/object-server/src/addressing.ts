/**
 * Request addressing: which bucket and key a request names, path-style (`/bucket/key`) or virtual-hosted-style
 * (`bucket.localhost:9000/key`), per https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html.
 *
 * The raw URL is parsed here, not by the framework's router: S3 keys may contain `//`, `..`, `;`, `%2F` and
 * `+`, which must reach storage exactly as the client encoded them (a literal `+` in the path is a plus sign).
 */
import { QueryParams } from './query-params.ts';
import { S3Error } from './s3-errors.ts';

/** Where a request points. */
export interface Address {
  bucket: string | undefined;
  key: string | undefined;
  query: QueryParams;
  /** Whether the bucket came from the Host header. */
  virtualHost: boolean;
}

function decode(segment: string): string {
  // Most keys carry no escape: no decode call, no new string.
  if (segment.indexOf('%') === -1) return segment;
  try {
    return decodeURIComponent(segment);
  } catch (cause) {
    throw new S3Error('InvalidURI', undefined, { cause });
  }
}

/** The host name without port, lower-cased (`[::1]:9000` → `[::1]`). */
export function hostName(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/** The last Host header resolved, and its answer: clients send the same Host on every request of a connection. */
let lastHost: string | undefined;
let lastDomains: readonly string[] | undefined;
let lastBucket: string | undefined;

/** The bucket named by a virtual host under one of `domains`, or undefined. */
export function virtualHostBucket(host: string | undefined, domains: readonly string[]): string | undefined {
  if (host === lastHost && domains === lastDomains && host !== undefined) return lastBucket;
  const bucket = bucketOfHost(host, domains);
  lastHost = host;
  lastDomains = domains;
  lastBucket = bucket;
  return bucket;
}

function bucketOfHost(host: string | undefined, domains: readonly string[]): string | undefined {
  const name = hostName(host);
  for (const d of domains) {
    const suffix = `.${d.toLowerCase()}`;
    if (name.endsWith(suffix) && name.length > suffix.length) return name.slice(0, -suffix.length);
  }
  return undefined;
}

/** Resolves a raw request URL and Host header to bucket, key and query. Throws `InvalidURI` on bad escapes. */
export function resolveAddress(rawUrl: string, host: string | undefined, domains: readonly string[]): Address {
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = new QueryParams(q === -1 ? '' : rawUrl.slice(q + 1));
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI');
  const vhost = virtualHostBucket(host, domains);
  if (vhost !== undefined) {
    const key = rawPath.length > 1 ? decode(rawPath.slice(1)) : undefined;
    return { bucket: vhost, key, query, virtualHost: true };
  }
  const rest = rawPath.slice(1);
  if (rest === '') return { bucket: undefined, key: undefined, query, virtualHost: false };
  const slash = rest.indexOf('/');
  if (slash === -1) return { bucket: decode(rest), key: undefined, query, virtualHost: false };
  const keyPart = rest.slice(slash + 1);
  return { bucket: decode(rest.slice(0, slash)), key: keyPart === '' ? undefined : decode(keyPart), query, virtualHost: false };
}
