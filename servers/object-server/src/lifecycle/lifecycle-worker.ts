/**
 * The lifecycle worker: applies every bucket's lifecycle rules in the background, a bounded amount of work per
 * pass (AWS "Managing the lifecycle of objects": S3 applies rules asynchronously, so an object may outlive its
 * expiry for a while; https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html).
 *
 * A pass walks the buckets that have a configuration, in name order, and each bucket's keys in ListObjectVersions
 * order, from a cursor persisted under the reserved prefix after every key it changed and at the end of the pass.
 * A restarted server resumes at the cursor: nothing is skipped, and a key handled again is harmless (its rules
 * read the key's versions afresh, and a removal already done changes nothing). Having visited every bucket,
 * the cursor goes back to the start.
 */
import { compareKeys, hasErrorCode, listObjectVersions, readText } from '@strata/storage';
import type { ServerState } from '../context.ts';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import { abortStaleUploads, applyToKey } from './lifecycle-actions.ts';
import type { BucketScope } from './lifecycle-actions.ts';

const CURSOR_KEY = `${RESERVED_PREFIX}lifecycle-cursor`;

/** Where the next pass starts: a bucket, and the last key of it already handled. */
interface Cursor {
  bucket?: string;
  afterKey?: string;
}

/** What one pass did. */
export interface LifecyclePassResult {
  /** Keys visited. */
  keys: number;
  /** Versions removed, delete markers added, and uploads aborted. */
  actions: number;
  /** Whether the pass reached the end of the last bucket (the next one starts over). */
  completed: boolean;
}

/** Options of {@link createLifecycleWorker}. */
export interface LifecycleWorkerOptions {
  /** Keys (and multipart uploads) one pass visits at most. @default 1000 */
  maxKeysPerPass?: number;
}

/** The background application of lifecycle rules. */
export interface LifecycleWorker {
  /** Runs one pass now (tests call it with a moved clock); passes never overlap. */
  runPass(): Promise<LifecyclePassResult>;
  /** Runs a pass every `intervalMs` until {@link LifecycleWorker.stop}. */
  start(intervalMs: number): void;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

async function readCursor(state: ServerState): Promise<Cursor> {
  try {
    return JSON.parse(await readText(await state.storage.get(CURSOR_KEY))) as Cursor;
  } catch (e) {
    if (hasErrorCode(e, 'NotFound')) return {};
    throw e;
  }
}

async function writeCursor(state: ServerState, cursor: Cursor): Promise<void> {
  await state.storage.put(CURSOR_KEY, JSON.stringify(cursor), { contentType: 'application/json' });
}

/** One pass over the buckets from the persisted cursor. */
async function pass(state: ServerState, budget: number): Promise<LifecyclePassResult> {
  const result: LifecyclePassResult = { keys: 0, actions: 0, completed: false };
  let cursor = await readCursor(state);
  const buckets = (await state.versioning.lifecycle.buckets()).sort(compareKeys);
  for (const bucket of buckets) {
    if (cursor.bucket !== undefined && compareKeys(bucket, cursor.bucket) < 0) continue;
    const config = await state.versioning.lifecycle.get(bucket);
    if (!config) continue;
    const scope: BucketScope = { state, bucket, store: state.versioning.store(bucket), mode: await state.versioning.mode(bucket), config, now: state.versioning.now() };
    let afterKey = cursor.bucket === bucket ? cursor.afterKey : undefined;
    if (afterKey === undefined) {
      const aborted = await abortStaleUploads(scope, budget - result.keys);
      result.actions += aborted;
      result.keys += aborted;
    }
    for (;;) {
      if (result.keys >= budget) {
        await writeCursor(state, { bucket, ...(afterKey !== undefined ? { afterKey } : {}) });
        return result;
      }
      const page = await listObjectVersions(scope.store, { ...(afterKey !== undefined ? { keyMarker: afterKey } : {}), limit: Math.min(1000, budget - result.keys) });
      const keys = [...new Set(page.versions.map((v) => v.key))];
      let handled = 0;
      for (const key of keys) {
        if (result.keys >= budget) break;
        const actions = await applyToKey(scope, key);
        result.keys++;
        result.actions += actions;
        afterKey = key;
        handled++;
        if (actions > 0) await writeCursor(state, { bucket, afterKey });
      }
      // The bucket is done when its listing ended and every key of the last page was handled.
      if ((!page.isTruncated && handled === keys.length) || keys.length === 0) break;
    }
    cursor = {};
  }
  await writeCursor(state, {});
  result.completed = true;
  return result;
}

/** Creates the worker over the server's state. */
export function createLifecycleWorker(state: ServerState, options: LifecycleWorkerOptions = {}): LifecycleWorker {
  const budget = Math.max(1, options.maxKeysPerPass ?? 1000);
  let running: Promise<LifecyclePassResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const runPass = (): Promise<LifecyclePassResult> => {
    running ??= pass(state, budget).finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    runPass,
    start(intervalMs) {
      timer ??= setInterval(() => void runPass().catch(() => undefined), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
