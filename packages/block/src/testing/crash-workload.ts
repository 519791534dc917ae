/**
 * Seeded workloads for the crash harness: groups of 1–3 concurrent operations on distinct keys (so group
 * commit batches them), over a small key set so overwrites are frequent, with sizes around the page size and
 * the inline threshold. The plan is fixed by the seed before it runs, so a failing seed replays exactly.
 */
import { createHash } from 'node:crypto';
import { multipartEtag } from '@strata/storage';
import { createRandom } from './prng.ts';

/** A value an object may hold: its bytes and the ETag the contract promises for them. */
export interface Value {
  bytes: Buffer;
  etag: string;
}

/** One planned operation. */
export type PlannedOp =
  | { kind: 'put'; key: string; value: Value }
  | { kind: 'del'; key: string }
  | { kind: 'mp'; key: string; parts: [Buffer, Buffer]; value: Value }
  | { kind: 'copy'; from: string; key: string };

/** The keys workloads use (with a non-ASCII one: order is UTF-8 bytes). */
export const CRASH_KEYS = ['a', 'b/1', 'b/2', 'c', 'é'] as const;

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Deterministic bytes for value number `id`. */
export function valueBytes(size: number, id: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + id * 17 + (i >> 8)) & 0xff;
  return b;
}

/** A single-put value. */
export function putValue(size: number, id: number): Value {
  const bytes = valueBytes(size, id);
  return { bytes, etag: md5(bytes) };
}

/**
 * Plans `groups` groups of operations for `seed`, with sizes chosen around `pageSize`, `inlineMax` and the
 * journal-staging threshold `journalInlineMax` (objects up to it live in their journal record until a checkpoint).
 */
export function planWorkload(seed: number, groups: number, pageSize: number, inlineMax: number, minPartSize: number, journalInlineMax = inlineMax): PlannedOp[][] {
  const rnd = createRandom(seed);
  const sizes = [0, 1, inlineMax - 1, inlineMax, inlineMax + 1, pageSize - 1, pageSize, pageSize + 1, 2 * pageSize + 7, 5 * pageSize];
  if (journalInlineMax > inlineMax + 1) sizes.push(journalInlineMax, journalInlineMax + 1);
  let id = seed * 1000;
  const plan: PlannedOp[][] = [];
  for (let g = 0; g < groups; g++) {
    const free: string[] = [...CRASH_KEYS];
    const take = () => free.splice(rnd.int(free.length), 1)[0]!;
    const n = 1 + rnd.int(3);
    const group: PlannedOp[] = [];
    for (let i = 0; i < n && free.length > 0; i++) {
      const r = rnd.next();
      if (r < 0.55) group.push({ kind: 'put', key: take(), value: putValue(rnd.pick(sizes), ++id) });
      else if (r < 0.7) group.push({ kind: 'del', key: take() });
      else if (r < 0.85 && free.length >= 2) group.push({ kind: 'copy', from: take(), key: take() });
      else {
        const parts: [Buffer, Buffer] = [valueBytes(minPartSize + rnd.int(pageSize), ++id), valueBytes(1 + rnd.int(2 * pageSize), ++id)];
        const bytes = Buffer.concat(parts);
        group.push({ kind: 'mp', key: take(), parts, value: { bytes, etag: multipartEtag(parts.map(md5)) } });
      }
    }
    plan.push(group);
  }
  return plan;
}

/** The value a copy of `source` produces (a multipart source gets the MD5 of its bytes, as S3 does). */
export function copiedValue(source: Value): Value {
  return source.etag.includes('-') ? { bytes: source.bytes, etag: md5(source.bytes) } : source;
}
