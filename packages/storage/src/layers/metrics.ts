/**
 * `withMetrics`: per-operation call counts, latency histograms (p50/p90/p99/max), errors by code, and bytes
 * in (put/uploadPart bodies, counted as the storage reads them) and out (get bodies, counted as the caller
 * reads them). `metrics.toJSON()` is a plain object for logs, benchmarks and a `/metrics` endpoint.
 * Latency is the time until the call's promise settles (for get: until the stream is handed over).
 */
import { performance } from 'node:perf_hooks';
import { isStorageError } from '../errors.ts';
import type { Body, GetResult, Storage } from '../types.ts';
import { tapReadable, tapStream } from './body-tap.ts';
import { ForwardingStorage, STORAGE_OPERATIONS, isReplayableBody } from './forwarding.ts';
import type { CallInfo, StorageOperation } from './forwarding.ts';
import { LatencyHistogram } from './histogram.ts';
import type { HistogramSnapshot } from './histogram.ts';

/** Options of {@link withMetrics}. */
export interface MetricsOptions {
  /** Milliseconds from an arbitrary origin (inject for deterministic tests). @default performance.now */
  now?: () => number;
}

/** The metrics of one operation, as exported. */
export interface OperationMetrics {
  count: number;
  /** Failed calls by error code (`StorageError.code`, or `other` for foreign errors). */
  errors: Record<string, number>;
  latencyMs: HistogramSnapshot;
}

/** Everything {@link StorageMetrics.toJSON} exports. */
export interface MetricsSnapshot {
  operations: Record<StorageOperation, OperationMetrics>;
  /** Bytes of put and uploadPart bodies read by the storage. */
  bytesIn: number;
  /** Bytes of get bodies read by callers. */
  bytesOut: number;
}

/** Live metrics of a {@link withMetrics} storage. */
export class StorageMetrics {
  readonly #ops = new Map<StorageOperation, { histogram: LatencyHistogram; errors: Map<string, number> }>();
  /** Bytes of put and uploadPart bodies read by the storage so far. */
  bytesIn = 0;
  /** Bytes of get bodies read by callers so far. */
  bytesOut = 0;

  constructor() {
    for (const op of STORAGE_OPERATIONS) this.#ops.set(op, { histogram: new LatencyHistogram(), errors: new Map() });
  }

  /** Records one call. */
  record(op: StorageOperation, ms: number, error?: unknown): void {
    const entry = this.#ops.get(op);
    if (!entry) return;
    entry.histogram.record(ms);
    if (error !== undefined) {
      const code = isStorageError(error) ? error.code : 'other';
      entry.errors.set(code, (entry.errors.get(code) ?? 0) + 1);
    }
  }

  /** The metrics of one operation. */
  operation(op: StorageOperation): OperationMetrics {
    const entry = this.#ops.get(op);
    if (!entry) throw new TypeError(`Unknown storage operation ${op}`);
    const latencyMs = entry.histogram.snapshot();
    return { count: latencyMs.count, errors: Object.fromEntries(entry.errors), latencyMs };
  }

  /** A plain, JSON-serialisable snapshot of every operation and the byte counters. */
  toJSON(): MetricsSnapshot {
    const operations = {} as Record<StorageOperation, OperationMetrics>;
    for (const op of STORAGE_OPERATIONS) operations[op] = this.operation(op);
    return { operations, bytesIn: this.bytesIn, bytesOut: this.bytesOut };
  }

  /** Zeroes every counter and histogram. */
  reset(): void {
    for (const e of this.#ops.values()) {
      e.histogram.reset();
      e.errors.clear();
    }
    this.bytesIn = 0;
    this.bytesOut = 0;
  }
}

/** A storage with live {@link StorageMetrics}. */
export type MeteredStorage = Storage & { readonly metrics: StorageMetrics };

class MetricsStorage extends ForwardingStorage {
  readonly metrics = new StorageMetrics();
  readonly #now: () => number;

  constructor(inner: Storage, now: () => number) {
    super(inner);
    this.#now = now;
  }

  protected override async invoke<T>(call: CallInfo, run: () => Promise<T>): Promise<T> {
    const start = this.#now();
    try {
      const result = await run();
      this.metrics.record(call.op, this.#now() - start);
      return result;
    } catch (error) {
      this.metrics.record(call.op, this.#now() - start, error);
      throw error;
    }
  }

  protected override wrapBody(_op: 'put' | 'uploadPart', body: Body): Body {
    if (isReplayableBody(body)) {
      // Counted once the call is made; a body that the storage refuses before reading is counted as sent.
      this.metrics.bytesIn += typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
      return body;
    }
    return tapStream(body, (n) => {
      this.metrics.bytesIn += n;
    });
  }

  protected override wrapGet(result: GetResult): GetResult {
    return {
      ...result,
      body: tapReadable(result.body, (n) => {
        this.metrics.bytesOut += n;
      }),
    };
  }
}

/** Wraps `storage` so every call is measured; read the numbers from `.metrics`. */
export function withMetrics(storage: Storage, options: MetricsOptions = {}): MeteredStorage {
  return new MetricsStorage(storage, options.now ?? (() => performance.now()));
}
