/**
 * Errors of the pipelines themselves (storage failures stay `StorageError`s and propagate unchanged).
 * Branded with `Symbol.for` like `StorageError`, so checks hold across duplicated installs.
 */

const BRAND = Symbol.for('strata.pipelines.error');

/** The closed set of pipeline error codes. */
export type PipelineErrorCode =
  /** Another writer took over the stream, snapshot restore or table: this one must stop (its if-match failed). */
  | 'Fenced'
  /** An optimistic commit lost to a concurrent one that touched the same files (compaction vs. compaction). */
  | 'Conflict'
  /** Stored pipeline data is not what its commit record says (wrong offsets, foreign format, a gap in a log). */
  | 'Corrupted'
  /** A record does not fit the table schema (wrong type, out of range, null in a non-nullable column). */
  | 'SchemaMismatch'
  /** A table needs a protocol version or table feature this package does not implement. */
  | 'Unsupported'
  /** The requested table version does not exist (time travel past the latest version). */
  | 'VersionNotFound';

/** An error raised by a pipeline. */
export class PipelineError extends Error {
  readonly code: PipelineErrorCode;

  constructor(code: PipelineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineError';
    this.code = code;
  }

  /** The brand, read by {@link isPipelineError}. */
  get [BRAND](): true {
    return true;
  }
}

/** True when `value` is a {@link PipelineError} (optionally with this code). */
export function isPipelineError(value: unknown, code?: PipelineErrorCode): value is PipelineError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (value as PipelineError).code === code)
  );
}
