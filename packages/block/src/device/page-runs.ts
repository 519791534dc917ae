/**
 * The page device's general paths (`guarded-page-device.ts` keeps the one-page fast paths and everything the
 * device counts and times): reads, writes and zeroings of any number of pages, taken in runs that stay inside
 * one group (`layout.ts`), so a run is one pread or pwrite and its guards sit on one guard page.
 *
 * Why the guard page is looked up again after every wait: clean guard pages may be dropped from the table while
 * a transfer is pending and their memory reused for another group (`guard-table.ts`), so nothing here holds a
 * guard page across an `await`. A write stamps its guards and marks the page dirty in one synchronous step after
 * its pwrite, so a change is never made to a page the table no longer holds.
 */
import { toStorageError } from '../errors.ts';
import type { GuardCodec } from './guard-codec.ts';
import type { GuardTable } from './guard-table.ts';
import type { PageLayout } from './layout.ts';
import { GUARD_BYTES } from './layout.ts';
import type { PageMedium } from './types.ts';

/** What the run paths need of a device. */
export interface PageRunContext {
  readonly pageSize: number;
  readonly layout: PageLayout;
  readonly codec: GuardCodec;
  readonly guards: GuardTable;
  readonly medium: PageMedium;
  /** Counts a page that failed its guard and throws the `Corrupted` error for it. */
  corrupt(page: number, problem: string): never;
}

/**
 * Reads `count` pages from `page` into `out` (exactly `count` pages long), checking each against its guard.
 * A lone unwritten page needs no pread; a run is read whole and its unwritten pages are zeroed after. `expectTag`,
 * when given, must be every page's tag (a page with another one is stale).
 */
export async function readRuns(ctx: PageRunContext, page: number, count: number, out: Buffer, expectTag: number | undefined): Promise<void> {
  const { pageSize: ps, layout, codec, guards: table, medium } = ctx;
  for (let p = page, done = 0; done < count; ) {
    const run = layout.runFrom(p, count - done);
    const group = layout.groupOf(p);
    let guards = table.cached(group) ?? (await table.current(group, 'read'));
    const seg = run === count ? out : out.subarray(done * ps, (done + run) * ps);
    const first = layout.guardIndex(p);
    if (run > 1 || codec.isWritten(guards.view, first)) {
      let pending: Promise<void> | undefined;
      try {
        pending = medium.read(layout.dataOffset(p), seg);
        if (pending !== undefined) await pending;
      } catch (e) {
        throw toStorageError(e, 'read');
      }
      if (pending !== undefined) guards = table.cached(group) ?? (await table.current(group, 'read'));
    }
    for (let i = 0; i < run; i++) {
      const at = first + i * GUARD_BYTES;
      const payload = run === 1 ? seg : seg.subarray(i * ps, (i + 1) * ps);
      let problem: string | undefined;
      if (codec.isWritten(guards.view, at)) problem = codec.verify(guards.view, at, payload, p + i, expectTag);
      else {
        problem = codec.checkUnwritten(guards.view, at, expectTag);
        payload.fill(0);
      }
      if (problem !== undefined) ctx.corrupt(p + i, problem);
    }
    p += run;
    done += run;
  }
}

/**
 * Writes `data` (whole pages, unchanged until this resolves) from `page` with one pwrite per run, then stamps
 * the run's guards with the tag `tagLo + tagHi × 2^32` in memory; they reach the medium at the next flush.
 */
export async function writeRuns(ctx: PageRunContext, page: number, data: Uint8Array, tagLo: number, tagHi: number): Promise<void> {
  const { pageSize: ps, layout, codec, guards: table, medium } = ctx;
  const count = data.length / ps;
  for (let p = page, done = 0; done < count; ) {
    const run = layout.runFrom(p, count - done);
    const seg = run === count ? data : data.subarray(done * ps, (done + run) * ps);
    try {
      const pending = medium.write(layout.dataOffset(p), seg);
      if (pending !== undefined) await pending;
    } catch (e) {
      throw toStorageError(e, 'write');
    }
    const group = layout.groupOf(p);
    const guards = table.cached(group) ?? (await table.current(group, 'write'));
    // From here to markDirty nothing awaits: the guards change on the page the table holds.
    const first = layout.guardIndex(p);
    for (let i = 0; i < run; i++) {
      codec.stamp(guards.view, first + i * GUARD_BYTES, run === 1 ? seg : seg.subarray(i * ps, (i + 1) * ps), p + i, tagLo, tagHi);
    }
    table.markDirty(group, guards);
    p += run;
    done += run;
  }
}

/** Marks `count` pages from `page` unwritten: only their guards change (such a page reads as zeros without a pread). */
export async function clearRuns(ctx: PageRunContext, page: number, count: number): Promise<void> {
  const { layout, codec, guards: table } = ctx;
  for (let p = page, done = 0; done < count; ) {
    const run = layout.runFrom(p, count - done);
    const group = layout.groupOf(p);
    const guards = table.cached(group) ?? (await table.current(group, 'writeZeroes'));
    const first = layout.guardIndex(p);
    for (let i = 0; i < run; i++) codec.clear(guards.view, first + i * GUARD_BYTES);
    table.markDirty(group, guards);
    p += run;
    done += run;
  }
}
