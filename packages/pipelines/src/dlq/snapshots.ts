/**
 * DLQ snapshots: the failed jobs of a queue, frozen into storage so they can be inspected, compared and
 * redriven later (the SQS dead-letter redrive model, with the snapshot in between).
 *
 * ```
 * <queue>/snapshots/<id>/part-0000.jsonl.gz    gzip'd JSON Lines of failed jobs, create-only
 * <queue>/snapshots/<id>/_COMMIT                the manifest, create-only, written last
 * <queue>/snapshots/<id>/restore-<target>.json restore progress, if-match (see restore.ts)
 * ```
 *
 * A snapshot exists once `_COMMIT` does: a writer that crashes earlier leaves parts nobody lists (`cleanup`
 * removes them after a grace period), and its retry commits a new, complete snapshot. Readers check each
 * part's ETag against the manifest.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from '@strata/storage';
import { getJson, hasErrorCode, listAll, putJsonCreateOnly } from '../internal/objects.ts';
import { gunzipJsonLines, gzipJsonLines, readStream } from '../internal/streams.ts';
import type { FailedJobRecord, FailedJobSource } from './failed-jobs.ts';

/** The `_COMMIT` manifest of a snapshot. */
export interface SnapshotManifest {
  format: 'strata.dlq.snapshot/1';
  queue: string;
  id: string;
  /** The source the jobs were read from (`bullmq:emails`). */
  source: string;
  createdAt: string;
  count: number;
  parts: { key: string; count: number; etag: string; size: number }[];
}

/** Options of {@link createSnapshotStore}. */
export interface SnapshotStoreOptions {
  /** The key prefix of this queue's snapshots (no trailing slash). */
  queue: string;
  signal?: AbortSignal;
}

/** Options of {@link SnapshotStore.snapshot}. */
export interface TakeSnapshotOptions {
  /** Jobs per part. @default 1000 */
  partSize?: number;
}

/** The difference between two snapshots, by job id. */
export interface SnapshotDiff {
  added: string[];
  removed: string[];
  /** Ids in both whose error, attempts, timestamps or payload differ. */
  changed: string[];
}

/** The snapshots of one queue. */
export interface SnapshotStore {
  readonly queue: string;
  /** Reads every failed job of `source` and commits them as a new snapshot. */
  snapshot(source: FailedJobSource, options?: TakeSnapshotOptions): Promise<SnapshotManifest>;
  /** Committed snapshots, oldest first (ids sort by creation time). */
  list(): Promise<SnapshotManifest[]>;
  /** A committed snapshot's manifest; throws `NotFound` for an unknown or uncommitted id. */
  manifest(id: string): Promise<SnapshotManifest>;
  /** The jobs of a committed snapshot, in snapshot order. */
  jobs(id: string): AsyncGenerator<FailedJobRecord>;
  /** Compares two committed snapshots. */
  diff(fromId: string, toId: string): Promise<SnapshotDiff>;
  /** Deletes the parts of uncommitted snapshots older than `graceMs` (crashed writers). */
  cleanup(options?: { graceMs?: number; now?: number }): Promise<string[]>;
}

/** The key prefix of a snapshot. */
export const snapshotPrefix = (queue: string, id: string): string => `${queue}/snapshots/${id}/`;

/** A new snapshot id: UTC time to the millisecond (so ids sort by age), then randomness against collisions. */
export function newSnapshotId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}

/** Opens the snapshot store of one queue. */
export function createSnapshotStore(storage: Storage, options: SnapshotStoreOptions): SnapshotStore {
  const { queue, signal } = options;
  if (queue === '' || queue.endsWith('/')) throw new TypeError(`queue must be non-empty without a trailing '/': ${queue}`);
  const root = `${queue}/snapshots/`;

  async function manifest(id: string): Promise<SnapshotManifest> {
    const res = await storage.get(`${snapshotPrefix(queue, id)}_COMMIT`, { signal });
    return JSON.parse((await readStream(res.body)).toString('utf8')) as SnapshotManifest;
  }

  async function* jobs(id: string): AsyncGenerator<FailedJobRecord> {
    const m = await manifest(id);
    for (const part of m.parts) {
      const res = await storage.get(part.key, { ifMatch: part.etag, signal });
      yield* gunzipJsonLines<FailedJobRecord>(await readStream(res.body));
    }
  }

  async function ids(): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await storage.list({ prefix: root, delimiter: '/', cursor, signal });
      out.push(...page.prefixes.map((p) => p.slice(root.length, -1)));
      cursor = page.cursor;
    } while (cursor !== undefined);
    return out;
  }

  return {
    queue,
    manifest,
    jobs,
    async snapshot(source, snapOptions = {}) {
      const partSize = snapOptions.partSize ?? 1000;
      const id = newSnapshotId();
      const prefix = snapshotPrefix(queue, id);
      const parts: SnapshotManifest['parts'] = [];
      let buffer: FailedJobRecord[] = [];
      let count = 0;
      const flush = async () => {
        const key = `${prefix}part-${String(parts.length).padStart(4, '0')}.jsonl.gz`;
        const bytes = gzipJsonLines(buffer);
        const info = await storage.put(key, bytes, { ifNoneMatch: '*', contentType: 'application/x-ndjson', contentEncoding: 'gzip', signal });
        parts.push({ key, count: buffer.length, etag: info.etag, size: bytes.length });
        buffer = [];
      };
      for await (const job of source.failedJobs()) {
        buffer.push(job);
        count++;
        if (buffer.length >= partSize) await flush();
      }
      if (buffer.length > 0 || parts.length === 0) await flush();
      const m: SnapshotManifest = { format: 'strata.dlq.snapshot/1', queue, id, source: source.name, createdAt: new Date().toISOString(), count, parts };
      // The commit point: until this create-only put succeeds, the snapshot does not exist for readers.
      await putJsonCreateOnly(storage, `${prefix}_COMMIT`, m, signal);
      return m;
    },
    async list() {
      const out: SnapshotManifest[] = [];
      for (const id of await ids()) {
        const m = await getJson<SnapshotManifest>(storage, `${snapshotPrefix(queue, id)}_COMMIT`, signal);
        if (m !== undefined) out.push(m.value);
      }
      return out;
    },
    async diff(fromId, toId) {
      const load = async (id: string) => {
        const map = new Map<string, string>();
        for await (const j of jobs(id)) map.set(j.id, JSON.stringify([j.failedReason, j.attemptsMade, j.finishedOn, j.processedOn, j.data, j.name]));
        return map;
      };
      const [a, b] = await Promise.all([load(fromId), load(toId)]);
      return {
        added: [...b.keys()].filter((k) => !a.has(k)),
        removed: [...a.keys()].filter((k) => !b.has(k)),
        changed: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)),
      };
    },
    async cleanup(cleanOptions = {}) {
      const graceMs = cleanOptions.graceMs ?? 600_000;
      const now = cleanOptions.now ?? Date.now();
      const deleted: string[] = [];
      for (const id of await ids()) {
        const prefix = snapshotPrefix(queue, id);
        try {
          await storage.head(`${prefix}_COMMIT`, { signal });
          continue;
        } catch (e) {
          if (!hasErrorCode(e, 'NotFound')) throw e;
        }
        const items = [];
        for await (const item of listAll(storage, { prefix, signal })) items.push(item);
        // A writer may still be uploading parts: only abandon snapshots whose newest part is past the grace.
        if (items.some((i) => i.lastModified.getTime() > now - graceMs)) continue;
        await storage.deleteMany(items.map((i) => i.key), { signal });
        deleted.push(id);
      }
      return deleted;
    },
  };
}
