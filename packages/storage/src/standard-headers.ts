/**
 * The standard HTTP representation headers S3 stores with an object, once: their names on the contract
 * ({@link StandardHeaders}) and on the wire. PutObject, CopyObject and CreateMultipartUpload take exactly these
 * (AWS PutObject, "Request Syntax": Cache-Control, Content-Disposition, Content-Encoding, Content-Language,
 * Content-Type, Expires) and GetObject/HeadObject return them. Adapters copy them with
 * {@link pickStandardHeaders}, so a header added here reaches every adapter.
 */
import type { StandardHeaders } from './types.ts';

/** Each standard header's contract name and its HTTP name (lower case, as Node presents request headers). */
export const STANDARD_HEADER_HTTP_NAMES = {
  contentType: 'content-type',
  contentEncoding: 'content-encoding',
  contentDisposition: 'content-disposition',
  contentLanguage: 'content-language',
  cacheControl: 'cache-control',
  expires: 'expires',
} as const satisfies Record<keyof StandardHeaders, string>;

/** The contract names of the standard headers, in the order S3 documents them. */
export const STANDARD_HEADER_NAMES = Object.keys(STANDARD_HEADER_HTTP_NAMES) as (keyof StandardHeaders)[];

/** The standard headers set in `source` (undefined ones left out), copied into a fresh object. */
export function pickStandardHeaders(source: StandardHeaders): StandardHeaders {
  const out: StandardHeaders = {};
  for (const name of STANDARD_HEADER_NAMES) {
    const value = source[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
