/**
 * IAM users' secret access keys at rest. The server must keep each secret itself (SigV4 verifies with the
 * secret, not a hash of it), so when it has an SSE master key (encryption/key-wrap.ts) a user record stores the
 * secret sealed with AES-256-GCM instead of in plain text:
 *
 * - the sealing key is derived from the master key with HKDF-SHA256 (info `strata-iam-secrets`), so it is never
 *   the key that wraps object data keys;
 * - the sealed form records the algorithm, a version and the id of the master key (a fingerprint, not the
 *   key), so a server started with another master key says so instead of failing every signature;
 * - the access key id is the authenticated data: a sealed secret moved to another key does not open.
 *
 * Without a master key secrets are stored as before, in plain text under the server's reserved prefix (the
 * README says so). Plain records are read either way and sealed the next time the user changes.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** The sealed form of one secret, as a user record stores it. */
export interface SealedSecret {
  alg: 'AES-256-GCM';
  /** The sealed form's version. */
  v: 1;
  /** The fingerprint of the master key the secret is sealed under. */
  keyId: string;
  /** Base64: `iv (12) ‖ ciphertext ‖ tag (16)`. */
  data: string;
}

/** A master key sealed secrets cannot be opened with, or a sealed form this server does not know. */
export class SecretSealingError extends Error {
  override name = 'SecretSealingError';
}

const aad = (accessKeyId: string): Buffer => Buffer.from(`strata-iam-secret-v1:${accessKeyId}`);

/** Seals and opens user secrets under one master key; see the module comment. */
export class SecretSealer {
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    this.#key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'strata-iam-secrets', 32));
    this.keyId = createHmac('sha256', masterKey).update('strata-master-key-id').digest('hex').slice(0, 16);
  }

  /** Seals `secret`, bound to `accessKeyId`. */
  seal(accessKeyId: string, secret: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(aad(accessKeyId));
    const data = Buffer.concat([iv, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
    return { alg: 'AES-256-GCM', v: 1, keyId: this.keyId, data };
  }

  /** Opens a sealed secret; throws {@link SecretSealingError} naming why it cannot. */
  open(accessKeyId: string, sealed: SealedSecret): string {
    if (sealed.alg !== 'AES-256-GCM' || sealed.v !== 1) throw new SecretSealingError(`access key ${accessKeyId}: unknown sealed form ${sealed.alg} v${String(sealed.v)}`);
    if (sealed.keyId !== this.keyId) {
      throw new SecretSealingError(`access key ${accessKeyId} is sealed under master key ${sealed.keyId}, not this server's (${this.keyId})`);
    }
    const bytes = Buffer.from(sealed.data, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, 12));
      decipher.setAAD(aad(accessKeyId));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new SecretSealingError(`access key ${accessKeyId}: the sealed secret is damaged`, { cause });
    }
  }
}
