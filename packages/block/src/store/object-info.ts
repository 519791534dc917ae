/** Conversions between stored records and the contract's info types. */
import type { ListItem, ObjectInfo, PartInfo, StandardHeaders } from '@strata/storage';
import type { StoredObject, StoredPart } from './records.ts';

const HEADER_NAMES = ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'expires'] as const;

/** The standard headers present in `source`, copied. */
export function pickHeaders(source: StandardHeaders): StandardHeaders {
  const out: StandardHeaders = {};
  for (const name of HEADER_NAMES) {
    const v = source[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The contract's view of a stored object (a fresh copy). */
export function toInfo(o: StoredObject): ObjectInfo {
  const info: ObjectInfo = {
    key: o.key,
    size: o.size,
    etag: o.etag,
    lastModified: new Date(o.lastModified),
    ...o.headers,
    userMetadata: { ...o.userMetadata },
    tags: { ...o.tags },
  };
  if (o.checksums) info.checksums = { ...o.checksums };
  if (o.checksumType) info.checksumType = o.checksumType;
  if (o.partCount !== undefined) info.partCount = o.partCount;
  return info;
}

/** A listing item. */
export function toListItem(o: StoredObject): ListItem {
  return { key: o.key, size: o.size, etag: o.etag, lastModified: new Date(o.lastModified) };
}

/** The contract's view of a stored part. */
export function toPartInfo(p: StoredPart): PartInfo {
  const info: PartInfo = { partNumber: p.partNumber, size: p.size, etag: p.etag, lastModified: new Date(p.lastModified) };
  if (p.checksums) info.checksums = { ...p.checksums };
  return info;
}
