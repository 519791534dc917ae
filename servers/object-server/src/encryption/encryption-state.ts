/**
 * What the server keeps for server-side encryption: the SSE-S3 master key (absent: SSE-S3 is refused) and the
 * buckets' default encryption. SSE-C needs nothing kept: the customer sends the key with every request.
 */
import type { Storage } from '@strata/storage';
import { createBucketEncryptionStore } from './bucket-encryption.ts';
import type { BucketEncryptionStore } from './bucket-encryption.ts';
import { createEncryptedBuckets } from './plaintext-sizes.ts';
import type { EncryptedBuckets } from './plaintext-sizes.ts';
import { createUploadRecords } from './upload-records.ts';
import type { UploadRecords } from './upload-records.ts';

/** The encryption part of the server's state. */
export interface EncryptionState {
  /** The 32-byte master key data keys are wrapped with (SSE-S3). */
  masterKey: Buffer | undefined;
  defaults: BucketEncryptionStore;
  /** The records of encrypted multipart uploads in progress. */
  uploads: UploadRecords;
  /** The buckets that may hold encrypted objects (their listings report plaintext sizes). */
  buckets: EncryptedBuckets;
}

/** Creates the encryption state over `storage`. */
export function createEncryptionState(storage: Storage, masterKey: Buffer | undefined): EncryptionState {
  if (masterKey !== undefined && masterKey.length !== 32) throw new Error('sseMasterKey must be 32 bytes');
  return { masterKey, defaults: createBucketEncryptionStore(storage), uploads: createUploadRecords(storage), buckets: createEncryptedBuckets(storage) };
}
