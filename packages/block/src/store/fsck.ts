/**
 * fsck for the block store: reads every referenced page (through the device's per-page checksums, with the
 * tag each extent was written with) and checks the structural invariants —
 *  - the index is strictly ordered (UTF-8 bytes) and every entry is filed under its own key;
 *  - every object's size equals its extents' bytes (or its inline bytes); every extent lies in the data area
 *    and is well formed; single-put objects and parts hash to their ETag (MD5);
 *  - no page is referenced twice, except an extent shared by design (same start and length — copy, setTags,
 *    multipart complete), and the store's reference counts match the references found;
 *  - the allocator's free runs are disjoint from every referenced page, and free + referenced + pages waiting
 *    for readers + pages of staged objects spilled ahead = the whole data area.
 * Journal records are checksummed and were verified during recovery; where replay stopped is reported.
 * Run it on a quiescent store (no writes in flight: their pages are allocated but not yet referenced).
 */
import { createHash } from 'node:crypto';
import { compareKeys, isStorageError } from '@strata/storage';
import type { BlockStore } from './block-store.ts';
import { readAll } from './data-io.ts';
import type { Extent, StoredObject } from './records.ts';

/** The result of {@link fsckStore}. */
export interface FsckReport {
  ok: boolean;
  errors: string[];
  /** Findings that are expected after a crash (a torn superblock or journal tail) and not damage. */
  notes: string[];
  objects: number;
  uploads: number;
  extents: number;
  pagesReferenced: number;
  pagesFree: number;
  pagesRead: number;
  journalBatchesReplayed: number;
}

/** Checks `store` and returns every problem found (never throws for damage). */
export async function fsckStore(store: BlockStore, options: { verifyData?: boolean } = {}): Promise<FsckReport> {
  const errors: string[] = [];
  const notes = [...store.recovery.superblockProblems, `journal ends: ${store.recovery.journalEnd}`];
  const ps = store.device.pageSize;
  const sb = store.superblock;
  const dataEnd = store.device.pageCount;
  const verify = options.verifyData ?? true;
  let pagesRead = 0;

  const keys = store.state.objects.keys();
  for (let i = 1; i < keys.length; i++) {
    if (compareKeys(keys[i - 1]!, keys[i]!) >= 0) errors.push(`index out of order at ${JSON.stringify(keys[i])}`);
  }
  const owners = new Map<number, { pages: number; count: number; what: string }>();
  const refer = (e: readonly number[], what: string, counted: boolean) => {
    const [page, pages] = e as [number, number];
    if (!Number.isSafeInteger(page) || !Number.isSafeInteger(pages) || pages < 1 || page < sb.dataStart || page + pages > dataEnd) {
      errors.push(`${what}: extent ${page}+${pages} outside the data area ${sb.dataStart}..${dataEnd - 1}`);
      return;
    }
    const o = owners.get(page);
    if (!o) owners.set(page, { pages, count: counted ? 1 : 0, what });
    else if (o.pages !== pages) errors.push(`${what}: extent ${page}+${pages} overlaps ${o.what}'s extent ${page}+${o.pages}`);
    else if (!counted || o.count === 0) errors.push(`${what}: extent ${page}+${pages} is also used by ${o.what}`);
    else o.count++;
  };

  const checkData = async (what: string, obj: Pick<StoredObject, 'size' | 'extents' | 'inline'>, md5?: string) => {
    const exts: Extent[] = obj.extents;
    let bytes = 0;
    exts.forEach((e, i) => {
      refer(e, what, true);
      const [, pages, used] = e;
      if (used > pages * ps || used <= (pages - 1) * ps) errors.push(`${what}: extent ${e[0]} holds ${used} bytes in ${pages} pages`);
      if (i < exts.length - 1 && used % ps !== 0 && md5 !== undefined) errors.push(`${what}: a partial extent is not the last`);
      bytes += used;
    });
    if (obj.inline !== undefined) {
      bytes = Buffer.from(obj.inline, 'base64').length;
      if (exts.length > 0) errors.push(`${what}: both inline and extents`);
    }
    if (bytes !== obj.size) errors.push(`${what}: size ${obj.size} but ${bytes} bytes stored`);
    if (!verify) return;
    try {
      const data = await readAll(store, { ...obj } as StoredObject);
      pagesRead += exts.reduce((n, e) => n + e[1], 0);
      if (md5 !== undefined && createHash('md5').update(data).digest('hex') !== md5) errors.push(`${what}: bytes do not hash to ETag ${md5}`);
    } catch (e) {
      errors.push(`${what}: ${isStorageError(e) ? e.message : String(e)}`);
    }
  };

  for (const key of keys) {
    const o = store.state.objects.get(key)!;
    if (o.key !== key) errors.push(`index entry ${JSON.stringify(key)} holds object ${JSON.stringify(o.key)}`);
    await checkData(`object ${JSON.stringify(key)}`, o, o.partCount === undefined ? o.etag : undefined);
  }
  for (const u of store.state.uploads.values()) {
    for (const p of Object.values(u.parts)) await checkData(`upload ${u.uploadId} part ${p.partNumber}`, p, p.etag);
  }
  for (const r of sb.checkpoint?.runs ?? []) refer(r, 'checkpoint', false);

  // Reference counts kept by the store match what the index references.
  for (const [page, [pages, count]] of store.state.refs) {
    const o = owners.get(page);
    if (!o || o.pages !== pages || o.count !== count) errors.push(`reference count of extent ${page}+${pages} is ${count}, found ${o?.count ?? 0}`);
  }
  for (const [page, o] of owners) if (o.count > 0 && !store.state.refs.has(page)) errors.push(`extent ${page}+${o.pages} (${o.what}) has no reference count`);

  // No two extents overlap.
  const sorted = [...owners].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) {
    const [p0, o0] = sorted[i - 1]!;
    const [p1, o1] = sorted[i]!;
    if (p0 + o0.pages > p1) errors.push(`${o0.what} (${p0}+${o0.pages}) overlaps ${o1.what} (${p1}+${o1.pages})`);
  }
  const referenced = sorted.reduce((n, [, o]) => n + o.pages, 0);

  // The allocator agrees: free runs are in the data area, disjoint from references, and account for the rest.
  const free = store.alloc.runs();
  let freePages = 0;
  let j = 0;
  for (const [start, len] of free) {
    freePages += len;
    if (start < sb.dataStart || start + len > dataEnd) errors.push(`free run ${start}+${len} outside the data area`);
    while (j < sorted.length && sorted[j]![0] + sorted[j]![1].pages <= start) j++;
    const next = sorted[j];
    if (next && next[0] < start + len) errors.push(`free run ${start}+${len} overlaps ${next[1].what} (${next[0]}+${next[1].pages})`);
  }
  const total = dataEnd - sb.dataStart;
  if (freePages + referenced + store.limboPages + store.aheadPages !== total) {
    errors.push(`allocator accounts for ${freePages} free + ${referenced} referenced + ${store.limboPages} waiting + ${store.aheadPages} spilled ahead of ${total} data pages`);
  }

  return {
    ok: errors.length === 0,
    errors,
    notes,
    objects: keys.length,
    uploads: store.state.uploads.size,
    extents: owners.size,
    pagesReferenced: referenced,
    pagesFree: freePages,
    pagesRead,
    journalBatchesReplayed: store.recovery.batchesReplayed,
  };
}
