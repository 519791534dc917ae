/**
 * A lake writer process killed with SIGKILL mid-stream (file adapter): the table a second process opens shows
 * whole batches only, and re-running every batch commits each exactly once.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileStorage } from '@strata/file';
import { createLakeTable, openSnapshot } from '@strata/pipelines';
import { collect } from '../../../packages/pipelines/test/helpers/collect.ts';
import { tempDir } from '../src/backends.ts';

const script = fileURLToPath(new URL('./fixtures/lake-writer-process.ts', import.meta.url));
// cwd: this package, whose node_modules has tsx (the child runs TypeScript source like the tests do).
const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const dirs: { remove(): Promise<void> }[] = [];
afterAll(async () => { for (const d of dirs) await d.remove(); });

/** Runs the writer; kills it with SIGKILL `delayMs` after its `killAfter`-th commit line. */
function runWriter(root: string, batches: number, killAfter?: number, delayMs = 0, metadata: Metadata = 'xattrs'): Promise<{ committed: number[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, root, String(batches), metadata], { cwd: pkgDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const committed: number[] = [];
    let err = '';
    let buf = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^committed (\d+)/.exec(line);
        if (m) committed.push(Number(m[1]));
        if (killAfter !== undefined && committed.length === killAfter) setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ committed, killed: true });
      else if (code === 0) resolve({ committed, killed: false });
      else reject(new Error(`writer exited ${code}: ${err}`));
    });
  });
}

/** Where the file adapter keeps object metadata: extended attributes, or metadata files (its fallback). */
type Metadata = 'xattrs' | 'files';

describe('lake writer process killed (file adapter)', () => {
  it.each([
    [2, 0, 'xattrs'],
    [3, 7, 'xattrs'],
    [4, 15, 'xattrs'],
    [3, 7, 'files'],
    [4, 15, 'files'],
  ] as const)('killed after %i commits (+%i ms), metadata in %s: whole batches only, retry commits each once', async (killAfter, delay, metadata) => {
    const tmp = await tempDir('kill');
    dirs.push(tmp);
    const BATCHES = 40;
    const run = await runWriter(tmp.dir, BATCHES, killAfter, delay, metadata);
    expect(run.killed).toBe(true);
    expect(run.committed.length).toBeGreaterThanOrEqual(killAfter);

    // A second process (here: this one) opens the root after the writer died.
    const storage = createFileStorage({ root: tmp.dir, fsync: 'never', xattrs: metadata === 'xattrs' });
    try {
      const snap = await openSnapshot(storage, { table: 'events' });
      const records = await collect(snap.records());
      const byBatch = new Map<number, number>();
      for (const r of records) byBatch.set(r.batch as number, (byBatch.get(r.batch as number) ?? 0) + 1);
      for (const [batch, n] of byBatch) expect(n, `batch ${batch}`).toBe(5); // never a partial batch
      // Every batch it reported is there; the batches are a prefix 0..k-1.
      expect([...byBatch.keys()].sort((a, b) => a - b)).toEqual([...Array(byBatch.size).keys()]);
      expect(byBatch.size).toBeGreaterThanOrEqual(run.committed.length);

      // The restarted job re-runs every batch from the start: committed ones are skipped by their txn id.
      const table = createLakeTable(storage, { table: 'events', partitionBy: ['dt'], format: 'parquet' });
      let duplicates = 0;
      for (let txn = 0; txn < BATCHES; txn++) {
        const records5 = Array.from({ length: 5 }, (_, i) => ({ dt: `2026-11-${20 + (txn % 3)}`, batch: txn, id: txn * 5 + i }));
        if ((await table.append(records5, { appId: 'writer', txnVersion: txn })).duplicate) duplicates++;
      }
      expect(duplicates).toBe(byBatch.size);
      const after = await collect((await openSnapshot(storage, { table: 'events' })).records());
      expect(after.map((r) => r.id as number).sort((a, b) => a - b)).toEqual([...Array(BATCHES * 5).keys()]);
    } finally {
      await storage.close();
    }
  });

  it('a lake written by one process is read back by another', async () => {
    const tmp = await tempDir('two-proc');
    dirs.push(tmp);
    const run = await runWriter(tmp.dir, 3);
    expect(run).toEqual({ committed: [0, 1, 2], killed: false });
    const storage = createFileStorage({ root: tmp.dir, fsync: 'never' });
    try {
      const snap = await openSnapshot(storage, { table: 'events' });
      expect(snap.version).toBe(2);
      expect(snap.files().map((f) => f.partition.dt).sort()).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
      expect((await collect(snap.records((p) => p.dt === '2026-11-21'))).map((r) => r.id)).toEqual([5, 6, 7, 8, 9]);
    } finally {
      await storage.close();
    }
  });
});
