/**
 * The crash harness: runs a seeded workload on a crash-simulating device, crashes at point N with a fault
 * mode, reopens the surviving image and checks
 *  1. recovery succeeds;
 *  2. every acknowledged operation is reflected;
 *  3. every visible object equals a value that was put there (bytes and ETag) — an in-flight operation shows
 *     entirely or not at all;
 *  4. list is strictly ordered (UTF-8 bytes) and shows exactly the visible keys;
 *  5. fsck is clean;
 *  6. the workload continues on the recovered image (uploads left in flight abort; new puts, a delete; fsck).
 * `sweepSeed` runs every crash point of a seed in every mode. A violation names seed, mode and point, which
 * replay exactly (`runCrashPoint`).
 */
import { compareKeys, createStorage, isStorageError, readBytes } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { createMemoryMedium } from '../device/memory-medium.ts';
import { openPageDevice } from '../device/page-device.ts';
import { createBlockAdapter } from '../store/create.ts';
import { BlockStore } from '../store/block-store.ts';
import { fsckStore } from '../store/fsck.ts';
import { defaultJournalInlineMax } from '../store/spill.ts';
import { createCrashDevice, FAULT_MODES } from './crash-device.ts';
import type { FaultMode } from './crash-device.ts';
import { copiedValue, CRASH_KEYS, planWorkload, putValue } from './crash-workload.ts';
import type { PlannedOp, Value } from './crash-workload.ts';

/** Geometry and policy of harness runs. */
export interface HarnessConfig {
  pageSize: number;
  pageCount: number;
  journalPages: number;
  inlineMax: number;
  minPartSize: number;
  /** Groups of operations per workload. */
  groups: number;
  /** Run the negative control: records committed before their data is flushed. */
  unsafe?: boolean;
}

/** Small and fast: 512-byte pages (one sector), a 16-page journal so checkpoints and ring wraps happen often. */
export const DEFAULT_HARNESS: HarnessConfig = { pageSize: 512, pageCount: 192, journalPages: 16, inlineMax: 128, minPartSize: 600, groups: 8 };

/** A formatted, empty image for `config`. */
export async function formatImage(config: HarnessConfig): Promise<Buffer> {
  const medium = createMemoryMedium();
  const device = await openPageDevice(medium, { create: { pageSize: config.pageSize, pageCount: config.pageCount } });
  const store = await BlockStore.open(device, { journalPages: config.journalPages, inlineMax: config.inlineMax });
  await store.close();
  return medium.toBuffer();
}

type Model = Map<string, Value | null>;

async function execute(storage: Storage, op: PlannedOp, model: Model): Promise<Value | null | 'unchanged'> {
  switch (op.kind) {
    case 'put': {
      const info = await storage.put(op.key, op.value.bytes);
      if (info.etag !== op.value.etag) throw new Error(`put ${op.key}: etag ${info.etag}, expected ${op.value.etag}`);
      return op.value;
    }
    case 'del':
      await storage.delete(op.key);
      return null;
    case 'copy': {
      const source = model.get(op.from) ?? null;
      if (!source) {
        await storage.copy(op.from, op.key).then(
          () => {
            throw new Error(`copy from absent ${op.from} succeeded`);
          },
          (e: unknown) => {
            if (!isStorageError(e) || e.code !== 'NotFound') throw e;
          },
        );
        return 'unchanged';
      }
      await storage.copy(op.from, op.key);
      return copiedValue(source);
    }
    case 'mp': {
      const up = await storage.startMultipart(op.key);
      const p1 = await storage.uploadPart(op.key, up.uploadId, 1, op.parts[0]);
      const p2 = await storage.uploadPart(op.key, up.uploadId, 2, op.parts[1]);
      const info = await storage.completeMultipart(op.key, up.uploadId, [p1, p2].map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
      if (info.etag !== op.value.etag) throw new Error(`multipart ${op.key}: etag ${info.etag}, expected ${op.value.etag}`);
      return op.value;
    }
  }
}

/** The value an in-flight operation would leave (for the all-or-nothing check). */
function intended(op: PlannedOp, model: Model): Value | null | 'unchanged' {
  if (op.kind === 'del') return null;
  if (op.kind === 'copy') {
    const s = model.get(op.from) ?? null;
    return s ? copiedValue(s) : 'unchanged';
  }
  return op.value;
}

/** Checks the visible state against the allowed values per key; returns violations. */
async function checkState(storage: Storage, allowed: Map<string, (Value | null)[]>, where: string): Promise<string[]> {
  const v: string[] = [];
  const visible: string[] = [];
  for (const [key, options] of allowed) {
    try {
      const got = await storage.get(key);
      const bytes = await readBytes(got);
      visible.push(key);
      if (!options.some((o) => o !== null && o.etag === got.info.etag && o.bytes.equals(bytes))) {
        v.push(`${where}: ${key} holds ${bytes.length} bytes etag ${got.info.etag}, allowed ${options.map((o) => (o ? `${o.bytes.length}B/${o.etag}` : 'absent')).join(' | ')}`);
      }
    } catch (e) {
      if (isStorageError(e) && e.code === 'NotFound') {
        if (!options.includes(null)) v.push(`${where}: ${key} is missing, allowed ${options.map((o) => (o ? o.etag : 'absent')).join(' | ')}`);
      } else v.push(`${where}: get ${key} failed: ${(e as Error).message}`);
    }
  }
  try {
    const listed = (await storage.list({ limit: 1000 })).items.map((i) => i.key);
    for (let i = 1; i < listed.length; i++) if (compareKeys(listed[i - 1]!, listed[i]!) >= 0) v.push(`${where}: list out of order at ${listed[i]}`);
    const want = [...visible].sort(compareKeys);
    if (JSON.stringify(listed) !== JSON.stringify(want)) v.push(`${where}: list shows ${JSON.stringify(listed)}, visible ${JSON.stringify(want)}`);
  } catch (e) {
    v.push(`${where}: list failed: ${(e as Error).message}`);
  }
  return v;
}

/** The outcome of one crash point. */
export interface CrashPointResult {
  /** False when the workload finished before reaching the crash point. */
  crashed: boolean;
  /** Device writes + syncs the run passed (the number of crash points of a full run). */
  points: number;
  violations: string[];
}

/** Runs one workload to crash point `crashAt` with `mode`, then recovers and checks. Replays exactly. */
export async function runCrashPoint(base: Buffer, config: HarnessConfig, seed: number, mode: FaultMode, crashAt: number): Promise<CrashPointResult> {
  const where = `seed ${seed} mode ${mode} point ${crashAt}`;
  const plan = planWorkload(seed, config.groups, config.pageSize, config.inlineMax, config.minPartSize, defaultJournalInlineMax(config.pageSize, config.journalPages));
  const { device, medium } = await createCrashDevice({ image: base, crashAt, mode, seed: seed * 7919 + crashAt });
  const model: Model = new Map(CRASH_KEYS.map((k) => [k, null]));
  const inflight = new Map<string, Value | null>();
  const violations: string[] = [];
  try {
    const adapter = await createBlockAdapter({ device, minPartSize: config.minPartSize, unsafeCommitBeforeDataFlush: config.unsafe ?? false });
    const storage = createStorage(adapter);
    for (const group of plan) {
      const before = new Map(model);
      const results = await Promise.allSettled(group.map((op) => execute(storage, op, before)));
      results.forEach((r, i) => {
        const op = group[i]!;
        if (r.status === 'fulfilled') {
          if (r.value !== 'unchanged') model.set(op.key, r.value);
        } else if (medium.crashed) {
          const next = intended(op, before);
          if (next !== 'unchanged') inflight.set(op.key, next);
        } else violations.push(`${where}: ${op.kind} ${op.key} failed before the crash: ${(r.reason as Error).message}`);
      });
      if (medium.crashed) break;
    }
    if (!medium.crashed) await adapter.close();
  } catch (e) {
    if (!medium.crashed) violations.push(`${where}: open failed before the crash: ${(e as Error).message}`);
  }
  if (!medium.crashed) return { crashed: false, points: medium.points, violations };

  // Power is back: recover the surviving image on a healthy device.
  let adapter;
  try {
    adapter = await createBlockAdapter({ device: await openPageDevice(createMemoryMedium(medium.survivor())), minPartSize: config.minPartSize });
  } catch (e) {
    violations.push(`${where}: recovery failed: ${(e as Error).message}`);
    return { crashed: true, points: medium.points, violations };
  }
  const storage = createStorage(adapter);
  const allowed = new Map<string, (Value | null)[]>(CRASH_KEYS.map((k) => [k, inflight.has(k) ? [model.get(k)!, inflight.get(k)!] : [model.get(k)!]]));
  violations.push(...(await checkState(storage, allowed, `${where} after recovery`)));
  const fsck = await fsckStore(adapter.store);
  for (const e of fsck.errors) violations.push(`${where}: fsck: ${e}`);

  // The workload continues on the recovered image.
  try {
    const uploads = await storage.listMultipartUploads();
    for (const u of uploads.uploads) await storage.abortMultipart(u.key, u.uploadId);
    const after = new Map<string, (Value | null)[]>();
    await Promise.all(
      CRASH_KEYS.map(async (key, i) => {
        if (i === 0) {
          await storage.delete(key);
          after.set(key, [null]);
        } else {
          const v = putValue((i * config.pageSize) / 2 + i, seed + 1_000_000 + i);
          await storage.put(key, v.bytes);
          after.set(key, [v]);
        }
      }),
    );
    violations.push(...(await checkState(storage, after, `${where} continuing`)));
    if ((await storage.listMultipartUploads()).uploads.length > 0) violations.push(`${where}: aborted uploads still listed`);
    const again = await fsckStore(adapter.store);
    for (const e of again.errors) violations.push(`${where}: fsck after continuing: ${e}`);
  } catch (e) {
    violations.push(`${where}: continuing failed: ${(e as Error).message}`);
  }
  await adapter.close();
  return { crashed: true, points: medium.points, violations };
}

/** The result of sweeping seeds. */
export interface SweepResult {
  /** Distinct (seed, mode, point) crash points that crashed and were checked. */
  crashPoints: number;
  violations: string[];
}

/** Runs every crash point of `seed`'s workload in each of `modes`. */
export async function sweepSeed(base: Buffer, config: HarnessConfig, seed: number, modes: readonly FaultMode[] = FAULT_MODES, stride = 1): Promise<SweepResult> {
  const dry = await runCrashPoint(base, config, seed, 'drop', Infinity);
  const result: SweepResult = { crashPoints: 0, violations: [...dry.violations] };
  for (const mode of modes) {
    for (let n = 1; n <= dry.points; n += stride) {
      const r = await runCrashPoint(base, config, seed, mode, n);
      if (r.crashed) result.crashPoints++;
      result.violations.push(...r.violations);
    }
  }
  return result;
}
