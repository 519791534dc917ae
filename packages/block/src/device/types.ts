/**
 * The page device: fixed-size pages addressed by number, like a block device (NVMe namespace, EBS volume)
 * but with per-page integrity. Every page has a 32-byte guard (kept in a guard page, see `layout.ts`) with the
 * page number, a caller tag and an xxh64 of the page bound to both, so a torn write (half old, half new), a
 * lost or misdirected write (landed on another page) and — when the caller passes the tag it expects — a
 * stale page are all detected on read as `Corrupted`, never returned as wrong bytes. The idea follows ZFS'
 * block checksums kept apart from the block they cover.
 */

/** The smallest page size (a power of two, one disk sector). */
export const MIN_PAGE_SIZE = 512;
/** The largest page size (a power of two). */
export const MAX_PAGE_SIZE = 65536;
/** The default page size, the common flash page / filesystem block. */
export const DEFAULT_PAGE_SIZE = 4096;
/** Options of one read. */
export interface ReadOptions {
  /**
   * The tag every page read must carry (the tag it was written with). A page with another tag is stale (a
   * lost write, or the page was reused) and raises `Corrupted`. Omit to accept any tag.
   */
  expectTag?: number;
  /**
   * Read into this buffer (at least `count × pageSize` bytes, from its start) instead of a new one, like
   * `pread` into a caller's buffer; the result is a view of it. Integrity checks are the same; after a failed
   * read the contents of `into` are unspecified.
   */
  into?: Buffer;
}

/** A latency histogram with power-of-two microsecond buckets. */
export interface LatencyHistogram {
  count: number;
  totalMs: number;
  maxMs: number;
  /** `buckets[i]` counts operations that took < 2^i µs (the last bucket is open-ended). */
  buckets: number[];
}

/** Counters of a device since it was opened. */
export interface DeviceStats {
  reads: number;
  writes: number;
  flushes: number;
  discards: number;
  pagesRead: number;
  pagesWritten: number;
  bytesRead: number;
  bytesWritten: number;
  /** Pages that failed their integrity check on read. */
  corruptPages: number;
  /**
   * Latency histograms, filled only when the device times its operations (`timing: true`, or an emulated
   * latency profile); otherwise they stay empty while the counters above still count.
   */
  latency: { read: LatencyHistogram; write: LatencyHistogram; flush: LatencyHistogram };
}

/** A block device of fixed-size pages. Pages are numbered 0..pageCount-1. */
export interface PageDevice {
  readonly pageSize: number;
  readonly pageCount: number;
  /** Reads `count` (default 1) consecutive pages; throws `Corrupted` when any fails its integrity check. */
  read(page: number, count?: number, options?: ReadOptions): Promise<Buffer>;
  /**
   * Writes `data` (a multiple of pageSize) from `page` on, every page stamped with `tag` (default 0). The device
   * writes from `data` itself: it must not change until the returned promise settles.
   */
  write(page: number, data: Uint8Array, tag?: number): Promise<void>;
  /** Makes every write completed before this call durable when it returns (fdatasync). */
  flush(): Promise<void>;
  /** Tells the device the pages are unused; they then read as zeros (like TRIM, but deterministic here). */
  discard(page: number, count: number): Promise<void>;
  /** Writes zero pages (they read back as zeros with tag 0). */
  writeZeroes(page: number, count: number): Promise<void>;
  /** Grows the device to `newCount` pages (never shrinks). */
  grow(newCount: number): Promise<void>;
  stats(): DeviceStats;
  /** Writes what the device holds in memory (guards) and closes the medium. Not a flush: call `flush` first for durability. */
  close(): Promise<void>;
}

/**
 * The raw byte medium under a device: an image file or memory. Offsets are bytes. The crash-simulating medium
 * implements this too, so torn writes are torn at the byte level below the integrity check.
 */
export interface PageMedium {
  /** Current size in bytes. */
  size(): number;
  /**
   * Fills `target` from `offset` (zeros past the end). Returns `undefined` when the transfer already completed
   * synchronously (memory, a small pread from the page cache), so the page device skips a promise round trip
   * on its hot path; otherwise a promise of completion. A synchronous failure may throw.
   */
  read(offset: number, target: Buffer): Promise<void> | undefined;
  /** Writes `data` at `offset`; returns as {@link PageMedium.read} does. */
  write(offset: number, data: Uint8Array): Promise<void> | undefined;
  /** Makes completed writes durable. */
  sync(): Promise<void>;
  /** Sets the size in bytes (grow only). */
  resize(bytes: number): Promise<void>;
  close(): Promise<void>;
}

/** The time source of latency profiles and stats; tests inject fake time. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}
