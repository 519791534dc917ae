/** The operations every storage tier offers the benchmark, so workloads are written once. */

/** A tier under measurement. Each method does one complete operation (a get reads every byte). */
export interface BenchTier {
  name: string;
  put(key: string, data: Buffer): Promise<void>;
  /** Reads the whole object; returns the number of bytes read. */
  get(key: string): Promise<number>;
  head(key: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Lists every key under `prefix` (all pages); `delimiter` groups. Returns entries seen. */
  list(prefix: string, delimiter?: string): Promise<number>;
  close(): Promise<void>;
  /** The largest object the tier is measured with, and why (larger sizes skip it); unbounded when absent. */
  maxObject?: { bytes: number; reason: string };
}
