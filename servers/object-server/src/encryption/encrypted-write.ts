/**
 * Writing an encrypted object: a fresh data key and base nonce per object, the plaintext sealed into segments
 * as it streams (segment-cipher.ts), the record with the wrapped key in the object's metadata (sse-record.ts).
 *
 * The ETag S3 reports ("Checking object integrity", ETag: "Objects encrypted by SSE-S3 … have ETags that are an
 * MD5 digest of their object data"; "Objects created by … SSE-C … have ETags that are not an MD5 digest"): for
 * SSE-S3 the plaintext's MD5, kept in the sealed footer; for SSE-C the stored bytes' MD5, which is not the
 * plaintext's.
 */
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ServerState } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { KEY_BYTES, customerKeyHmac, wrapKey } from './key-wrap.ts';
import { createSealStream } from './segment-cipher.ts';
import { SSE_RECORD_NAME, encodeRecord } from './sse-record.ts';
import type { SseRecord } from './sse-record.ts';
import { sseResponseHeaders } from './sse-request.ts';
import type { SseRequest } from './sse-request.ts';

/** A plaintext stream turned into what storage is given. */
export interface SealedWrite {
  /** The sealed bytes. */
  body: Readable;
  /** The metadata entry holding the object's encryption record. */
  metadataEntry: Record<string, string>;
  /** The encryption headers of the answer. */
  responseHeaders: Record<string, string>;
  /** The ETag S3 reports for the object, given the stored bytes' ETag (call once the put has finished). */
  etagOf(storedEtag: string): string;
}

/** The master key, or S3's answer to SSE-S3 on a server started without one. */
export function masterKeyOf(state: ServerState): Buffer {
  const key = state.encryption?.masterKey;
  if (key === undefined) throw new S3Error('NotImplemented', 'SSE-S3 needs a master key: start the server with --sse-master-key-file or STRATA_SSE_MASTER_KEY.');
  return key;
}

/** A new object's (or multipart upload's) data key, base nonce and the record holding them, wrapped. */
export interface NewSealing {
  dataKey: Buffer;
  nonce: Buffer;
  record: SseRecord;
}

/** Draws a fresh data key and base nonce for the encryption `sse` asks for and wraps the key into a record. */
export function newSealing(state: ServerState, sse: SseRequest): NewSealing {
  const dataKey = randomBytes(KEY_BYTES);
  const nonce = randomBytes(12);
  let record: SseRecord;
  if (sse.mode === 'S3') {
    record = { v: 1, mode: 'S3', nonce: nonce.toString('base64'), key: wrapKey(masterKeyOf(state), dataKey, 'sse-s3') };
  } else {
    const salt = randomBytes(16);
    record = { v: 1, mode: 'C', nonce: nonce.toString('base64'), key: wrapKey(sse.key, dataKey, 'sse-c'), salt: salt.toString('base64'), hmac: customerKeyHmac(salt, sse.key) };
  }
  return { dataKey, nonce, record };
}

/** Seals `plaintext` for storage with the encryption `sse` asks for. Errors of `plaintext` fail the sealed body. */
export function sealForWrite(state: ServerState, sse: SseRequest, plaintext: Readable): SealedWrite {
  const { dataKey, nonce, record } = newSealing(state, sse);
  const sealed = createSealStream(dataKey, nonce);
  // Errors travel down the chain (destroying `sealed` fails the put); nothing to do when it completes.
  pipeline(plaintext, sealed, () => {});
  return {
    body: sealed,
    metadataEntry: { [SSE_RECORD_NAME]: encodeRecord(record) },
    responseHeaders: sseResponseHeaders(sse.mode, sse.mode === 'C' ? sse.keyMd5 : undefined),
    etagOf: (storedEtag) => (sse.mode === 'S3' ? sealed.md5 : storedEtag),
  };
}

/**
 * The encryption of a new object in `bucket`: what the request's headers ask for, else the bucket's default
 * (SSE-S3), else none. Synchronous once the bucket's default has been looked up.
 */
export function encryptionFor(state: ServerState, bucket: string, requested: SseRequest | undefined): SseRequest | undefined | Promise<SseRequest | undefined> {
  if (requested !== undefined) return requested;
  const defaults = state.encryption?.defaults;
  if (defaults === undefined) return undefined;
  const known = defaults.peek(bucket);
  if (known !== undefined) return known === null ? undefined : { mode: 'S3' };
  return defaults.get(bucket).then((config) => (config === null ? undefined : { mode: 'S3' }));
}
