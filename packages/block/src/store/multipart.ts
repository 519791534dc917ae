/**
 * Native multipart uploads on the block store (AWS CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads). Each part is written to its
 * own fresh extents and committed by a journal record; complete JOINS the chosen parts' extents into the
 * object's extent list — no byte is copied, whatever the object's size — and parts not chosen are freed with
 * the upload, all in one record.
 */
import { randomBytes } from 'node:crypto';
import {
  assembleCompletedParts,
  checkWriteConditions,
  compareKeys,
  createChecksum,
  StorageError,
  throwIfAborted,
  uploadChecksumAlgorithms,
} from '@strata/storage/adapter';
import type {
  ChecksumAlgorithm,
  Checksums,
  CompletedPart,
  CompleteMultipartOptions,
  ListPartsOptions,
  ListPartsResult,
  ListUploadsOptions,
  ListUploadsResult,
  MultipartUpload,
  ObjectInfo,
  PartInfo,
  PreparedBody,
  StartMultipartOptions,
} from '@strata/storage';
import type { BlockStore } from './block-store.ts';
import { writeData } from './data-io.ts';
import { pageUploads } from '@strata/storage';
import { pickHeaders, toInfo, toPartInfo } from './object-info.ts';
import type { IndexView, StoredObject, StoredPart, StoredUpload } from './records.ts';

function need(view: IndexView, key: string, uploadId: string, op: string): StoredUpload {
  const u = view.upload(uploadId);
  if (!u || u.key !== key) throw new StorageError('NotFound', `No such upload ${uploadId}`, { op, key, reason: 'NoSuchUpload' });
  return u;
}

/** Starts an upload: one record holding its metadata and the conditions to check at complete. */
export async function startMultipart(store: BlockStore, key: string, options: StartMultipartOptions): Promise<MultipartUpload> {
  const algorithms = uploadChecksumAlgorithms(options, key);
  const upload: StoredUpload = {
    uploadId: randomBytes(16).toString('hex'),
    key,
    initiated: Date.now(),
    seq: store.nextTag(),
    headers: pickHeaders(options),
    userMetadata: { ...options.userMetadata },
    tags: { ...options.tags },
    parts: {},
  };
  if (algorithms.length > 0) upload.checksumAlgorithms = algorithms;
  if (options.checksumType) upload.checksumType = options.checksumType;
  if (options.ifNoneMatch) upload.ifNoneMatch = options.ifNoneMatch;
  if (options.ifMatch !== undefined) upload.ifMatch = options.ifMatch;
  return store.commit(() => ({ record: { op: 'mpStart', upload }, result: { key, uploadId: upload.uploadId, initiated: new Date(upload.initiated) } }), false);
}

/** Writes a part to fresh extents (never inline: complete joins extents), then commits it. */
export async function uploadPart(store: BlockStore, key: string, uploadId: string, partNumber: number, body: PreparedBody, signal?: AbortSignal): Promise<PartInfo> {
  const op = 'uploadPart';
  const algorithms = (need(store.state, key, uploadId, op).checksumAlgorithms ?? []) as ChecksumAlgorithm[];
  const running = algorithms.map((a) => [a, createChecksum(a)] as const);
  async function* tee(): AsyncGenerator<Buffer> {
    for await (const chunk of body.stream as AsyncIterable<Buffer>) {
      for (const [, c] of running) c.update(chunk);
      yield chunk;
    }
  }
  const data = await writeData(store, running.length > 0 ? tee() : (body.stream as AsyncIterable<Buffer>), { signal, maxInline: -1 });
  try {
    const d = body.digests();
    throwIfAborted(signal, op, key);
    const checksums: Checksums = { ...d.checksums };
    for (const [a, c] of running) checksums[a] ??= c.digest().toString('base64');
    const part: StoredPart = { partNumber, size: d.size, etag: d.etag, lastModified: Date.now(), extents: data.extents };
    if (Object.keys(checksums).length > 0) part.checksums = checksums;
    return await store.commit((view) => {
      need(view, key, uploadId, op);
      return { record: { op: 'mpPart', uploadId, part }, result: toPartInfo(part) };
    }, data.extents.length > 0);
  } catch (e) {
    store.freeUnreferenced(data.extents);
    throw e;
  }
}

/** Validates the part list and commits the joined object at the commit point. */
export function completeMultipart(store: BlockStore, key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions, minPartSize: number): Promise<ObjectInfo> {
  const op = 'completeMultipart';
  return store.commit((view) => {
    const u = need(view, key, uploadId, op);
    const stored = Object.values(u.parts);
    const assembled = assembleCompletedParts(parts, stored.map(toPartInfo), {
      minPartSize,
      algorithms: (u.checksumAlgorithms ?? []) as ChecksumAlgorithm[],
      checksumType: u.checksumType,
      expectedChecksums: options.expectedChecksums,
      key,
    });
    const chosen = assembled.parts;
    const current = view.object(key);
    checkWriteConditions(current, { ifNoneMatch: u.ifNoneMatch, ifMatch: u.ifMatch }, op, key);
    checkWriteConditions(current, options, op, key);
    const obj: StoredObject = {
      key,
      size: assembled.size,
      etag: assembled.etag,
      lastModified: Date.now(),
      headers: { ...u.headers },
      userMetadata: { ...u.userMetadata },
      tags: { ...u.tags },
      partCount: chosen.length,
      extents: chosen.flatMap((p) => u.parts[p.partNumber]!.extents),
    };
    if (assembled.checksumType) {
      obj.checksums = assembled.checksums;
      obj.checksumType = assembled.checksumType;
    }
    return { record: { op: 'mpDone', uploadId, obj }, result: toInfo(obj) };
  }, false);
}

/** Abandons an upload; its parts' pages are freed once the record is durable. */
export function abortMultipart(store: BlockStore, key: string, uploadId: string): Promise<void> {
  return store.commit((view) => {
    need(view, key, uploadId, 'abortMultipart');
    return { record: { op: 'mpAbort', uploadId }, result: undefined };
  }, false);
}

/** The parts of an upload, ascending. */
export function listParts(store: BlockStore, key: string, uploadId: string, options: ListPartsOptions): ListPartsResult {
  const u = need(store.state, key, uploadId, 'listParts');
  const limit = options.limit ?? 1000;
  const all = Object.values(u.parts)
    .filter((p) => p.partNumber > (options.partNumberMarker ?? 0))
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, limit).map(toPartInfo);
  const result: ListPartsResult = { parts: page };
  if (all.length > limit) result.nextPartNumberMarker = page[page.length - 1]!.partNumber;
  return result;
}

/** In-progress uploads by key (UTF-8 order) then initiation. */
export function listUploads(store: BlockStore, options: ListUploadsOptions): ListUploadsResult {
  const sorted = [...store.state.uploads.values()]
    .sort((a, b) => compareKeys(a.key, b.key) || a.seq - b.seq)
    .map((u) => ({ key: u.key, uploadId: u.uploadId, initiated: new Date(u.initiated) }));
  return pageUploads(sorted, options);
}
