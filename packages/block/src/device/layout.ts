/**
 * Where pages and their guards live on the medium (format version 2). Data pages are page-aligned, so a page
 * is one aligned pread/pwrite of exactly `pageSize` bytes — one file-system page, one run of whole sectors on
 * a real disk — and its 32-byte integrity guard lives apart from it, in a guard page that leads its group:
 *
 *   [header region: pageSize] [guard page | G data pages] [guard page | G data pages] … (the last group may be short)
 *
 * with G = pageSize / 32 guards per guard page (128 for 4 KiB pages, 16 for 512). The overhead is one page in
 * G + 1 (0.78 % at 4 KiB). Version 1 kept the guard as a trailer after each page in a `pageSize + 32` slot;
 * every slot then straddled two file-system pages (two pages dirtied per write, a read-modify-write of a
 * sector on a real disk), which is why the guards moved out — the layout of ZFS (checksums beside the block
 * pointer) and btrfs (a checksum tree) rather than of an inline trailer. Groups keep growth simple: growing
 * the device appends groups, and nothing moves.
 */

/** Bytes of one guard (see `guard-codec.ts`). */
export const GUARD_BYTES = 32;

/** The geometry math for one page size. All offsets are bytes from the start of the medium. */
export class PageLayout {
  readonly pageSize: number;
  /** Guards per guard page, and data pages per group. */
  readonly perGroup: number;
  /** Bytes of one whole group (its guard page and `perGroup` data pages). */
  readonly groupBytes: number;

  constructor(pageSize: number) {
    this.pageSize = pageSize;
    this.perGroup = pageSize / GUARD_BYTES;
    this.groupBytes = (this.perGroup + 1) * pageSize;
  }

  /** The group holding `page`. */
  groupOf(page: number): number {
    return Math.floor(page / this.perGroup);
  }

  /** The byte offset of group `group`'s guard page. */
  guardPageOffset(group: number): number {
    return this.pageSize + group * this.groupBytes;
  }

  /** The byte offset of `page`'s guard inside its group's guard page. */
  guardIndex(page: number): number {
    return (page % this.perGroup) * GUARD_BYTES;
  }

  /**
   * The byte offset of `page`'s data: the header, `group` whole groups, the group's guard page and the pages
   * before it in the group, i.e. (page + group + 2) × pageSize. Pages of one group are contiguous; groups are not.
   */
  dataOffset(page: number): number {
    return (page + Math.floor(page / this.perGroup) + 2) * this.pageSize;
  }

  /** How many pages from `page` on (at most `count`) lie in `page`'s group, i.e. are contiguous on the medium. */
  runFrom(page: number, count: number): number {
    return Math.min(count, this.perGroup - (page % this.perGroup));
  }

  /** The medium size of a device of `pageCount` pages. */
  mediumBytes(pageCount: number): number {
    const full = Math.floor(pageCount / this.perGroup);
    const rest = pageCount - full * this.perGroup;
    return this.pageSize + full * this.groupBytes + (rest > 0 ? (1 + rest) * this.pageSize : 0);
  }
}
