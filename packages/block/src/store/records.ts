/**
 * What the key store keeps about objects and uploads, and the journal records that change it. Records are
 * JSON inside checksummed journal batches; the same shapes form the checkpoint.
 */
import type { Checksums, StandardHeaders } from '@strata/storage';

/**
 * A run of pages holding object bytes: [first page, page count, bytes used, device tag]. Every extent of an
 * object is full (pages × pageSize bytes) except possibly the last one of a single put or of each multipart
 * part — so a completed multipart object is the concatenation of its parts' extents, never a copy.
 */
export type Extent = [page: number, pages: number, bytes: number, tag: number];

/** An object as stored in the index. */
export interface StoredObject {
  key: string;
  size: number;
  etag: string;
  /** Epoch milliseconds. */
  lastModified: number;
  headers: StandardHeaders;
  userMetadata: Record<string, string>;
  tags: Record<string, string>;
  checksums?: Checksums;
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  partCount?: number;
  extents: Extent[];
  /** Small objects live in the record itself (base64), with no data pages at all. */
  inline?: string;
}

/** A stored multipart part. */
export interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: number;
  checksums?: Checksums;
  extents: Extent[];
}

/** An in-progress multipart upload. */
export interface StoredUpload {
  uploadId: string;
  key: string;
  initiated: number;
  /** Orders uploads of the same key by initiation even within one millisecond (monotonic across opens). */
  seq: number;
  headers: StandardHeaders;
  userMetadata: Record<string, string>;
  tags: Record<string, string>;
  checksumAlgorithms?: string[];
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  ifNoneMatch?: '*';
  ifMatch?: string;
  parts: Record<string, StoredPart>;
}

/** One change to the index. */
export type JournalRecord =
  | { op: 'put'; obj: StoredObject }
  | { op: 'del'; key: string }
  | { op: 'mpStart'; upload: StoredUpload }
  | { op: 'mpPart'; uploadId: string; part: StoredPart }
  | { op: 'mpAbort'; uploadId: string }
  | { op: 'mpDone'; uploadId: string; obj: StoredObject };

/** Read access to the index, as seen at the commit point (the live index or a batch overlay on it). */
export interface IndexView {
  object(key: string): StoredObject | undefined;
  upload(uploadId: string): StoredUpload | undefined;
}
