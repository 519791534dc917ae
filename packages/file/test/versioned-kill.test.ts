/**
 * Versioning under SIGKILL, over real files: a child process runs a versioned workload through the version
 * store over the file adapter — puts (Enabled and Suspended), multipart completions, delete markers and
 * permanent deletes of a version — and is killed with SIGKILL at a random moment, 30 times. After each kill
 * the root is reopened here and the store recovered (as a restarted server does), then:
 *  1. every key's versions are the acknowledged ones, plus at most the one operation in flight, whole;
 *  2. every version reads back with its bytes;
 *  3. the plain (current) object is the latest version's bytes, and absent behind a delete marker;
 *  4. ListObjectVersions answers exactly the per-key versions, the first of each key marked latest;
 *  5. nothing is orphaned: no intent left, no version bytes that no index names, no plain object that is not
 *     a current version.
 * (AWS "Using versioning in S3 buckets": https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html.)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasErrorCode, listObjectVersions, readBytes, VersionStore } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { openFileStorage } from '../src/index.ts';
import { LAYOUT, VERSIONED_KEYS } from './fixtures/versioned-workload.ts';
import type { VersionedOp } from './fixtures/versioned-workload.ts';

const KILLS = 30;
const dir = mkdtempSync(join(tmpdir(), 'strata-versioned-kill-'));
const script = join(dir, 'child.cjs');

beforeAll(async () => {
  // Bundled once, from the workspace's sources, so each restart is a plain `node` start (see crash.test.ts).
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures/versioned-kill-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: script,
    logLevel: 'silent',
    external: ['@napi-rs/xattr'],
    conditions: ['@strata/source'],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One version as the checker models it (a delete marker has no ETag); bytes are checked by ETag → MD5. */
interface Entry {
  id: string;
  marker: boolean;
  etag: string;
}
type Model = Map<string, Entry[]>;

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `versions` after `op`, whose new version got `id` ('?' when the operation was in flight: any new id). */
function applied(versions: Entry[], op: VersionedOp, id: string): Entry[] {
  if (op.kind === 'purge') return versions.filter((v) => v.id !== op.versionId);
  const entry: Entry = op.kind === 'mark' ? { id, marker: true, etag: '' } : { id, marker: false, etag: op.etag };
  return [entry, ...(op.mode === 'Suspended' ? versions.filter((v) => v.id !== 'null') : versions)];
}

const sameVersions = (actual: Entry[], expected: Entry[]) =>
  actual.length === expected.length &&
  actual.every((a, i) => {
    const e = expected[i] as Entry;
    return (e.id === '?' ? a.id !== 'null' : a.id === e.id) && a.marker === e.marker && a.etag === e.etag;
  });

/** Runs the child until it is ready, lets it write for a random moment, SIGKILLs it; acks and the op in flight. */
async function runAndKill(root: string, seed: number, model: Model, md5ByEtag: Map<string, string>): Promise<{ acks: number; inFlight: VersionedOp | undefined }> {
  const child = spawn(process.execPath, [script, root, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_PATH: join(import.meta.dirname, '../node_modules') } });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let inFlight: VersionedOp | undefined;
  let acks = 0;
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (line === 'R') return ready();
    if (line.startsWith('B ')) {
      inFlight = JSON.parse(line.slice(2)) as VersionedOp;
      if (inFlight.kind === 'put' || inFlight.kind === 'mpu') md5ByEtag.set(inFlight.etag, inFlight.md5);
      return;
    }
    if (line.startsWith('A ') && inFlight) {
      model.set(inFlight.key, applied(model.get(inFlight.key) ?? [], inFlight, line.slice(2)));
      inFlight = undefined;
      acks++;
    }
  });
  await Promise.race([isReady, exited]);
  await sleep(30 + Math.floor(Math.random() * 170));
  child.kill('SIGKILL');
  await exited;
  await new Promise<void>((r) => (lines.once('close', r), child.stdout.readableEnded && r()));
  return { acks, inFlight };
}

const readOrUndefined = (storage: Storage, key: string) => storage.get(key).then(readBytes, (e: unknown) => (hasErrorCode(e, 'NotFound') ? undefined : Promise.reject(e)));

async function listKeys(storage: Storage, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.list({ prefix, cursor });
    out.push(...page.items.map((i) => i.key.slice(prefix.length)));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return out;
}

/** Checks the recovered store against the model; the versions found, and the violations. */
async function check(storage: Storage, model: Model, inFlight: VersionedOp | undefined, md5ByEtag: Map<string, string>): Promise<{ actual: Model; problems: string[] }> {
  const store = new VersionStore(storage, LAYOUT);
  await store.recover();
  const problems: string[] = [];
  const actual: Model = new Map();
  for (const key of VERSIONED_KEYS) {
    const versions = (await store.versionsOf(key)).map((v) => ({ id: v.id, marker: v.marker === true, etag: v.etag }));
    actual.set(key, versions);
    const acked = model.get(key) ?? [];
    const allowed = [acked, ...(inFlight?.key === key ? [applied(acked, inFlight, inFlight.kind !== 'purge' && inFlight.mode === 'Suspended' ? 'null' : '?')] : [])];
    if (!allowed.some((a) => sameVersions(versions, a))) problems.push(`${key}: versions ${JSON.stringify(versions)} are none of ${JSON.stringify(allowed)}`);
    for (const v of versions) {
      if (v.marker) continue;
      const bytes = await readBytes(await store.get(key, v.id));
      if (md5(bytes) !== md5ByEtag.get(v.etag)) problems.push(`${key}@${v.id}: bytes are not the version's`);
    }
    const current = versions[0];
    const plain = await readOrUndefined(storage, store.plainKey(key));
    if (current && !current.marker) {
      if (plain === undefined || md5(plain) !== md5ByEtag.get(current.etag)) problems.push(`${key}: the plain object is not the latest version`);
    } else if (plain !== undefined) problems.push(`${key}: a plain object is visible behind ${current ? 'a delete marker' : 'no version'}`);
  }
  const listed = await listObjectVersions(store, { limit: 1000 });
  for (const key of VERSIONED_KEYS) {
    const mine = listed.versions.filter((v) => v.key === key);
    if (!sameVersions(mine.map((v) => ({ id: v.versionId, marker: v.deleteMarker, etag: v.etag })), actual.get(key) ?? [])) problems.push(`${key}: ListObjectVersions differs from the key's versions`);
    if (mine.some((v, i) => v.isLatest !== (i === 0))) problems.push(`${key}: IsLatest is not on the newest version only`);
  }
  const referenced = new Set(await referencedData(store));
  for (const id of await listKeys(storage, `${LAYOUT.metaPrefix}d/`)) if (!referenced.has(id)) problems.push(`orphan version bytes ${id}`);
  if ((await listKeys(storage, `${LAYOUT.metaPrefix}j/`)).length > 0) problems.push('intents left after recovery');
  const live = VERSIONED_KEYS.filter((k) => actual.get(k)?.[0]?.marker === false);
  const plainListed = await listKeys(storage, LAYOUT.plainPrefix);
  if (JSON.stringify(plainListed) !== JSON.stringify([...live].sort())) problems.push(`plain listing ${JSON.stringify(plainListed)} is not the live keys ${JSON.stringify(live)}`);
  return { actual, problems };
}

async function referencedData(store: VersionStore): Promise<string[]> {
  const ids: string[] = [];
  for (const key of VERSIONED_KEYS) for (const v of (await store.readIndex(key))?.versions ?? []) if (v.data) ids.push(v.data);
  return ids;
}

describe('versioning under SIGKILL over the file adapter', () => {
  it(`keeps every acknowledged version, and no half-made one, across ${KILLS} kills`, async () => {
    const root = join(dir, 'root');
    let model: Model = new Map();
    const md5ByEtag = new Map<string, string>();
    let acks = 0;
    const inFlightKinds: string[] = [];
    const violations: string[] = [];
    for (let round = 0; round < KILLS; round++) {
      const run = await runAndKill(root, round * 7919 + 1, model, md5ByEtag);
      acks += run.acks;
      if (run.inFlight) inFlightKinds.push(run.inFlight.kind);
      const storage = await openFileStorage({ root, fsync: 'never', minPartSize: 1024 });
      try {
        const { actual, problems } = await check(storage, model, run.inFlight, md5ByEtag);
        violations.push(...problems.map((p) => `round ${round}: ${p}`));
        model = actual; // what survived is the acknowledged state of the next round
      } finally {
        await storage.close();
      }
    }
    expect(violations).toEqual([]);
    expect(acks).toBeGreaterThan(KILLS);
    console.info(`versioned kill test: ${KILLS} kills, ${acks} acknowledged operations, in flight at the kills: ${inFlightKinds.join(' ')}`);
  }, 240_000);
});
