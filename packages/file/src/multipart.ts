/**
 * Native multipart uploads (AWS CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload,
 * ListParts, ListMultipartUploads). Each upload is a directory `<root>/.strata-uploads/<uploadId>/` holding
 * `upload.json` (key, initiation, the options of the future object) and one file per part, `<partNumber>`:
 * the part's bytes, with a record (object-meta.ts: its number, MD5 and checksums) like an object file's,
 * published by a rename so a re-upload replaces a part atomically. A part file of an upload started by an
 * earlier version starts with a `#strata1` header (metadata.ts) instead, and is read as such. Uploads survive a reopen. Complete streams the chosen parts
 * into one staged object file and publishes it with one rename, like a put.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import fse from 'fs-extra';
import { StorageError, assembleCompletedParts, compareKeys, createChecksum, pickStandardHeaders, uploadChecksumAlgorithms } from '@strata/storage/adapter';
import type {
  ChecksumAlgorithm,
  Checksums,
  CompletedPart,
  ListPartsResult,
  ListUploadsOptions,
  ListUploadsResult,
  MultipartUpload,
  ObjectInfo,
  PartInfo,
  PreparedBody,
  StartMultipartOptions,
} from '@strata/storage';
import type { FileCore } from './core.ts';
import type { ReadHandle } from './read-handle.ts';
import { UPLOADS_DIR, keyToPath, storesKey } from './key-mapping.ts';
import { headerLength, parseJsonHeader } from './metadata.ts';
import { objectRecord, partRecord, recordPart } from './object-meta.ts';
import { stageBody, stageStream } from './object-write.ts';
import { errnoOf } from './to-storage-error.ts';
import { pageUploads } from '@strata/storage';

/** What `upload.json` holds. */
interface UploadRecord {
  key: string;
  uploadId: string;
  initiated: number;
  options: Omit<StartMultipartOptions, 'signal'>;
  algorithms: ChecksumAlgorithm[];
}

type StoredPart = Omit<PartInfo, 'lastModified'> & { lastModified: number };

/** Bytes read for the header of an old-format part file (its header is a few hundred bytes). */
const PART_RESERVE = 1024;
const noSuchUpload = (op: string, key: string, uploadId: string, cause?: unknown) =>
  new StorageError('NotFound', `No such upload ${uploadId}`, { op, key, reason: 'NoSuchUpload', cause });
const toPart = (p: StoredPart): PartInfo => ({ ...p, lastModified: new Date(p.lastModified) });

/** The multipart store of one file adapter. */
export class FileMultipart {
  #core: FileCore;
  #dir: string;

  constructor(core: FileCore) {
    this.#core = core;
    this.#dir = join(core.root, UPLOADS_DIR);
  }

  #path(uploadId: string, name = ''): string {
    // Upload ids are ours (hex); anything else cannot name an upload and must not reach the filesystem.
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw new StorageError('NotFound', `No such upload ${uploadId}`, { reason: 'NoSuchUpload' });
    return name ? join(this.#dir, uploadId, name) : join(this.#dir, uploadId);
  }

  async #need(key: string, uploadId: string, op: string): Promise<UploadRecord> {
    let rec: UploadRecord;
    try {
      rec = JSON.parse(await fsp.readFile(this.#path(uploadId, 'upload.json'), 'utf8')) as UploadRecord;
    } catch (e) {
      throw noSuchUpload(op, key, uploadId, e);
    }
    if (rec.key !== key) throw noSuchUpload(op, key, uploadId);
    return rec;
  }

  async start(key: string, options: StartMultipartOptions): Promise<MultipartUpload> {
    const algorithms = uploadChecksumAlgorithms(options, key);
    const { signal: _signal, ...kept } = options;
    const uploadId = randomBytes(16).toString('hex');
    const rec: UploadRecord = { key, uploadId, initiated: Date.now(), options: kept, algorithms };
    // Prepared in staging and renamed into place: an upload exists whole or not at all.
    const tmp = this.#core.stagingPath('u');
    await fsp.mkdir(tmp);
    await fsp.writeFile(join(tmp, 'upload.json'), JSON.stringify(rec));
    await fse.ensureDir(this.#dir);
    await fsp.rename(tmp, this.#path(uploadId));
    await this.#core.syncDir(UPLOADS_DIR);
    return { key, uploadId, initiated: new Date(rec.initiated) };
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: PreparedBody): Promise<PartInfo> {
    const rec = await this.#need(key, uploadId, 'uploadPart');
    // The upload's algorithms are computed here when the caller did not ask for them on this part.
    const extra = new Map(rec.algorithms.map((a) => [a, createChecksum(a)] as const));
    let part: PartInfo | undefined;
    const tmp = await stageBody(
      this.#core,
      body,
      (d, stamp) => {
        const checksums: Checksums = { ...d.checksums };
        for (const [alg, c] of extra) checksums[alg] ??= c.digest().toString('base64');
        part = { partNumber, size: d.size, etag: d.etag, lastModified: new Date() };
        if (Object.keys(checksums).length > 0) part.checksums = checksums;
        return partRecord(part, stamp);
      },
      extra.size > 0 ? (chunk) => extra.forEach((c) => c.update(chunk)) : undefined,
    );
    try {
      const target = this.#path(uploadId, String(partNumber));
      const replaced = await this.#core.meta.inodeAt(target);
      await fsp.rename(tmp, target);
      await this.#core.meta.forget(replaced);
    } catch (e) {
      await this.#core.discard(tmp);
      throw errnoOf(e) === 'ENOENT' ? noSuchUpload('uploadPart', key, uploadId, e) : e;
    }
    await this.#core.syncDir(`${UPLOADS_DIR}/${uploadId}`);
    return part as PartInfo;
  }

  async #parts(uploadId: string, keepOpen = false): Promise<StoredPartFile[]> {
    const names = (await fsp.readdir(this.#path(uploadId))).filter((n) => /^[0-9]+$/.test(n));
    const settled = await Promise.allSettled(names.map((n) => this.#part(uploadId, n, keepOpen)));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      // No descriptor outlives a failed listing.
      await Promise.all(settled.map((r) => (r.status === 'fulfilled' ? r.value.fh?.close() : undefined)));
      throw failed.reason;
    }
    const parts = settled.map((r) => (r as PromiseFulfilledResult<StoredPartFile>).value);
    return parts.sort((a, b) => a.info.partNumber - b.info.partNumber);
  }

  /** One part file's info and where its bytes start: its record, or the header of an old-format part. */
  async #part(uploadId: string, n: string, keepOpen: boolean): Promise<StoredPartFile> {
    const path = this.#path(uploadId, n);
    const damaged = () => new StorageError('Corrupted', `Part file ${n} of ${uploadId} is damaged`);
    const fh = await this.#core.openRead(path);
    let kept = false;
    try {
      let part: StoredPartFile;
      const found = await this.#core.meta.lookup(path, fh.statSync(), false);
      if (found && found !== 'race') part = { info: recordPart(found.record), dataOffset: 0 };
      else {
        const buf = Buffer.allocUnsafe(PART_RESERVE * 4);
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        const off = headerLength(buf, bytesRead);
        if (off === undefined || off > bytesRead) throw damaged();
        part = { info: toPart(parseJsonHeader<StoredPart>(buf, off)), dataOffset: off };
      }
      if (keepOpen) {
        kept = true;
        part.fh = fh;
      }
      return part;
    } finally {
      if (!kept) await fh.close();
    }
  }

  /**
   * Validates the part list, computes the ETag and checksums, and stages the assembled object. Returns the
   * staged path and the object's info; the caller commits it under the key's mutex with its conditions.
   */
  async assemble(key: string, uploadId: string, requested: CompletedPart[], expected: Checksums | undefined): Promise<{ tmp: string; info: ObjectInfo; rec: UploadRecord }> {
    const op = 'completeMultipart';
    const rec = await this.#need(key, uploadId, op);
    // The part files stay open from the check of their ETags to the copy of their bytes: a part uploaded again
    // meanwhile (a rename over the name) cannot put other bytes under the ETags just checked.
    const stored = await this.#parts(uploadId, true);
    try {
      return await this.#assembleFrom(key, rec, stored, requested, expected);
    } finally {
      await Promise.all(stored.map((p) => p.fh?.close()));
    }
  }

  async #assembleFrom(key: string, rec: UploadRecord, stored: StoredPartFile[], requested: CompletedPart[], expected: Checksums | undefined): Promise<{ tmp: string; info: ObjectInfo; rec: UploadRecord }> {
    const files = new Map(stored.map((p) => [p.info.partNumber, p]));
    const assembled = assembleCompletedParts(requested, stored.map((p) => p.info), {
      minPartSize: this.#core.minPartSize,
      algorithms: rec.algorithms,
      checksumType: rec.options.checksumType,
      expectedChecksums: expected,
      key,
    });
    const chosen = assembled.parts;
    const o = rec.options;
    const info: ObjectInfo = {
      key,
      size: assembled.size,
      etag: assembled.etag,
      lastModified: new Date(),
      ...pickStandardHeaders(o),
      userMetadata: { ...o.userMetadata },
      tags: { ...o.tags },
      partCount: chosen.length,
    };
    if (assembled.checksumType) {
      info.checksums = assembled.checksums;
      info.checksumType = assembled.checksumType;
    }
    const sources = chosen.map((p) => files.get(p.partNumber) as StoredPartFile);
    const withKey = storesKey(keyToPath(key));
    const sizes = chosen.map((p) => p.size);
    const tmp = await stageStream(this.#core, concatParts(sources), (stamp) => objectRecord(info, stamp, withKey, sizes));
    return { tmp, info, rec };
  }

  /** Removes a completed or aborted upload (renamed into staging first, so it vanishes at once). */
  async remove(key: string, uploadId: string, op: string): Promise<void> {
    const gone = this.#core.stagingPath('gone');
    try {
      await fsp.rename(this.#path(uploadId), gone);
    } catch (e) {
      throw noSuchUpload(op, key, uploadId, e);
    }
    await this.#core.syncDir(UPLOADS_DIR);
    if (this.#core.meta.filesInUse) {
      // The part files' metadata files go with them (meta-files.ts).
      for (const name of await fsp.readdir(gone).catch(() => [] as string[])) await this.#core.meta.forget(await this.#core.meta.inodeAt(join(gone, name)));
    }
    await fsp.rm(gone, { recursive: true, force: true });
  }

  async abort(key: string, uploadId: string): Promise<void> {
    await this.#need(key, uploadId, 'abortMultipart');
    await this.remove(key, uploadId, 'abortMultipart');
  }

  async listParts(key: string, uploadId: string, marker = 0, limit = 1000): Promise<ListPartsResult> {
    await this.#need(key, uploadId, 'listParts');
    const all = (await this.#parts(uploadId)).map((p) => p.info).filter((p) => p.partNumber > marker);
    const page = all.slice(0, limit);
    const result: ListPartsResult = { parts: page };
    if (all.length > limit) result.nextPartNumberMarker = page[page.length - 1]?.partNumber;
    return result;
  }

  async listUploads(options: ListUploadsOptions): Promise<ListUploadsResult> {
    let ids: string[];
    try {
      ids = await fsp.readdir(this.#dir);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
      ids = [];
    }
    const prefix = options.prefix ?? '';
    const recs = await Promise.all(
      ids.map((id) =>
        fsp
          .readFile(join(this.#dir, id, 'upload.json'), 'utf8')
          .then((t) => JSON.parse(t) as UploadRecord)
          .catch(() => undefined),
      ),
    );
    const uploads = recs
      .filter((r): r is UploadRecord => r !== undefined && r.key.startsWith(prefix))
      .sort((a, b) => compareKeys(a.key, b.key) || a.initiated - b.initiated || (a.uploadId < b.uploadId ? -1 : 1))
      .map((r) => ({ key: r.key, uploadId: r.uploadId, initiated: new Date(r.initiated) }));
    return pageUploads(uploads, options);
  }
}

/** One part file: its info, where its bytes start, and (while an upload is assembled) its open descriptor. */
interface StoredPartFile {
  info: PartInfo;
  dataOffset: number;
  fh?: ReadHandle;
}

/** The bytes of the parts, in order, from their open descriptors (each stream closes its own). */
async function* concatParts(parts: StoredPartFile[]): AsyncGenerator<Buffer> {
  for (const p of parts) {
    if (p.info.size === 0) continue;
    const fh = p.fh as ReadHandle;
    yield* fh.createReadStream({ start: p.dataOffset, end: p.dataOffset + p.info.size - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  }
}
