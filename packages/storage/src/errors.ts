/**
 * The one error family of the storage contract.
 *
 * Every adapter translates its native failures (errno codes, SDK exceptions, device faults) into a
 * {@link StorageError} at its boundary and keeps the original as `cause`. Callers branch on `code`, never on
 * messages or adapter names. The set of codes is closed: tables keyed by {@link StorageErrorCode}
 * (`Record<StorageErrorCode, …>`) fail to compile when a code is added and not mapped.
 */

/**
 * The closed registry of error codes, each with whether retrying the same call may succeed and what it means.
 * Pattern after fastify `lib/errors.js`: one `as const` table, the union derived from it.
 */
export const STORAGE_ERROR_CODES = {
  /** The key (or multipart upload) does not exist. */
  NotFound: { retryable: false, description: 'The object or upload does not exist.' },
  /** A create-only put (`ifNoneMatch: '*'`) found an existing object. */
  AlreadyExists: { retryable: false, description: 'An object already exists at this key.' },
  /** An `ifMatch` / `ifUnmodifiedSince` condition did not hold. */
  PreconditionFailed: { retryable: false, description: 'A precondition on the request did not hold.' },
  /** An `ifNoneMatch` / `ifModifiedSince` condition on a read did not hold: the caller's copy is current. */
  NotModified: { retryable: false, description: 'The object has not been modified since the given validator.' },
  /** The key breaks the key rules (empty, longer than 2048 UTF-8 bytes, NUL, lone surrogate). */
  InvalidKey: { retryable: false, description: 'The key is not a valid storage key.' },
  /** The requested byte range cannot be satisfied (its start lies beyond the end of a non-empty object). */
  InvalidRange: { retryable: false, description: 'The requested range is not satisfiable.' },
  /** An option or body is malformed (bad checksum, part too small, unknown part, bad cursor…). */
  InvalidArgument: { retryable: false, description: 'An argument of the request is invalid.' },
  /** The adapter does not support the operation or option (see its capabilities). */
  Unsupported: { retryable: false, description: 'The adapter does not support this operation or option.' },
  /** The medium refused access (EACCES, EPERM, S3 AccessDenied, a read-only layer). */
  PermissionDenied: { retryable: false, description: 'Access to the object or medium was denied.' },
  /** The medium is full (ENOSPC, EDQUOT, no free pages). */
  NoSpace: { retryable: false, description: 'The storage medium has no space left.' },
  /** Stored data failed an integrity check (checksum, torn page, broken structure). */
  Corrupted: { retryable: false, description: 'Stored data failed an integrity check.' },
  /** The operation was aborted through its AbortSignal. */
  Aborted: { retryable: false, description: 'The operation was aborted by its caller.' },
  /** The backend asked the caller to slow down (S3 SlowDown, HTTP 429/503 throttling). */
  RateLimited: { retryable: true, description: 'The backend is throttling requests.' },
  /** The backend is temporarily unreachable or failed transiently (network reset, HTTP 5xx, EMFILE). */
  Unavailable: { retryable: true, description: 'The backend is temporarily unavailable.' },
} as const satisfies Record<string, { retryable: boolean; description: string }>;

/** One of the closed set of storage error codes. */
export type StorageErrorCode = keyof typeof STORAGE_ERROR_CODES;

/** Every storage error code, in registry order. */
export const storageErrorCodes = Object.keys(STORAGE_ERROR_CODES) as StorageErrorCode[];

/**
 * Finer reasons the object server (and other callers) may need beyond the code, e.g. to choose between S3's
 * `BadDigest` and `InvalidArgument`. Optional: adapters set it where they know it.
 */
export type StorageErrorReason =
  | 'BadDigest'
  | 'EntityTooSmall'
  | 'EntityTooLarge'
  | 'InvalidPart'
  | 'InvalidPartOrder'
  | 'NoSuchUpload'
  | 'IncompleteBody'
  | 'InvalidCursor'
  | 'KeyLimit'
  /** An `InvalidKey` whose only fault is its length (S3 answers KeyTooLongError). */
  | 'KeyTooLong';

/** Options of the {@link StorageError} constructor. */
export interface StorageErrorOptions {
  /** The contract operation that failed (`put`, `get`, `completeMultipart`, …). */
  op?: string;
  /** The key the operation was about, if any. */
  key?: string;
  /** The native error this one translates (errno error, SDK exception, …). */
  cause?: unknown;
  /** A finer reason, see {@link StorageErrorReason}. */
  reason?: StorageErrorReason;
  /** Overrides the registry's retryable flag (e.g. an HTTP 500 that is known to be permanent). */
  retryable?: boolean;
}

const BRAND = Symbol.for('strata.storage.error');

/** Keys longer than this many UTF-16 code units are shortened in messages (the `key` field keeps them whole). */
const MESSAGE_KEY_LENGTH = 200;

/** A key as a message shows it: JSON-quoted (so quotes, newlines and control characters stay visible), shortened. */
function quoteKey(key: string): string {
  if (key.length <= MESSAGE_KEY_LENGTH) return JSON.stringify(key);
  return `${JSON.stringify(key.slice(0, MESSAGE_KEY_LENGTH)).slice(0, -1)}…"`;
}

/**
 * The error thrown by every storage operation. Branded with `Symbol.for('strata.storage.error')` so
 * {@link isStorageError} holds across duplicated installs of this package (like undici's `kUndiciError`).
 *
 * Its `message` names the operation, the key and the code before the description —
 * `get "photos/cat.jpg": NotFound: The object does not exist` — and is composed when read, because the front
 * wrapper fills in `op` and `key` after an adapter built the error, and layers such as `withPrefix` rewrite
 * the key on the way out. `detail` is the description alone (what an S3 error's `Message` should show).
 * Without `op` and `key` the message is the description as given.
 */
export class StorageError extends Error {
  /** The error's code from the closed registry. */
  readonly code: StorageErrorCode;
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean;
  /** The operation that failed, filled in by the front wrapper when the adapter did not. */
  op: string | undefined;
  /** The key concerned, filled in by the front wrapper when the adapter did not. */
  key: string | undefined;
  /** A finer reason, when known. */
  readonly reason: StorageErrorReason | undefined;
  #detail: string;

  constructor(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.code = code;
    this.retryable = options.retryable ?? STORAGE_ERROR_CODES[code].retryable;
    this.op = options.op;
    this.key = options.key;
    this.reason = options.reason;
    this.#detail = message;
    // An own accessor replaces the own data property Error's constructor made; non-enumerable like it. V8
    // formats `stack` on first access, through this getter, so a logged stack names the operation and key too.
    Object.defineProperty(this, 'message', {
      get: (): string => this.#compose(),
      set: (value: unknown) => {
        this.#detail = String(value);
      },
      enumerable: false,
      configurable: true,
    });
  }

  /** The description alone, without the operation, key and code the message starts with. */
  get detail(): string {
    return this.#detail;
  }

  #compose(): string {
    const { op, key } = this;
    if (op === undefined && key === undefined) return this.#detail;
    const where = op === undefined ? quoteKey(key!) : key === undefined ? op : `${op} ${quoteKey(key)}`;
    return `${where}: ${this.code}: ${this.#detail}`;
  }

  /** The brand, read by {@link isStorageError}. */
  get [BRAND](): true {
    return true;
  }
}

/** True when `value` is a {@link StorageError} from any copy of this package. */
export function isStorageError(value: unknown): value is StorageError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** True when `value` is a {@link StorageError} with the given code. */
export function hasErrorCode(value: unknown, code: StorageErrorCode): value is StorageError {
  return isStorageError(value) && value.code === code;
}

/** Shorthand constructor: `storageError('NotFound', 'no such key', { key })`. */
export function storageError(code: StorageErrorCode, message: string, options?: StorageErrorOptions): StorageError {
  return new StorageError(code, message, options);
}

/** Translates an AbortSignal's reason (or an AbortError) into an `Aborted` storage error. */
export function abortedError(signal: AbortSignal | undefined, op?: string, key?: string): StorageError {
  return new StorageError('Aborted', 'The operation was aborted', { op, key, cause: signal?.reason });
}

/** Throws `Aborted` when the signal has fired. Call before I/O and between steps of long operations. */
export function throwIfAborted(signal: AbortSignal | undefined, op?: string, key?: string): void {
  if (signal?.aborted) throw abortedError(signal, op, key);
}
