/**
 * Crash test: the file adapter promises that an acknowledged write survives the writer's death whole, with its
 * own metadata. Run once with metadata in extended attributes and once in metadata files (the fallback): a
 * child process doing puts, overwrites, multipart completes and deletes
 * (including keys that force file → directory conversions) is killed with SIGKILL at random moments, 50 times.
 * After each kill the root is reopened in this process — the dead child's lock must be taken over — and every
 * acknowledged write must be present and byte-exact with its own metadata (or replaced by the one write in
 * flight for that key), no partial object may be readable, nothing but known keys may be listed, and the
 * staging area must be empty.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasErrorCode, readBytes } from '@strata/storage';
import { META_DIR, STAGING_DIR, openFileStorage } from '../src/index.ts';

const KILLS = 50;
const dir = mkdtempSync(join(tmpdir(), 'strata-file-crash-'));
const script = join(dir, 'child.cjs');
/** Where the child keeps metadata: extended attributes, or metadata files (the fallback). */
type Metadata = 'xattrs' | 'files';

beforeAll(async () => {
  // Bundled once so each restart is a plain `node` start (~0.1 s) rather than a TypeScript loader (~0.7 s).
  // The native xattr binding stays outside the bundle; the child finds it through NODE_PATH. The workspace's
  // packages are bundled from their sources (the `@strata/source` condition), as the tests import them, not
  // from whatever dist/ was last built.
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures/crash-child.ts')],
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

/** What may be stored under a key: the last acknowledged value, or the value of the write in flight. */
interface KeyState {
  acked: string | undefined; // md5, or undefined for absent (never written or deleted)
  inflight: string | undefined | null; // null: nothing in flight
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the child until it is ready, lets it write for a random moment, SIGKILLs it; returns its log. */
async function runAndKill(root: string, metadata: Metadata, seed: number, states: Map<string, KeyState>): Promise<number> {
  const child = spawn(process.execPath, [script, root, String(seed), metadata], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_PATH: join(import.meta.dirname, '../node_modules') } });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let current: string | undefined;
  let acks = 0;
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (line === 'R') return ready();
    if (line === 'A' && current !== undefined) {
      const s = states.get(current) as KeyState;
      states.set(current, { acked: s.inflight ?? undefined, inflight: null });
      current = undefined;
      acks++;
      return;
    }
    const m = /^B (".*") (\w+)$/.exec(line);
    if (!m) return;
    current = JSON.parse(m[1] as string) as string;
    const s = states.get(current) ?? { acked: undefined, inflight: null };
    states.set(current, { acked: s.acked, inflight: m[2] === 'DEL' ? undefined : m[2] });
  });
  await Promise.race([isReady, exited]);
  await sleep(20 + Math.floor(Math.random() * 130));
  child.kill('SIGKILL');
  await exited; // reaped: its pid is no longer alive, so the lock is stale
  await new Promise<void>((r) => (lines.once('close', r), child.stdout.readableEnded && r()));
  return acks;
}

describe.each(['xattrs', 'files'] as const)('crash safety under SIGKILL, metadata in %s', (metadata) => {
  it(`keeps every acknowledged write, with its metadata, across ${KILLS} kills`, async () => {
    const root = join(dir, metadata);
    const states = new Map<string, KeyState>();
    let totalAcks = 0;
    for (let round = 0; round < KILLS; round++) {
      totalAcks += await runAndKill(root, metadata, round * 7919 + 1, states);
      const storage = await openFileStorage({ root, fsync: 'never', minPartSize: 1024, xattrs: metadata === 'xattrs' });
      try {
        expect(readdirSync(join(root, STAGING_DIR))).toEqual([]);
        const listed = (await storage.list({ limit: 1000 })).items.map((i) => i.key);
        for (const key of listed) expect(states.has(key), `unknown key listed: ${key}`).toBe(true);
        for (const [key, s] of states) {
          const allowed = new Set([s.acked, ...(s.inflight === null ? [] : [s.inflight])]);
          let got: string | undefined;
          try {
            const r = await storage.get(key);
            got = createHash('md5').update(await readBytes(r)).digest('hex');
            // Metadata and bytes were published together: never one write's type with another's bytes.
            expect(r.info.contentType, `round ${round}, key ${key}: metadata of other bytes`).toBe(`application/x-${got}`);
          } catch (e) {
            if (!hasErrorCode(e, 'NotFound')) throw e;
          }
          expect(allowed.has(got), `round ${round}, key ${key}: got ${got}, allowed ${[...allowed].join(' or ')}`).toBe(true);
          expect(listed.includes(key)).toBe(got !== undefined);
          // What survived is now the acknowledged state for the next round.
          states.set(key, { acked: got, inflight: null });
        }
        if (metadata === 'xattrs') expect(existsSync(join(root, META_DIR)), 'no metadata file on the xattr path').toBe(false);
        else expect(readdirSync(join(root, META_DIR)).length).toBeGreaterThan(0);
      } finally {
        await storage.close();
      }
    }
    expect(totalAcks).toBeGreaterThan(KILLS);
  }, 120_000);
});
