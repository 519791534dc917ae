/**
 * The records and helpers of one version change (see version-store.ts): the intent a change writes before it
 * starts, the state it starts from, and how a new entry joins a key's versions.
 */
import type { ObjectInfo } from '../types.ts';
import { NULL_VERSION_ID } from './manifest.ts';
import type { VersionEntry } from './manifest.ts';

/** The intent record of a change, stored at `meta + 'j/' + opId` until the change is done. */
export interface Intent {
  key: string;
  created: string[];
  freed: string[];
  /** Whether the key had an index before the change: then a missing index means the change removed it. */
  hadIndex: boolean;
  /**
   * Whether the change writes the plain object before its commit (`VersionStore.completeAtPlain`): then
   * a key left without an index had no object before, and its plain object is the uncommitted one.
   */
  plain?: true;
}

/** How a change writes. */
export interface ChangeOptions {
  /** The change's `write` overwrites the plain object before the commit. */
  overwritesPlain?: boolean;
}

/** The versions a change starts from; `adopted` is the data id a plain object (the null version) is copied to. */
export type Before = { versions: VersionEntry[]; adopted: string | undefined; hadIndex: boolean };

/** The null-version entry of a plain object written before versioning. */
export function plainEntry(info: Pick<ObjectInfo, 'etag' | 'size' | 'lastModified'>): VersionEntry {
  return { id: NULL_VERSION_ID, etag: info.etag, size: info.size, lastModified: info.lastModified.toISOString() };
}

/** `versions` with `entry` on top; a null-version entry replaces the earlier null version, as S3 does. */
export function withNewest(versions: VersionEntry[], entry: VersionEntry): VersionEntry[] {
  const rest = entry.id === NULL_VERSION_ID ? versions.filter((v) => v.id !== NULL_VERSION_ID) : versions;
  return [entry, ...rest];
}
