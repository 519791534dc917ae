/**
 * The cryptographic steps of Signature Version 4: the signing key, the strings to sign (request, chunk,
 * trailer) and the constant-time comparison of signatures.
 *
 * - Signing key: HMAC chain `AWS4<secret>` → date → region → service → `aws4_request`
 *   ("Create a signed AWS API request", step 4, https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
 *   It depends on the day, so it is cached per (secret, date, region, service), as the SDKs do.
 * - Chunk and trailer strings to sign: "Signature Calculations for the Authorization Header: Transferring
 *   Payload in Multiple Chunks" (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html) and
 *   "Signature calculations for trailing headers"
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ALGORITHM, EMPTY_SHA256 } from './types.ts';

/** Hex SHA-256 of a string (UTF-8 unless `encoding` says otherwise) or bytes. */
export function sha256Hex(data: string | Uint8Array, encoding: 'utf8' | 'latin1' = 'utf8'): string {
  const hash = createHash('sha256');
  return (typeof data === 'string' ? hash.update(data, encoding) : hash.update(data)).digest('hex');
}

/** HMAC-SHA256 of `data` under `key`. */
export function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Hex HMAC-SHA256 of `data` under `key`: a signature. */
export function hmacHex(key: Uint8Array, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** Keys derived at most this many times before the cache is emptied (a few per credential and day). */
const CACHE_LIMIT = 256;
const signingKeyCache = new Map<string, Buffer>();

/** The SigV4 signing key of (secret, date `yyyymmdd`, region, service), cached. */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service = 's3'): Buffer {
  // NUL cannot occur in any of the parts' valid forms, so the joined key is unambiguous.
  const cacheKey = `${secretAccessKey}\0${date}\0${region}\0${service}`;
  const cached = signingKeyCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  if (signingKeyCache.size >= CACHE_LIMIT) signingKeyCache.clear();
  signingKeyCache.set(cacheKey, key);
  return key;
}

/** The credential scope `yyyymmdd/region/service/aws4_request`. */
export function credentialScope(date: string, region: string, service = 's3'): string {
  return `${date}/${region}/${service}/aws4_request`;
}

/**
 * The string to sign of a request: algorithm, timestamp, scope, hash of the canonical request. The canonical
 * request is hashed as UTF-8, or as Latin-1 when it carries header bytes as received (canonical.ts, `wire`).
 */
export function requestStringToSign(amzDate: string, scope: string, canonicalRequest: string, encoding: 'utf8' | 'latin1' = 'utf8'): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest, encoding)}`;
}

/** The string to sign of one aws-chunked chunk, given the hex SHA-256 of its data. */
export function chunkStringToSign(amzDate: string, scope: string, previousSignature: string, chunkSha256: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256}`;
}

/** The string to sign of the trailer, given the hex SHA-256 of its canonical lines (`name:value\n` each). */
export function trailerStringToSign(amzDate: string, scope: string, previousSignature: string, trailerSha256: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${previousSignature}\n${trailerSha256}`;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * True when `provided` equals the `expected` hex signature. The comparison runs in constant time over the
 * 32 bytes (`crypto.timingSafeEqual`), so the time taken says nothing about how many leading bytes matched.
 */
export function signaturesEqual(expected: string, provided: string): boolean {
  const p = provided.toLowerCase();
  // A malformed signature is compared against itself so the work done does not depend on its shape.
  const valid = HEX64.test(p);
  const a = Buffer.from(expected, 'hex');
  const b = valid ? Buffer.from(p, 'hex') : Buffer.alloc(32);
  return timingSafeEqual(a, b) && valid;
}

/** Formats a time as the ISO 8601 basic timestamp of SigV4 (`20130524T000000Z`). */
export function toAmzDate(ms: number): string {
  // `2013-05-24T00:00:00.000Z` → `20130524T000000Z` by slicing (two regex replaces showed in the GET profile).
  const iso = new Date(ms).toISOString();
  // Years past 9999 (`+010000-…`) keep the general form.
  if (iso.length !== 24) return iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses `20130524T000000Z` into epoch milliseconds, or `undefined` when malformed. */
export function parseAmzDate(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 20130231 over to March; a real timestamp formats back to itself.
  return toAmzDate(ms) === value ? ms : undefined;
}
