/**
 * `withReadCache`: keeps small objects (bytes and info) in memory, least recently used first out, so a hot
 * small object is served without touching the medium — a file adapter GET otherwise pays an open, a read and
 * a close through the thread pool. It is coherent only for a storage that no one else writes: every write
 * must pass through this layer. The file adapter (one process owns a root, by its lock), the block adapter
 * (image lock) and a memory storage qualify; a shared bucket behind the S3 adapter does not.
 *
 * Coherence: a write to a key drops its entry when it starts, and a read fills the cache only when no write
 * to that key started or ended while the read was in flight, so a slow read of the old bytes can never put
 * them back after a newer write. Conditions and ranges are evaluated here on a hit, with the same helpers
 * the front uses, so a hit answers exactly as the inner storage would.
 */
import { BytesReadable } from '../bytes-body.ts';
import { checkReadConditions } from '../conditions.ts';
import { throwIfAborted } from '../errors.ts';
import { resolveRange } from '../ranges.ts';
import type { DeleteResult, GetOptions, GetResult, HeadOptions, ObjectInfo, OperationOptions, Storage } from '../types.ts';
import { ForwardingStorage } from './forwarding.ts';
import type { StorageOperation } from './forwarding.ts';
import type { CallInfo } from './forwarding.ts';

/** Options of {@link withReadCache}. */
export interface ReadCacheOptions {
  /** Bytes of object data the cache may hold. @default 32 MiB */
  maxBytes?: number;
  /** Objects larger than this are never cached (they stream from the inner storage). @default 256 KiB */
  maxObjectBytes?: number;
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
    this.#maxObjectBytes = Math.min(options.maxObjectBytes ?? 256 * 1024, this.#maxBytes);
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
    this.#readsInFlight++;
    try {
      const result = await super.get(key, options);
      if (result.range || result.info.size > this.#maxObjectBytes || this.#writing.has(key)) return result;
      // A small whole object: read it now (it fits the cache), keep it if no write raced the read.
      const bytes = await collect(result.body);
      const raced = this.#writing.has(key) || (this.#touched.get(key) ?? -1) >= startSeq;
      if (!raced && bytes.length === result.info.size) this.#insert(key, { info: frozenCopy(result.info), bytes });
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
    this.#hits++;
    // Most recently used goes last: Map keeps insertion order, so the first key is the eviction candidate.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  #serve(entry: Entry, options: GetOptions, key: string): GetResult {
    throwIfAborted(options.signal, 'get', key);
    checkReadConditions(entry.info, options, 'get');
    const range = options.range === undefined ? undefined : resolveRange(options.range, entry.info.size);
    if (!range) return { info: entry.info, body: new BytesReadable(entry.bytes) };
    return { info: entry.info, body: new BytesReadable(entry.bytes.subarray(range.start, range.end + 1)), range };
  }

  #insert(key: string, entry: Entry): void {
    this.#evict(key);
    const cost = entry.bytes.length + ENTRY_OVERHEAD;
    while (this.#bytes + cost > this.#maxBytes && this.#entries.size > 0) {
      const oldest = this.#entries.keys().next().value as string;
      this.#evict(oldest);
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
