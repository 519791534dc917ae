/**
 * Mapping between the SDK's shapes and the contract's: S3 responses → {@link ObjectInfo}, contract checksums
 * ↔ the SDK's `Checksum*` fields, standard headers → request fields.
 */
import { normalizeEtag } from '@strata/storage';
import type { ChecksumAlgorithm, Checksums, ObjectInfo, StandardHeaders } from '@strata/storage';
import { decodeMetadata, decodeMetadataValue, encodeHeaderValue } from './metadata-codec.ts';

/** The SDK's field and enum value of each contract checksum algorithm. */
export const CHECKSUM_FIELDS = {
  crc32: { field: 'ChecksumCRC32', sdk: 'CRC32' },
  crc32c: { field: 'ChecksumCRC32C', sdk: 'CRC32C' },
  crc64nvme: { field: 'ChecksumCRC64NVME', sdk: 'CRC64NVME' },
  sha1: { field: 'ChecksumSHA1', sdk: 'SHA1' },
  sha256: { field: 'ChecksumSHA256', sdk: 'SHA256' },
} as const satisfies Record<ChecksumAlgorithm, { field: string; sdk: string }>;

/** The SDK's checksum fields of a request or response. */
export type ChecksumFields = Partial<Record<(typeof CHECKSUM_FIELDS)[ChecksumAlgorithm]['field'], string>>;

const CHECKSUM_ALGORITHMS = Object.keys(CHECKSUM_FIELDS) as ChecksumAlgorithm[];

/**
 * Reads the SDK's `Checksum*` fields into contract checksums (undefined when there are none). Runs on every
 * get and head, where most answers carry none: nothing is allocated then.
 */
export function readChecksums(out: ChecksumFields): Checksums | undefined {
  let sums: Checksums | undefined;
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = out[CHECKSUM_FIELDS[alg].field];
    if (typeof v === 'string' && v !== '') (sums ??= {})[alg] = v;
  }
  return sums;
}

/**
 * Contract checksums as the SDK's request fields (`ChecksumSHA256: '…'`). S3 stores one checksum algorithm per
 * object and refuses a request with several `x-amz-checksum-*` headers (AWS "Checking object integrity"), so
 * only the first is sent; the others were verified locally by the PreparedBody.
 */
export function checksumFields(sums: Checksums | undefined): ChecksumFields {
  const out: ChecksumFields = {};
  for (const [alg, value] of Object.entries(sums ?? {}) as [ChecksumAlgorithm, string | undefined][]) {
    if (value === undefined) continue;
    out[CHECKSUM_FIELDS[alg].field] = value;
    break;
  }
  return out;
}

/** The standard headers as SDK request fields. `Expires` is sent verbatim by a raw header (see `rawHeaders`). */
export function standardFields(h: StandardHeaders): {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
} {
  const enc = (v: string | undefined) => (v === undefined ? undefined : encodeHeaderValue(v));
  return {
    ContentType: enc(h.contentType),
    ContentEncoding: enc(h.contentEncoding),
    ContentDisposition: enc(h.contentDisposition),
    ContentLanguage: enc(h.contentLanguage),
    CacheControl: enc(h.cacheControl),
  };
}

/**
 * Headers the SDK would rewrite, sent verbatim instead: the SDK models `Expires` as a Date and would
 * re-format it, while the contract stores the caller's string unchanged.
 */
export function rawHeaders(h: StandardHeaders): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (h.expires !== undefined) out.expires = encodeHeaderValue(h.expires);
  // Without a Content-Type the SDK sends `application/octet-stream`, which S3 would store as if the caller
  // had set it; the contract reads back only what was written.
  if (h.contentType === undefined) out['content-type'] = null;
  return out;
}

/** The fields of HeadObject/GetObject output the contract reads. */
export interface ObjectOutput extends ChecksumFields {
  ETag?: string;
  LastModified?: Date;
  ContentLength?: number;
  ContentRange?: string;
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  Expires?: Date;
  ExpiresString?: string;
  Metadata?: Record<string, string>;
  ChecksumType?: string;
  PartsCount?: number;
  TagCount?: number;
}

/** The whole object's size from a (possibly ranged) response: `Content-Range: bytes a-b/size` wins. */
export function totalSize(out: ObjectOutput): number {
  const m = out.ContentRange !== undefined ? /\/(\d+)\s*$/.exec(out.ContentRange) : null;
  if (m?.[1] !== undefined) return Number(m[1]);
  return out.ContentLength ?? 0;
}

/**
 * S3 has no "no content type": an object stored without one is served as `binary/octet-stream` (AWS
 * PutObject, "Content-Type"; the object server does the same). The contract reads back only what was written,
 * so that default reads as unset — an explicit `binary/octet-stream` is indistinguishable from it.
 */
export const S3_DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** Builds the contract's info from a HeadObject/GetObject response. */
export function toObjectInfo(key: string, out: ObjectOutput, tags: Record<string, string>): ObjectInfo {
  const etag = normalizeEtag(out.ETag ?? '');
  const info: ObjectInfo = {
    key,
    size: totalSize(out),
    etag,
    lastModified: out.LastModified ?? new Date(0),
    userMetadata: decodeMetadata(out.Metadata),
    tags,
  };
  if (out.ContentType !== undefined && out.ContentType !== S3_DEFAULT_CONTENT_TYPE) info.contentType = decodeMetadataValue(out.ContentType);
  if (out.ContentEncoding !== undefined) info.contentEncoding = decodeMetadataValue(out.ContentEncoding);
  if (out.ContentDisposition !== undefined) info.contentDisposition = decodeMetadataValue(out.ContentDisposition);
  if (out.ContentLanguage !== undefined) info.contentLanguage = decodeMetadataValue(out.ContentLanguage);
  if (out.CacheControl !== undefined) info.cacheControl = decodeMetadataValue(out.CacheControl);
  const expires = out.ExpiresString ?? out.Expires?.toUTCString();
  if (expires !== undefined) info.expires = decodeMetadataValue(expires);
  const checksums = readChecksums(out);
  if (checksums !== undefined) info.checksums = checksums;
  if (out.ChecksumType === 'FULL_OBJECT' || out.ChecksumType === 'COMPOSITE') info.checksumType = out.ChecksumType;
  const parts = /-(\d+)$/.exec(etag)?.[1];
  const partCount = out.PartsCount ?? (parts !== undefined ? Number(parts) : undefined);
  if (partCount !== undefined) info.partCount = partCount;
  return info;
}

/** The SDK's `Range` header value of a contract range (RFC 9110 §14.1.2). */
export function rangeHeader(range: { start: number; end?: number } | { suffix: number }): string {
  if ('suffix' in range) return `bytes=-${range.suffix}`;
  return `bytes=${range.start}-${range.end ?? ''}`;
}

/** Quotes an ETag for an If-Match/If-None-Match header unless it is `*` or already quoted. */
export function quoteEtag(etag: string): string {
  if (etag === '*' || etag.startsWith('"') || etag.startsWith('W/')) return etag;
  return etag
    .split(',')
    .map((e) => `"${normalizeEtag(e)}"`)
    .join(', ');
}
