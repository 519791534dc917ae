/** Conversions between stored records and the contract's info types. */
import type { ListItem, ObjectInfo, PartInfo } from '@strata/storage';
import type { StoredObject, StoredPart } from './records.ts';

/** The standard headers present in `source`, copied (the shared helper, under the store's name). */
export { pickStandardHeaders as pickHeaders } from '@strata/storage/adapter';

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
