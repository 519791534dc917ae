/**
 * Envelope encryption of per-object data keys ("Protecting data with server-side encryption",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html): every object gets its own
 * random 256-bit data key, stored only wrapped — sealed with AES-256-GCM under the server's master key (SSE-S3)
 * or under the customer's key (SSE-C), which the server never stores. A wrapped key is `iv (12) ‖ sealed key
 * (32) ‖ tag (16)`, base64.
 *
 * The master key is 32 bytes, given as 64 hex characters or base64 (a key file or `STRATA_SSE_MASTER_KEY`).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;

/** What the wrap is bound to, so a key wrapped for one use cannot be passed off as the other. */
export type WrapPurpose = 'sse-s3' | 'sse-c';

/** Seals a data key under a key-encryption key. */
export function wrapKey(kek: Buffer, dataKey: Buffer, purpose: WrapPurpose): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(`strata-${purpose}-v1`));
  return Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/** Opens a wrapped data key; undefined when `kek` is not the key it was wrapped with (or the record is damaged). */
export function unwrapKey(kek: Buffer, wrapped: string, purpose: WrapPurpose): Buffer | undefined {
  const bytes = Buffer.from(wrapped, 'base64');
  if (bytes.length !== 12 + KEY_BYTES + 16) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(`strata-${purpose}-v1`));
    decipher.setAuthTag(bytes.subarray(12 + KEY_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(12, 12 + KEY_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** A salted HMAC of a customer key: what the server keeps to recognise the key of an SSE-C object. */
export function customerKeyHmac(salt: Buffer, customerKey: Buffer): string {
  return createHmac('sha256', salt).update(customerKey).digest('base64');
}

/** Parses a master key written as 64 hex characters or base64 of 32 bytes; throws naming the problem. */
export function parseMasterKey(text: string, source: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const key = Buffer.from(t, 'base64');
  const unpadded = (s: string) => s.replace(/=+$/, '');
  if (key.length !== KEY_BYTES || unpadded(key.toString('base64')) !== unpadded(t)) {
    throw new Error(`${source}: the SSE master key must be 32 bytes, written as 64 hex characters or base64`);
  }
  return key;
}

/**
 * The master key from `--sse-master-key-file` (a file path) or else `STRATA_SSE_MASTER_KEY`; undefined when
 * neither is set (SSE-S3 is then refused).
 */
export function loadMasterKey(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  if (file !== undefined && file !== '') return parseMasterKey(readFileSync(file, 'utf8'), file);
  const value = env.STRATA_SSE_MASTER_KEY;
  return value === undefined || value === '' ? undefined : parseMasterKey(value, 'STRATA_SSE_MASTER_KEY');
}
