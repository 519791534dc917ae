/**
 * `describeStorageContract`: the storage contract (docs/architecture.md, "The storage contract") as vitest cases.
 * Call it at the top level of a test file; each group below gets a fresh storage from the factory, and every
 * case works under its own key prefix. Like unstorage `test/drivers/utils.ts` and OpenDAL's behavior tests,
 * cases branch on `storage.capabilities`, never on adapter names.
 */
import { describe } from 'vitest';
import type { Storage } from '@strata/storage';
import { defineGroup } from './context.ts';
import type { ContractOptions, DeclareCase, GroupContext } from './context.ts';
import { abortCases } from './cases/abort.ts';
import { atomicityCases } from './cases/atomicity.ts';
import { checksumCases } from './cases/checksums.ts';
import { conditionalPutCases } from './cases/conditional-put.ts';
import { copyCases, deleteCases } from './cases/copy-delete.ts';
import { errorCases } from './cases/errors.ts';
import { existsMoveCases } from './cases/exists-move.ts';
import { keyCases } from './cases/keys.ts';
import { largeCases } from './cases/large.ts';
import { listAllCases } from './cases/list-all.ts';
import { listCases } from './cases/list.ts';
import { metadataCases } from './cases/metadata.ts';
import { multipartCases } from './cases/multipart.ts';
import { putGetCases } from './cases/put-get.ts';
import { rangeCases } from './cases/ranges.ts';
import { readConditionCases } from './cases/read-conditions.ts';
import { versioningCases } from './cases/versioning.ts';

/** A group of the suite: its name and the function declaring its cases. */
export interface ContractGroup {
  name: string;
  declare: (it: DeclareCase, ctx: GroupContext, factory: () => Promise<Storage> | Storage) => void;
}

/** The groups of the suite, in run order. Names are stable: use them in `skip`. */
export const CONTRACT_GROUPS: readonly ContractGroup[] = Object.freeze([
  { name: 'keys', declare: keyCases },
  { name: 'list', declare: listCases },
  { name: 'put and get', declare: putGetCases },
  { name: 'ranges', declare: rangeCases },
  { name: 'read conditions', declare: readConditionCases },
  { name: 'conditional put', declare: conditionalPutCases },
  { name: 'atomicity', declare: atomicityCases },
  { name: 'abort signal', declare: abortCases },
  { name: 'errors', declare: errorCases },
  { name: 'metadata', declare: metadataCases },
  { name: 'checksums', declare: checksumCases },
  { name: 'copy', declare: copyCases },
  { name: 'delete', declare: deleteCases },
  { name: 'exists and move', declare: existsMoveCases },
  { name: 'listAll', declare: listAllCases },
  { name: 'multipart', declare: multipartCases },
  { name: 'large objects', declare: largeCases },
  { name: 'versioning', declare: versioningCases },
]);

/**
 * Declares the contract suite for one storage.
 *
 * @param name shown as the outer describe block (`memory`, `file on tmpdir`, `s3 → object server`)
 * @param factory returns a new, empty storage; called once per group (17 groups), closed after it
 * @param options `cleanup` before each close, `skip` case or group names, `largeObjectBytes`, `timeoutScale`
 *
 * @example
 * ```ts
 * import { describeStorageContract } from '@strata/conformance';
 * import { createMemoryStorage } from '@strata/storage';
 * describeStorageContract('memory', () => createMemoryStorage({ minPartSize: 1024 }));
 * ```
 */
export function describeStorageContract(name: string, factory: () => Promise<Storage> | Storage, options: ContractOptions = {}): void {
  const resolved = { ...options, largeObjectBytes: options.largeObjectBytes ?? 256 * 1024 * 1024, timeoutScale: options.timeoutScale ?? 1 };
  describe(`storage contract: ${name}`, () => {
    for (const group of CONTRACT_GROUPS) {
      defineGroup(group.name, factory, resolved, (it, ctx) => group.declare(it, ctx, factory));
    }
  });
}
