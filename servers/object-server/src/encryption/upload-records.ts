/**
 * The encryption records of multipart uploads in progress. CreateMultipartUpload of an encrypted object puts
 * the record (with the upload's wrapped data key) in the upload's metadata, which the completed object
 * carries; but the storage contract gives no way to read an in-progress upload's metadata, and every
 * UploadPart needs the key. So the record is also kept here, as JSON under the server's reserved prefix
 * (`.strata/sse-uploads/<sha256 of key and upload id>`), and cached per process — the server is its only
 * writer, as for bucket defaults (bucket-encryption.ts). A plain upload is remembered as such after its first
 * part, so its further parts cost one map look-up.
 *
 * A record is written before CreateMultipartUpload answers and removed when the upload completes or is
 * aborted; an UploadPart that finds none stores the part as it came, so the record must exist first.
 */
import { createHash } from 'node:crypto';
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import { readAll } from '../streams.ts';
import { recordOf, SSE_RECORD_NAME } from './sse-record.ts';
import type { SseRecord } from './sse-record.ts';

const PREFIX = `${RESERVED_PREFIX}sse-uploads/`;
/** Uploads remembered in memory; beyond it the oldest are forgotten (and read again when asked). */
const CACHE_LIMIT = 10_000;

/** The records of encrypted multipart uploads in progress. */
export interface UploadRecords {
  /** Keeps the record of upload `uploadId` of storage key `key`. */
  save(key: string, uploadId: string, record: string): Promise<void>;
  /** The record of the upload, or undefined for a plain upload (or one unknown). */
  get(key: string, uploadId: string): Promise<SseRecord | undefined>;
  /** Forgets the upload's record (completed or aborted); a missing record is not an error. */
  remove(key: string, uploadId: string): Promise<void>;
}

const nameOf = (key: string, uploadId: string) => PREFIX + createHash('sha256').update(key).update('\0').update(uploadId).digest('hex');

/** Creates the records over `storage`. */
export function createUploadRecords(storage: Storage): UploadRecords {
  const cache = new Map<string, SseRecord | null>();
  const remember = (name: string, record: SseRecord | null) => {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(name, record);
  };
  return {
    async save(key, uploadId, encoded) {
      const name = nameOf(key, uploadId);
      await storage.put(name, JSON.stringify({ record: encoded }), { contentType: 'application/json' });
      remember(name, recordOf({ userMetadata: { [SSE_RECORD_NAME]: encoded } }) ?? null);
    },
    async get(key, uploadId) {
      const name = nameOf(key, uploadId);
      const cached = cache.get(name);
      if (cached !== undefined) return cached ?? undefined;
      let record: SseRecord | null = null;
      try {
        const { body } = await storage.get(name);
        const { record: encoded } = JSON.parse((await readAll(body, 64 * 1024)).toString('utf8')) as { record: string };
        record = recordOf({ userMetadata: { [SSE_RECORD_NAME]: encoded } }) ?? null;
      } catch (e) {
        if (!hasErrorCode(e, 'NotFound')) throw e;
      }
      remember(name, record);
      return record ?? undefined;
    },
    async remove(key, uploadId) {
      const name = nameOf(key, uploadId);
      const known = cache.get(name);
      cache.delete(name);
      // Known plain: nothing was written for it.
      if (known === null) return;
      try {
        await storage.delete(name);
      } catch (e) {
        if (!hasErrorCode(e, 'NotFound')) throw e;
      }
    },
  };
}
