/**
 * `withReadCache`: keeps small objects (bytes and info) in memory, least recently used first out (approximately:
 * a "second chance" clock, so a hit moves nothing), so a hot small object is served without touching the
 * medium — a file adapter GET otherwise pays an open, a read and a close through the thread pool. It is
 * coherent only for a storage that no one else writes: every write must pass through this layer. The file
 * adapter (one process owns a root, by its lock), the block adapter (image lock) and a memory storage qualify;
 * a shared bucket behind the S3 adapter does not.
 *
 * Coherence: a write to a key drops its entry when it starts, and a read fills the cache only when no write
 * to that key started or ended while the read was in flight, so a slow read of the old bytes can never put
 * them back after a newer write. Conditions and ranges are evaluated here on a hit, with the same helpers
 * the front uses, so a hit answers exactly as the inner storage would.
 *
 * Writes that bypass this layer (another program editing the file store's directory) are caught by the
 * `stamp` option: a fingerprint of the key's file taken before each fill and compared on each hit.
 */
import { BytesReadable } from '../bytes-body.ts';
import { checkReadConditions } from '../conditions.ts';
import { throwIfAborted } from '../errors.ts';
import { resolveRange } from '../ranges.ts';
import type { ResolvedRange } from '../ranges.ts';
import type { DeleteResult, GetOptions, GetResult, HeadOptions, ObjectInfo, OperationOptions, Storage } from '../types.ts';
import { ForwardingStorage } from './forwarding.ts';
import type { StorageOperation } from './forwarding.ts';
import type { CallInfo } from './forwarding.ts';

/** Options of {@link withReadCache}. */
export interface ReadCacheOptions {
  /** Bytes of object data the cache may hold. @default 32 MiB */
  maxBytes?: number;
  /**
   * Objects larger than this are never cached (they stream from the inner storage). A hit is written to the
   * socket in one piece, so the bound is what one write can carry well: at 1 MiB a hot object's GET costs
   * about what a route sending a buffer costs, where streaming it from a file costs four times the CPU
   * (reads into new buffers, then a write per piece). @default 1 MiB
   */
  maxObjectBytes?: number;
  /**
   * For an inner storage that others also write: a cheap, synchronous fingerprint of what it holds under a key
   * now (for a file, its inode, size, mtime and ctime: one `lstat`), or undefined when it cannot vouch for it
   * (missing, or changed too recently for its timestamps to tell a later change). It is taken before a fill
   * reads the object, and a hit is served only while the key's fingerprint is still that one; a key without
   * one is not cached. It must not throw. @default none: every write passes through this layer
   */
  stamp?: (key: string) => string | undefined;
}

/** Counters of a {@link withReadCache} layer. */
export interface ReadCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

/** A storage with a read cache in front. */
export interface CachedStorage extends Storage {
  /** Hit and miss counters and the current size. */
  cacheStats(): ReadCacheStats;
}

interface Entry {
  info: ObjectInfo;
  bytes: Buffer;
  /** Hit since eviction last passed over it. */
  used?: boolean;
  /** The key's `stamp` before the read that filled this entry. */
  stamp?: string | undefined;
}

/** Estimated memory of an entry beyond its bytes (info, key, map slot), so tiny objects count too. */
const ENTRY_OVERHEAD = 512;

/** Writes that change what a key holds; uploadPart, startMultipart and abortMultipart do not. */
const KEY_WRITES: ReadonlySet<StorageOperation> = new Set<StorageOperation>(['put', 'delete', 'copy', 'setTags', 'completeMultipart']);

/** A frozen copy of `info`: hits hand the same object to every caller, so no caller may change it. */
function frozenCopy(info: ObjectInfo): ObjectInfo {
  return Object.freeze({
    ...info,
    userMetadata: Object.freeze({ ...info.userMetadata }),
    tags: Object.freeze({ ...info.tags }),
    ...(info.checksums ? { checksums: Object.freeze({ ...info.checksums }) } : {}),
  });
}

class ReadCacheStorage extends ForwardingStorage implements CachedStorage {
  readonly #maxBytes: number;
  readonly #maxObjectBytes: number;
  readonly #stamp: ((key: string) => string | undefined) | undefined;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  /** Bumped at the start and end of every key write; a fill compares it with the value at its start. */
  #seq = 0;
  /** The last `#seq` at which each key was written (start or end); pruned whenever no read is in flight. */
  readonly #touched = new Map<string, number>();
  /** Writes in flight per key. */
  readonly #writing = new Map<string, number>();
  #readsInFlight = 0;

  constructor(inner: Storage, options: ReadCacheOptions) {
    super(inner);
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.#maxObjectBytes = Math.min(options.maxObjectBytes ?? 1024 * 1024, this.#maxBytes);
    this.#stamp = options.stamp;
  }

  cacheStats(): ReadCacheStats {
    return { hits: this.#hits, misses: this.#misses, entries: this.#entries.size, bytes: this.#bytes };
  }

  protected override invoke<T>(call: CallInfo, run: () => Promise<T>): Promise<T> {
    // copy reports its destination as the key; deleteMany (several keys) is handled in its override.
    if (call.key === undefined || !KEY_WRITES.has(call.op)) return run();
    return this.#writeKeys([call.key], run);
  }

  override deleteMany(keys: string[], options: OperationOptions = {}): Promise<DeleteResult[]> {
    return this.#writeKeys(keys, () => super.deleteMany(keys, options));
  }

  override async head(key: string, options: HeadOptions = {}): Promise<ObjectInfo> {
    const entry = this.#lookup(key);
    if (!entry) return super.head(key, options);
    throwIfAborted(options.signal, 'head', key);
    checkReadConditions(entry.info, options, 'head');
    return entry.info;
  }

  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const entry = this.#lookup(key);
    if (entry) return this.#serve(entry, options, key);
    this.#misses++;
    const startSeq = this.#seq;
    // Taken before the read: a change after it, even one the read saw, makes the next hit a miss.
    const stamp = this.#stamp?.(key);
    this.#readsInFlight++;
    try {
      const result = await super.get(key, options);
      if (result.range || result.info.size > this.#maxObjectBytes || this.#writing.has(key)) return result;
      if (this.#stamp !== undefined && stamp === undefined) return result;
      // A small whole object: read it now (it fits the cache), keep it if no write raced the read.
      const bytes = await collect(result.body);
      const raced = this.#writing.has(key) || (this.#touched.get(key) ?? -1) >= startSeq;
      if (!raced && bytes.length === result.info.size) this.#insert(key, { info: frozenCopy(result.info), bytes, stamp });
      return { info: result.info, body: new BytesReadable(bytes) };
    } finally {
      if (--this.#readsInFlight === 0 && this.#writing.size === 0) this.#touched.clear();
    }
  }

  override async close(): Promise<void> {
    this.#entries.clear();
    this.#bytes = 0;
    return super.close();
  }

  #lookup(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#stamp !== undefined && this.#stamp(key) !== entry.stamp) {
      this.#evict(key); // changed behind this layer: read again
      return undefined;
    }
    this.#hits++;
    // Marked, not moved: eviction gives a marked entry a second chance (see #insert), so a hit changes no map.
    entry.used = true;
    return entry;
  }

  /** A hit's answer as bytes (see {@link readCached}), or undefined on a miss. */
  peek(key: string, options: GetOptions): CachedRead | undefined {
    const entry = this.#lookup(key);
    return entry === undefined ? undefined : this.#slice(entry, options, key);
  }

  #serve(entry: Entry, options: GetOptions, key: string): GetResult {
    const hit = this.#slice(entry, options, key);
    return hit.range ? { info: hit.info, body: new BytesReadable(hit.bytes), range: hit.range } : { info: hit.info, body: new BytesReadable(hit.bytes) };
  }

  #slice(entry: Entry, options: GetOptions, key: string): CachedRead {
    throwIfAborted(options.signal, 'get', key);
    checkReadConditions(entry.info, options, 'get');
    const range = options.range === undefined ? undefined : resolveRange(options.range, entry.info.size);
    if (!range) return { info: entry.info, bytes: entry.bytes };
    return { info: entry.info, bytes: entry.bytes.subarray(range.start, range.end + 1), range };
  }

  #insert(key: string, entry: Entry): void {
    this.#evict(key);
    const cost = entry.bytes.length + ENTRY_OVERHEAD;
    // Least recently used out, approximately ("second chance"): Map keeps insertion order, so the first entry
    // is the candidate; one hit since it was last looked at moves it to the end instead, unmarked.
    while (this.#bytes + cost > this.#maxBytes && this.#entries.size > 0) {
      const [oldest, candidate] = this.#entries.entries().next().value as [string, Entry];
      if (candidate.used) {
        candidate.used = false;
        this.#entries.delete(oldest);
        this.#entries.set(oldest, candidate);
      } else {
        this.#evict(oldest);
      }
    }
    this.#entries.set(key, entry);
    this.#bytes += cost;
  }

  #evict(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes.length + ENTRY_OVERHEAD;
  }

  async #writeKeys<T>(keys: string[], run: () => Promise<T>): Promise<T> {
    const seq = ++this.#seq;
    for (const key of keys) {
      this.#evict(key);
      this.#touched.set(key, seq);
      this.#writing.set(key, (this.#writing.get(key) ?? 0) + 1);
    }
    try {
      return await run();
    } finally {
      const end = ++this.#seq;
      for (const key of keys) {
        this.#touched.set(key, end);
        const n = (this.#writing.get(key) ?? 1) - 1;
        if (n === 0) this.#writing.delete(key);
        else this.#writing.set(key, n);
      }
      if (this.#readsInFlight === 0 && this.#writing.size === 0) this.#touched.clear();
    }
  }
}

/** A read answered from a {@link withReadCache} layer's memory (see {@link readCached}). */
export interface CachedRead {
  /** The object's info: frozen, and the same object on every hit until the entry changes. */
  info: ObjectInfo;
  /** The object's bytes, or the range's view of them: shared with the cache, read them, never write. */
  bytes: Buffer;
  /** The resolved range, when one was asked for. */
  range?: ResolvedRange;
}

/**
 * What `storage.get(key, options)` would answer, taken synchronously from memory when `storage` is a
 * {@link withReadCache} layer that holds `key`; undefined otherwise (then call `get`). Conditions and the range
 * are evaluated as on any hit, so it throws what `get` would (NotModified, PreconditionFailed, InvalidRange,
 * Aborted). A hit costs no stream, promise or buffer copy: the object server answers a small GET with one
 * socket write from it.
 */
export function readCached(storage: Storage, key: string, options: GetOptions = {}): CachedRead | undefined {
  return storage instanceof ReadCacheStorage ? storage.peek(key, options) : undefined;
}

/** Reads a small stream whole. */
async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/**
 * Wraps `storage` with an LRU cache of small objects (see the module comment for when it is coherent). Every
 * method is forwarded; get and head of a cached key are answered from memory.
 */
export function withReadCache(storage: Storage, options: ReadCacheOptions = {}): CachedStorage {
  return new ReadCacheStorage(storage, options);
}
