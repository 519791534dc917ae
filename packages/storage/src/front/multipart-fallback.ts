/**
 * Multipart over plain operations, for adapters without native multipart. An upload is a set of hidden
 * objects under a reserved staging prefix (default `.strata-multipart/`):
 *
 *     <prefix><uploadId>/meta          JSON: target key, initiation time, the start options
 *     <prefix><uploadId>/part-00001    the bytes of part 1 (zero-padded so parts list in number order)
 *
 * Complete streams the chosen parts, in order, into one ordinary put of the target key — atomic like any put —
 * whose body reports the multipart ETag (`md5(concat(part md5s))-N`) and the composite or full-object
 * checksums, then deletes the staging objects. The front wrapper rejects keys under the prefix (`InvalidKey`)
 * and hides them from listings.
 *
 * Limitation: the contract's `BodyDigests` has no place for `partCount`/`checksumType`, so the completed
 * object's info carries them in the value returned by complete but an adapter will not store them.
 */
import { randomBytes } from 'node:crypto';
import { StorageError, hasErrorCode, throwIfAborted } from '../errors.ts';
import { compareKeys } from '../keys.ts';
import { prepareBody, readJson } from '../body.ts';
import { assembleCompletedParts } from '../multipart-assembly.ts';
import { normalizeEtag } from '../conditions.ts';
import { settle } from './fallbacks.ts';
import { pickStandardHeaders } from '../standard-headers.ts';
import { pageUploads } from '../upload-pager.ts';
import type { ScanFunction } from '../list-pager.ts';
import type { PreparedBody, StorageAdapter } from '../adapter.ts';
import type {
  Body,
  ChecksumAlgorithm,
  CompletedPart,
  CompleteMultipartOptions,
  ListPartsOptions,
  ListPartsResult,
  ListUploadsOptions,
  ListUploadsResult,
  MultipartUpload,
  ObjectInfo,
  OperationOptions,
  PartInfo,
  StartMultipartOptions,
  UploadPartOptions,
} from '../types.ts';

/** What the meta object of an upload holds. */
interface UploadMeta {
  v: 1;
  key: string;
  uploadId: string;
  initiated: string;
  options: Omit<StartMultipartOptions, 'signal'>;
}

const UPLOAD_ID = /^[0-9a-f]{32}$/;
const noSuchUpload = (op: string, key: string, uploadId: string) =>
  new StorageError('NotFound', `No such upload ${uploadId}`, { op, key, reason: 'NoSuchUpload' });

/** Multipart uploads staged as hidden objects of one adapter. */
export class MultipartFallback {
  #a: StorageAdapter;
  #prefix: string;
  #scan: ScanFunction;

  constructor(adapter: StorageAdapter, stagingPrefix: string, scan: ScanFunction) {
    this.#a = adapter;
    this.#prefix = stagingPrefix;
    this.#scan = scan;
  }

  #metaKey = (uploadId: string) => `${this.#prefix}${uploadId}/meta`;
  #partKey = (uploadId: string, n: number) => `${this.#prefix}${uploadId}/part-${String(n).padStart(5, '0')}`;

  async #putBytes(key: string, data: string, signal?: AbortSignal): Promise<ObjectInfo> {
    const body = prepareBody(data, { signal });
    try {
      return await this.#a.put(key, body, { signal });
    } finally {
      settle(body);
    }
  }

  async #meta(key: string, uploadId: string, op: string, signal?: AbortSignal): Promise<UploadMeta> {
    if (!UPLOAD_ID.test(uploadId)) throw noSuchUpload(op, key, uploadId);
    let meta: UploadMeta;
    try {
      meta = await readJson<UploadMeta>(await this.#a.get(this.#metaKey(uploadId), { signal }));
    } catch (e) {
      if (hasErrorCode(e, 'NotFound')) throw noSuchUpload(op, key, uploadId);
      throw e;
    }
    if (meta.key !== key) throw noSuchUpload(op, key, uploadId);
    return meta;
  }

  async start(key: string, options: StartMultipartOptions): Promise<MultipartUpload> {
    const { signal, ...kept } = options;
    const uploadId = randomBytes(16).toString('hex');
    const initiated = new Date();
    const meta: UploadMeta = { v: 1, key, uploadId, initiated: initiated.toISOString(), options: kept };
    await this.#putBytes(this.#metaKey(uploadId), JSON.stringify(meta), signal);
    return { key, uploadId, initiated };
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: UploadPartOptions): Promise<PartInfo> {
    const { signal } = options;
    const meta = await this.#meta(key, uploadId, 'uploadPart', signal);
    const prepared = prepareBody(body, {
      checksumAlgorithms: meta.options.checksumAlgorithms ?? [],
      expectedChecksums: options.expectedChecksums,
      contentMd5: options.contentMd5,
      contentLength: options.contentLength,
      signal,
    });
    const partKey = this.#partKey(uploadId, partNumber);
    let info: ObjectInfo;
    try {
      info = await this.#a.put(partKey, prepared, { signal });
    } finally {
      settle(prepared);
    }
    // Completed or aborted while the part streamed in: do not leave an orphan behind.
    try {
      await this.#meta(key, uploadId, 'uploadPart', signal);
    } catch (e) {
      await this.#a.delete(partKey, {}).catch(() => undefined);
      throw e;
    }
    return toPart(partNumber, info, prepared);
  }

  /** Every stored part of an upload, in number order, with checksums when the upload has algorithms. */
  async #parts(uploadId: string, withChecksums: boolean, signal?: AbortSignal, after = 0, limit = Infinity): Promise<PartInfo[]> {
    const out: PartInfo[] = [];
    const prefix = `${this.#prefix}${uploadId}/part-`;
    const startAfter = after > 0 ? this.#partKey(uploadId, after) : undefined;
    for await (const item of this.#scan({ prefix, startAfter, signal })) {
      if (out.length >= limit) break;
      const n = Number(item.key.slice(prefix.length));
      if (!Number.isInteger(n) || n <= after) continue;
      const part: PartInfo = { partNumber: n, size: item.size, etag: item.etag, lastModified: item.lastModified };
      out.push(part);
    }
    if (withChecksums) {
      for (const p of out) {
        const info = await this.#a.head(this.#partKey(uploadId, p.partNumber), { signal });
        if (info.checksums) p.checksums = { ...info.checksums };
      }
    }
    return out;
  }

  async complete(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions): Promise<ObjectInfo> {
    const op = 'completeMultipart';
    const { signal } = options;
    const meta = await this.#meta(key, uploadId, op, signal);
    const algorithms = meta.options.checksumAlgorithms ?? [];
    const stored = await this.#parts(uploadId, algorithms.length > 0 || parts.some((p) => p.checksums), signal);
    const { parts: chosen, etag, size, checksums, checksumType } = assembleCompletedParts(parts, stored, {
      minPartSize: this.#a.capabilities.minPartSize,
      algorithms,
      checksumType: meta.options.checksumType,
      expectedChecksums: options.expectedChecksums,
      key,
    });
    const inner = prepareBody(this.#concat(uploadId, chosen, signal), { contentLength: size, signal });
    const body: PreparedBody = {
      stream: inner.stream,
      checksumAlgorithms: Object.keys(checksums) as ChecksumAlgorithm[],
      contentLength: size,
      digests: () => ({ ...inner.digests(), etag, checksums }),
    };
    const o = meta.options;
    const put = { ...pickStandardHeaders(o), userMetadata: { ...o.userMetadata }, tags: { ...o.tags }, signal } as Parameters<StorageAdapter['put']>[2];
    const ifNoneMatch = options.ifNoneMatch ?? o.ifNoneMatch;
    const ifMatch = options.ifMatch ?? o.ifMatch;
    if (ifNoneMatch !== undefined) put.ifNoneMatch = ifNoneMatch;
    if (ifMatch !== undefined) put.ifMatch = ifMatch;
    let info: ObjectInfo;
    try {
      info = await this.#a.put(key, body, put);
    } finally {
      settle(inner);
    }
    await this.#removeUpload(uploadId);
    const result: ObjectInfo = { ...info, partCount: chosen.length };
    if (checksumType) result.checksumType = checksumType;
    return result;
  }

  /** Streams the chosen parts in order; a part replaced since it was chosen fails the complete. */
  async *#concat(uploadId: string, chosen: PartInfo[], signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    for (const p of chosen) {
      throwIfAborted(signal, 'completeMultipart');
      const r = await this.#a.get(this.#partKey(uploadId, p.partNumber), { signal });
      if (normalizeEtag(r.info.etag) !== p.etag) {
        r.body.destroy();
        throw new StorageError('InvalidArgument', `Part ${p.partNumber} changed during complete`, { op: 'completeMultipart', reason: 'InvalidPart' });
      }
      for await (const chunk of r.body) yield chunk as Uint8Array;
    }
  }

  /** Deletes the parts then the meta object (best effort: a leftover is invisible and harmless). */
  async #removeUpload(uploadId: string): Promise<void> {
    const keys: string[] = [];
    for await (const item of this.#scan({ prefix: `${this.#prefix}${uploadId}/part-` })) keys.push(item.key);
    for (const k of keys) await this.#a.delete(k, {}).catch(() => undefined);
    await this.#a.delete(this.#metaKey(uploadId), {}).catch(() => undefined);
  }

  async abort(key: string, uploadId: string, options: OperationOptions): Promise<void> {
    await this.#meta(key, uploadId, 'abortMultipart', options.signal);
    // The meta goes first so concurrent part uploads see the upload gone; then the parts.
    await this.#a.delete(this.#metaKey(uploadId), { signal: options.signal });
    await this.#removeUpload(uploadId);
  }

  async listParts(key: string, uploadId: string, options: ListPartsOptions): Promise<ListPartsResult> {
    const meta = await this.#meta(key, uploadId, 'listParts', options.signal);
    const limit = options.limit ?? 1000;
    const withChecksums = (meta.options.checksumAlgorithms ?? []).length > 0;
    const page = await this.#parts(uploadId, withChecksums, options.signal, options.partNumberMarker ?? 0, limit + 1);
    const result: ListPartsResult = { parts: page.slice(0, limit) };
    if (page.length > limit) result.nextPartNumberMarker = result.parts[result.parts.length - 1]!.partNumber;
    return result;
  }

  async listUploads(options: ListUploadsOptions): Promise<ListUploadsResult> {
    const uploads: MultipartUpload[] = [];
    let after: string | undefined;
    // One meta per upload directory; skipDescendants jumps each directory's parts.
    for (;;) {
      let found: string | undefined;
      for await (const item of this.#scan({ prefix: this.#prefix, startAfter: after, skipDescendants: after !== undefined, signal: options.signal })) {
        if (after !== undefined && item.key.startsWith(after)) continue;
        found = item.key;
        break;
      }
      if (found === undefined) break;
      const dir = found.slice(0, found.indexOf('/', this.#prefix.length) + 1);
      after = dir;
      if (!dir || !found.endsWith('/meta')) continue;
      try {
        const meta = await readJson<UploadMeta>(await this.#a.get(found, { signal: options.signal }));
        if (meta.key.startsWith(options.prefix ?? '')) uploads.push({ key: meta.key, uploadId: meta.uploadId, initiated: new Date(meta.initiated) });
      } catch (e) {
        if (!hasErrorCode(e, 'NotFound')) throw e;
      }
    }
    uploads.sort((a, b) => compareKeys(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime() || (a.uploadId < b.uploadId ? -1 : 1));
    return pageUploads(uploads, options);
  }
}

function toPart(partNumber: number, info: ObjectInfo, body: PreparedBody): PartInfo {
  const part: PartInfo = { partNumber, size: info.size, etag: normalizeEtag(info.etag), lastModified: info.lastModified };
  const checksums = info.checksums ?? body.digests().checksums;
  if (Object.keys(checksums).length > 0) part.checksums = { ...checksums };
  return part;
}
