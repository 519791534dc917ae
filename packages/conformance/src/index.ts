/**
 * `@strata/conformance`: the Strata storage contract as an executable vitest suite any adapter runs in a few
 * lines, plus the helpers it is built from (the awkward-key corpus, deterministic data, streaming digests).
 */
export { describeStorageContract, CONTRACT_GROUPS } from './describe-storage-contract.ts';
export type { ContractGroup } from './describe-storage-contract.ts';
export type { ContractOptions, GroupContext, DeclareCase, ExpectedError } from './context.ts';
export { expectStorageError, expectMissing } from './context.ts';
export { KEY_CORPUS, INVALID_KEYS, keyOfBytes, compareUtf8, sortUtf8 } from './key-corpus.ts';
export type { CorpusKey } from './key-corpus.ts';
export { generateBytes, generateStream, hashStream, expectedDigest, md5Hex, multipartEtagOf, collect } from './data.ts';
export type { GenerateOptions, StreamDigest } from './data.ts';
export { measureGrowth, collectGarbage } from './memory-probe.ts';
export type { MemoryGrowth } from './memory-probe.ts';
export { CHECK_VALUES } from './cases/checksums.ts';
