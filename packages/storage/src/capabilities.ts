/**
 * Capabilities are data (like OpenDAL's `Capability`): the front wrapper, the conformance suite and the object
 * server branch on them, never on adapter names. An operation or option an adapter does not declare throws
 * `Unsupported` before any I/O.
 */

/** What a storage honours. */
export interface Capabilities {
  /** `ifNoneMatch: '*'` and `ifMatch` on put, copy and completeMultipart, atomic against concurrent writers. */
  conditionalPut: boolean;
  /** Whether the adapter implements multipart itself (`native`) or the front wrapper stages parts (`emulated`). */
  multipart: 'native' | 'emulated';
  /** The smallest size of every part but the last. S3 and the object server: 5 MiB. */
  minPartSize: number;
  /** Whether copy is done by the medium (`native`) or by the front wrapper as get + put (`emulated`). */
  copy: 'native' | 'emulated';
  /** Object tags stored and returned. */
  tags: boolean;
  /** Flexible checksums (crc32, crc32c, crc64nvme, sha1, sha256) stored and returned. */
  checksums: boolean;
  /** Acknowledged writes survive a process crash (memory: false). */
  durable: boolean;
  /** The largest object the adapter accepts, in bytes, if bounded. */
  maxObjectSize?: number;
  /** The most keys the adapter can hold, if bounded (the block adapter's in-memory index). */
  maxKeys?: number;
  /**
   * The longest key the adapter accepts, in UTF-8 bytes, when it is below the contract's limit. S3 and the
   * object server take 1024 (AWS "Object key naming guidelines"), less any key prefix the adapter adds. The
   * front wrapper refuses longer keys with `InvalidKey` before any I/O. Values above the contract's limit
   * change nothing: keys are never longer than `MAX_KEY_BYTES`.
   * @default 2048 (`MAX_KEY_BYTES`, the contract's limit)
   */
  maxKeyBytes?: number;
}

/** Capabilities of an adapter that implements everything natively and durably. */
export const FULL_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  conditionalPut: true,
  multipart: 'native',
  minPartSize: 5 * 1024 * 1024,
  copy: 'native',
  tags: true,
  checksums: true,
  durable: true,
});

/** Builds a capabilities object from the full set with overrides. */
export function defineCapabilities(overrides: Partial<Capabilities>): Capabilities {
  return { ...FULL_CAPABILITIES, ...overrides };
}
