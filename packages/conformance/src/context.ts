/**
 * The shared machinery of the suite: one storage per describe group (factories can be costly: temp dirs,
 * HTTP servers), unique key prefixes per test so a group's tests share that storage, `skip` by name, scaled
 * timeouts, and assertions on typed errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { isStorageError } from '@strata/storage';
import type { Capabilities, Storage, StorageError, StorageErrorCode, StorageErrorReason } from '@strata/storage';

/** Options of `describeStorageContract`. */
export interface ContractOptions {
  /** Called after each group with its storage, before `close()` (e.g. to remove a bucket). */
  cleanup?: (storage: Storage) => Promise<void>;
  /**
   * Case or group names to skip. A case is skipped when any entry equals its group name, its title, or
   * `"group > title"`, or when an entry ending in `*` is a prefix of `"group > title"`.
   */
  skip?: string[];
  /** Size of the large streamed object (bounded-memory case). @default 268435456 (256 MiB) */
  largeObjectBytes?: number;
  /** Multiplies every case timeout (slow media, remote endpoints). @default 1 */
  timeoutScale?: number;
}

/** What a group's cases receive. */
export interface GroupContext {
  /** The group's storage (created in beforeAll). */
  readonly storage: Storage;
  readonly caps: Capabilities;
  /** A key prefix unique to this call, e.g. `t17-put/`. */
  prefix(label?: string): string;
  readonly options: Required<Pick<ContractOptions, 'largeObjectBytes' | 'timeoutScale'>> & ContractOptions;
  /** True when the case `title` of this group is skipped by `options.skip`. */
  isSkipped(title: string): boolean;
}

/** Declares one group of cases with its own storage. */
export type DeclareCase = (title: string, fn: (t: TestContext) => Promise<void>, timeoutMs?: number) => void;

let counter = 0;

/**
 * Declares `describe(group)` with a storage created before its first case and closed after its last, and
 * passes a case-declaring function that honours `skip` and `timeoutScale`.
 */
export function defineGroup(
  group: string,
  factory: () => Promise<Storage> | Storage,
  options: GroupContext['options'],
  body: (declare: DeclareCase, ctx: GroupContext) => void,
): void {
  let storage: Storage | undefined;
  const ctx: GroupContext = {
    get storage() {
      if (!storage) throw new Error('storage is not ready (used outside a test?)');
      return storage;
    },
    get caps() {
      return ctx.storage.capabilities;
    },
    prefix(label = 't') {
      counter += 1;
      return `${label}-${counter}-${Date.now().toString(36)}/`;
    },
    options,
    isSkipped: (title) => skipped(title),
  };
  function skipped(title: string): boolean {
    const full = `${group} > ${title}`;
    return (options.skip ?? []).some((s) => s === group || s === title || s === full || (s.endsWith('*') && full.startsWith(s.slice(0, -1))));
  }
  describe(group, () => {
    beforeAll(async () => {
      storage = await factory();
    }, 60_000 * options.timeoutScale);
    afterAll(async () => {
      if (!storage) return;
      try {
        await options.cleanup?.(storage);
      } finally {
        await storage.close();
      }
    }, 60_000 * options.timeoutScale);
    const declare: DeclareCase = (title, fn, timeoutMs = 10_000) => {
      (skipped(title) ? it.skip : it)(title, fn, timeoutMs * options.timeoutScale);
    };
    body(declare, ctx);
  });
}

/** What an expected storage error must carry. */
export interface ExpectedError {
  code: StorageErrorCode | StorageErrorCode[];
  reason?: StorageErrorReason;
  op?: string;
  key?: string;
}

/**
 * Awaits `promise` (or calls `fn`) and asserts it throws a {@link StorageError} with the expected code (one of
 * several), reason, op and key. Returns the error for further checks.
 */
export async function expectStorageError(action: Promise<unknown> | (() => unknown), expected: ExpectedError): Promise<StorageError> {
  let error: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`expected a StorageError ${JSON.stringify(expected.code)}, but the operation succeeded`);
  if (!isStorageError(error)) throw new Error(`expected a StorageError ${JSON.stringify(expected.code)}, got ${String(error)}`, { cause: error });
  const codes = Array.isArray(expected.code) ? expected.code : [expected.code];
  expect(codes, `code (message: ${error.message})`).toContain(error.code);
  if (expected.reason !== undefined) expect(error.reason, 'reason').toBe(expected.reason);
  if (expected.op !== undefined) expect(error.op, 'op').toBe(expected.op);
  if (expected.key !== undefined) expect(error.key, 'key').toBe(expected.key);
  return error;
}

/**
 * Skips the running case (reported as skipped, not passed) when the storage lacks a capability the case needs.
 * The capability's absence is itself tested elsewhere (the operation must throw `Unsupported`).
 */
export function requireCapability(t: TestContext, present: boolean, what: string): void {
  if (!present) t.skip(`capability ${what} not declared`);
}

/** Asserts `key` does not exist (head throws `NotFound`). */
export async function expectMissing(storage: Storage, key: string): Promise<void> {
  await expectStorageError(storage.head(key), { code: 'NotFound' });
}
