/**
 * Crash safety of versioned writes: a seeded workload of versioned puts (Enabled and Suspended), multipart
 * completions (assembled at the plain key, inside the version change), delete markers and permanent version
 * deletes runs over a storage that crashes at its Nth write — before the write
 * lands, or after it lands but before its caller hears — for every N of the workload. The survivor is then
 * reopened (a new store over the same objects, `recover()`), and checked:
 *  1. no acknowledged version is lost and no version is visible that was never acknowledged, save the one
 *     operation in flight at the crash, which shows entirely or not at all;
 *  2. every version reads back with its bytes (MD5 = its ETag);
 *  3. each plain (current) object equals the current version, and is absent behind a delete marker;
 *  4. ListObjectVersions shows exactly what per-key reads show;
 *  5. recovery leaves no intent and no bytes that no version names;
 *  6. the store takes new writes afterwards.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage, hasErrorCode, listObjectVersions, readBytes, VersionStore } from '../../src/index.ts';
import type { CompletedPart, Storage, VersioningMode } from '../../src/index.ts';
import { withCrashAtWrite } from './crash-storage.ts';
import type { CrashMode } from './crash-storage.ts';

const OPTIONS = { plainPrefix: 'bkt/', metaPrefix: '.meta/bkt/' };
const KEYS = ['a', 'b/c', 'b/d', 'e'];
/** Keys holding a plain object before versioning was enabled (their null version). */
const PRE_EXISTING = ['a', 'e'];

type Op =
  | { kind: 'put'; key: string; mode: VersioningMode; body: string }
  | { kind: 'mpu'; key: string; mode: VersioningMode; parts: [string, string] }
  | { kind: 'mark'; key: string; mode: VersioningMode }
  | { kind: 'purge'; key: string; pick: number };

interface Entry {
  id: string;
  marker: boolean;
  etag: string;
}
type Model = Map<string, Entry[]>;

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
/** Every multipart part but the last is this long, so a check can split the assembled bytes again. */
const PART = 16;
/** The ETag of a two-part upload: the MD5 of the parts' MD5s, then `-2`. */
const mpuEtag = (first: string | Buffer, second: string | Buffer) =>
  `${createHash('md5').update(createHash('md5').update(first).digest()).update(createHash('md5').update(second).digest()).digest('hex')}-2`;
/** Whether `bytes` are what a version with `etag` must hold. */
const matchesEtag = (bytes: Buffer, etag: string) => (etag.endsWith('-2') ? mpuEtag(bytes.subarray(0, PART), bytes.subarray(PART)) : md5(bytes)) === etag;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function plan(seed: number, count: number): Op[] {
  const r = rng(seed);
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    const key = KEYS[Math.floor(r() * KEYS.length)] as string;
    const mode: VersioningMode = r() < 0.75 ? 'Enabled' : 'Suspended';
    const roll = r();
    if (roll < 0.4) ops.push({ kind: 'put', key, mode, body: `${key}#${seed}.${i}` });
    else if (roll < 0.6) ops.push({ kind: 'mpu', key, mode, parts: [`${key}#${seed}.${i}`.padEnd(PART, '.'), `tail ${i}`] });
    else if (roll < 0.8) ops.push({ kind: 'mark', key, mode });
    else ops.push({ kind: 'purge', key, pick: Math.floor(r() * 4) });
  }
  return ops;
}

function initialModel(): Model {
  const m: Model = new Map(KEYS.map((k) => [k, []]));
  for (const k of PRE_EXISTING) m.set(k, [{ id: 'null', marker: false, etag: md5(`${k}#before`) }]);
  return m;
}

/** The version a purge removes: an index into the key's versions, or none when it has fewer. */
const purgeTarget = (model: Model, op: { key: string; pick: number }) => model.get(op.key)?.[op.pick];

/** `model` after `op`, whose new version got id `id` ('?' when unknown: the operation in flight). */
function apply(model: Model, op: Op, id: string): Model {
  const next = new Map(model);
  const versions = model.get(op.key) ?? [];
  if (op.kind === 'purge') {
    const gone = purgeTarget(model, op);
    next.set(op.key, versions.filter((v) => v !== gone));
    return next;
  }
  const entry: Entry =
    op.kind === 'put' ? { id, marker: false, etag: md5(op.body) } : op.kind === 'mpu' ? { id, marker: false, etag: mpuEtag(...op.parts) } : { id, marker: true, etag: '' };
  const rest = op.mode === 'Suspended' ? versions.filter((v) => v.id !== 'null') : versions;
  next.set(op.key, [entry, ...rest]);
  return next;
}

/**
 * A multipart completion the way the object server runs it: the upload is started for the plain key, and
 * storage assembles it there inside the store's change. `outside` completes it first and records it after
 * (the order that left a half-made version), for the negative control.
 */
async function completeUpload(store: VersionStore, op: Extract<Op, { kind: 'mpu' }>, outside = false): Promise<string> {
  const storage = store.storage;
  const plainKey = store.plainKey(op.key);
  const { uploadId } = await storage.startMultipart(plainKey);
  const parts: CompletedPart[] = [];
  for (const [i, body] of op.parts.entries()) parts.push({ partNumber: i + 1, etag: (await storage.uploadPart(plainKey, uploadId, i + 1, body)).etag });
  if (!outside) return (await store.completeAtPlain(op.key, op.mode, (target) => storage.completeMultipart(target, uploadId, parts))).versionId;
  await storage.completeMultipart(plainKey, uploadId, parts);
  return (await store.write(op.key, op.mode, {}, (dataKey) => storage.copy(plainKey, dataKey))).versionId;
}

async function execute(store: VersionStore, model: Model, op: Op, outside = false): Promise<string> {
  if (op.kind === 'put') return (await store.put(op.key, op.body, op.mode)).versionId;
  if (op.kind === 'mpu') return completeUpload(store, op, outside);
  if (op.kind === 'mark') return (await store.delete(op.key, op.mode)).versionId as string;
  const target = purgeTarget(model, op);
  if (target) await store.delete(op.key, 'Enabled', target.id);
  return '';
}

async function seeded(): Promise<Storage> {
  const storage = createMemoryStorage({ minPartSize: 1 });
  for (const k of PRE_EXISTING) await storage.put(`${OPTIONS.plainPrefix}${k}`, `${k}#before`);
  return storage;
}

/** Runs the workload until it ends or the storage dies; the acknowledged model and the operation in flight. */
async function runUntilCrash(storage: Storage, ops: Op[], outside = false): Promise<{ model: Model; inFlight: Op | undefined; modelBefore: Model }> {
  const store = new VersionStore(storage, OPTIONS);
  let model = initialModel();
  for (const op of ops) {
    try {
      const id = await execute(store, model, op, outside);
      model = apply(model, op, id);
    } catch (e) {
      if (!hasErrorCode(e, 'Unavailable')) throw e;
      return { model, inFlight: op, modelBefore: model };
    }
  }
  return { model, inFlight: undefined, modelBefore: model };
}

const sameVersions = (actual: Entry[], expected: Entry[]) =>
  actual.length === expected.length && actual.every((a, i) => {
    const e = expected[i] as Entry;
    return (e.id === '?' ? a.id !== 'null' : a.id === e.id) && a.marker === e.marker && a.etag === e.etag;
  });

/** Checks the reopened store; answers the violations found (empty when none). */
async function check(storage: Storage, model: Model, inFlight: Op | undefined, recover = true): Promise<string[]> {
  const problems: string[] = [];
  const store = new VersionStore(storage, OPTIONS);
  if (recover) await store.recover();
  const candidates = [model, ...(inFlight ? [apply(model, inFlight, inFlight.kind !== 'purge' && inFlight.mode === 'Suspended' ? 'null' : '?')] : [])];
  const actual = new Map<string, Entry[]>();
  for (const key of KEYS) {
    actual.set(key, (await store.versionsOf(key)).map((v) => ({ id: v.id, marker: v.marker === true, etag: v.etag })));
  }
  if (!candidates.some((c) => KEYS.every((k) => sameVersions(actual.get(k) ?? [], c.get(k) ?? [])))) {
    problems.push(`versions ${JSON.stringify([...actual])} match no allowed state ${JSON.stringify(candidates.map((c) => [...c]))}`);
  }
  for (const key of KEYS) {
    const versions = actual.get(key) ?? [];
    for (const v of versions) {
      if (v.marker) continue;
      const bytes = await readBytes(await store.get(key, v.id));
      if (!matchesEtag(bytes, v.etag)) problems.push(`${key}@${v.id}: bytes do not match the etag`);
    }
    const current = versions[0];
    const plain = await storage.get(`${OPTIONS.plainPrefix}${key}`).then(readBytes, (e: unknown) => (hasErrorCode(e, 'NotFound') ? undefined : Promise.reject(e)));
    if (current && !current.marker) {
      if (plain === undefined || !matchesEtag(plain, current.etag)) problems.push(`${key}: plain object is not the current version`);
    } else if (plain !== undefined) problems.push(`${key}: plain object visible behind ${current ? 'a delete marker' : 'no version'}`);
  }
  const listed = await listObjectVersions(store, { limit: 1000 });
  const fromList = new Map<string, Entry[]>();
  for (const v of listed.versions) fromList.set(v.key, [...(fromList.get(v.key) ?? []), { id: v.versionId, marker: v.deleteMarker, etag: v.etag }]);
  for (const key of KEYS) if (!sameVersions(fromList.get(key) ?? [], actual.get(key) ?? [])) problems.push(`${key}: listing differs from reads`);
  const referenced = new Set<string>();
  for (const key of KEYS) for (const v of (await store.readIndex(key))?.versions ?? []) if (v.data) referenced.add(v.data);
  for (const item of (await storage.list({ prefix: `${OPTIONS.metaPrefix}d/` })).items) {
    if (!referenced.has(item.key.slice(`${OPTIONS.metaPrefix}d/`.length))) problems.push(`orphan bytes ${item.key}`);
  }
  if ((await storage.list({ prefix: `${OPTIONS.metaPrefix}j/` })).items.length > 0) problems.push('intents left after recovery');
  // The workload goes on: a new version of every key is written and read back.
  for (const key of KEYS) {
    const { versionId } = await store.put(key, `${key}#after`, 'Enabled');
    if ((await readBytes(await store.get(key, undefined))).toString() !== `${key}#after`) problems.push(`${key}: write after recovery lost`);
    if ((await store.versionsOf(key))[0]?.id !== versionId) problems.push(`${key}: new version is not current`);
  }
  return problems;
}

const SEEDS = [1, 2, 3, 4, 5, 6];
const OPS = 40;

describe('versioned writes survive a crash at every write', () => {
  let points = 0;
  let completionPoints = 0;
  it.each(SEEDS)('seed %i: every crash point, both modes, zero violations', async (seed) => {
    const ops = plan(seed, OPS);
    const healthy = withCrashAtWrite(await seeded(), Infinity, 'before');
    const done = await runUntilCrash(healthy, ops);
    expect(done.inFlight).toBeUndefined();
    expect(await check(healthy, done.model, undefined)).toEqual([]);
    const total = healthy.writes;
    const violations: string[] = [];
    for (const mode of ['before', 'after'] as CrashMode[]) {
      for (let n = 1; n <= total; n++) {
        const raw = await seeded();
        const { model, inFlight } = await runUntilCrash(withCrashAtWrite(raw, n, mode), ops);
        for (const p of await check(raw, model, inFlight)) violations.push(`seed ${seed} ${mode} write ${n}: ${p}`);
        points++;
        if (inFlight?.kind === 'mpu') completionPoints++;
      }
    }
    expect(violations.slice(0, 5)).toEqual([]);
    expect(total).toBeGreaterThan(150);
  });
  it('covered at least 2,000 crash points', () => {
    expect(points).toBeGreaterThanOrEqual(2000);
    // Crashes inside multipart completions: every write of one (start, parts, intent, assembly, copy, index…).
    expect(completionPoints).toBeGreaterThanOrEqual(400);
    console.info(`crash points: ${points}, inside multipart completions: ${completionPoints}`);
  });
  it('negative control: without recovery the checker finds violations', async () => {
    const ops = plan(1, OPS);
    let found = 0;
    for (let n = 1; n <= 60; n++) {
      const raw = await seeded();
      const { model, inFlight } = await runUntilCrash(withCrashAtWrite(raw, n, 'after'), ops);
      if ((await check(raw, model, inFlight, false)).length > 0) found++;
    }
    expect(found).toBeGreaterThan(0);
  });
  it('negative control: a completion assembled before its change begins leaves half-made versions the checker finds', async () => {
    const ops = plan(1, OPS);
    expect(ops.some((op) => op.kind === 'mpu')).toBe(true);
    let found = 0;
    for (let n = 1; n <= 120; n++) {
      const raw = await seeded();
      const { model, inFlight } = await runUntilCrash(withCrashAtWrite(raw, n, 'after'), ops, true);
      if ((await check(raw, model, inFlight)).length > 0) found++;
    }
    expect(found).toBeGreaterThan(0);
  });
});
