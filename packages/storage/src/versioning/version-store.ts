/**
 * Object versioning as a layer over the plain storage contract
 * (AWS "Using versioning in S3 buckets": https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html).
 *
 * Layout, under two prefixes the caller chooses (the object server uses `<bucket>/` and
 * `.strata/versions/<bucket>/`):
 * - `plain + key` — the current version's bytes, mirrored, so unversioned readers and plain listings
 *   (ListObjectsV2) see exactly the current objects; absent when the current version is a delete marker;
 * - `meta + 'i/' + key` — the key's {@link VersionIndex}: every version newest first. Its write is the commit
 *   point of every change;
 * - `meta + 'd/' + dataId` — one version's bytes and metadata, written once and never changed;
 * - `meta + 'j/' + opId` — an intent record, written before a change and removed after it, naming the data
 *   objects the change creates or frees and whether it removes the index.
 *
 * A change runs: intent → version bytes → index (commit) → mirror → free replaced bytes → remove intent. A
 * crash before the index write leaves the key as it was (recovery deletes the orphan bytes); after it, the
 * version exists and {@link VersionStore.recover} finishes the mirror and the freeing. So a version is
 * acknowledged only once committed and mirrored, and no version becomes visible that was never written. A
 * change that writes the plain object before its commit (a multipart completion) says so in its intent, and
 * rolling it back restores the plain object from the index.
 *
 * A key written before versioning was enabled has no index: its plain object is its null version. The first
 * versioned change of such a key first copies the plain object into a data object, as the null version.
 *
 * Writers of one key are serialized in this process ({@link KeyLock}); like the rest of the server's state,
 * the store assumes one writing process per storage.
 */
import type { GetOptions, GetResult, ObjectInfo, OperationOptions, PutOptions, Storage } from '../types.ts';
import { hasErrorCode, StorageError } from '../errors.ts';
import { readText } from '../body.ts';
import { MAX_KEY_BYTES } from '../keys.ts';
import { KeyLock } from './key-lock.ts';
import { plainEntry, withNewest } from './change-records.ts';
import type { Before, ChangeOptions, Intent } from './change-records.ts';
import { NULL_VERSION_ID, newVersionId, parseIndex } from './manifest.ts';
import type { VersionEntry, VersionFields, VersionIndex } from './manifest.ts';

/** How a bucket treats new writes (PutBucketVersioning's Status). */
export type VersioningMode = 'Enabled' | 'Suspended';

/** Where a version store keeps its objects. */
export interface VersionStoreOptions {
  /** Prefix of the plain (current) objects. */
  plainPrefix: string;
  /** Prefix of the store's own records (indexes, version bytes, intents); must not overlap `plainPrefix`. */
  metaPrefix: string;
}

/** A version as resolved for a read. */
export type ResolvedVersion =
  | { kind: 'object'; entry: VersionEntry; storageKey: string }
  | { kind: 'marker'; entry: VersionEntry }
  | { kind: 'absent' };

/** The outcome of a versioned write. */
export interface VersionWriteResult {
  versionId: string;
  info: ObjectInfo;
}

/** The outcome of a versioned delete. */
export interface VersionDeleteResult {
  /** The version removed, or the delete marker created; absent when nothing was versioned. */
  versionId?: string;
  /** Whether the version removed or created is a delete marker. */
  deleteMarker: boolean;
}

/** Versioned operations over one namespace of a plain storage. */
export class VersionStore {
  readonly storage: Storage;
  readonly #plain: string;
  readonly #meta: string;
  readonly #lock = new KeyLock();

  constructor(storage: Storage, options: VersionStoreOptions) {
    if (options.metaPrefix.startsWith(options.plainPrefix) || options.plainPrefix.startsWith(options.metaPrefix)) {
      throw new StorageError('InvalidArgument', 'metaPrefix and plainPrefix must not overlap');
    }
    this.storage = storage;
    this.#plain = options.plainPrefix;
    this.#meta = options.metaPrefix;
  }

  /** The storage key of the plain (current) object of `key`. */
  plainKey(key: string): string {
    return this.#plain + key;
  }

  /** The storage prefix of indexes (for listings). */
  get indexPrefix(): string {
    return `${this.#meta}i/`;
  }

  /** The storage key of a version's bytes. */
  dataKey(dataId: string): string {
    return `${this.#meta}d/${dataId}`;
  }

  #indexKey(key: string): string {
    return this.indexPrefix + key;
  }

  /** The index of `key`, or undefined when it has none (never versioned, or every version deleted). */
  async readIndex(key: string, options: OperationOptions = {}): Promise<VersionIndex | undefined> {
    try {
      return parseIndex(await readText(await this.storage.get(this.#indexKey(key), options)));
    } catch (e) {
      if (hasErrorCode(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  /**
   * Every version of `key`, newest first: the index, or for a key without one its plain object as the null
   * version (an object written before versioning was enabled).
   */
  async versionsOf(key: string, options: OperationOptions = {}): Promise<VersionEntry[]> {
    const index = await this.readIndex(key, options);
    if (index) return index.versions;
    const plain = await this.#headPlain(key, options);
    return plain ? [plainEntry(plain)] : [];
  }

  /** The version `versionId` of `key` (the current one when undefined), for a read. */
  async resolve(key: string, versionId: string | undefined, options: OperationOptions = {}): Promise<ResolvedVersion> {
    const index = await this.readIndex(key, options);
    if (!index) {
      if (versionId !== undefined && versionId !== NULL_VERSION_ID) return { kind: 'absent' };
      const plain = await this.#headPlain(key, options);
      return plain ? { kind: 'object', entry: plainEntry(plain), storageKey: this.plainKey(key) } : { kind: 'absent' };
    }
    const entry = versionId === undefined ? index.versions[0] : index.versions.find((v) => v.id === versionId);
    if (!entry) return { kind: 'absent' };
    if (entry.marker) return { kind: 'marker', entry };
    return { kind: 'object', entry, storageKey: this.dataKey(entry.data as string) };
  }

  /** Reads a version's bytes (the current one when `versionId` is undefined); `NotFound` for a marker or none. */
  async get(key: string, versionId: string | undefined, options: GetOptions = {}): Promise<GetResult & { versionId: string }> {
    const found = await this.resolve(key, versionId, options.signal ? { signal: options.signal } : {});
    if (found.kind !== 'object') throw new StorageError('NotFound', 'no such version', { op: 'get', key });
    return { ...(await this.storage.get(found.storageKey, options)), versionId: found.entry.id };
  }

  /**
   * Writes a new version of `key`: with a fresh id when versioning is `Enabled`, as the null version (replacing
   * any earlier null version) when `Suspended`. `ifMatch` / `ifNoneMatch` apply to the current version.
   */
  put(key: string, body: Parameters<Storage['put']>[1], mode: VersioningMode, options: PutOptions = {}, fields: VersionFields = {}): Promise<VersionWriteResult> {
    const { ifMatch, ifNoneMatch, ...rest } = options;
    const conditions = { ...(ifMatch !== undefined ? { ifMatch } : {}), ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}) };
    return this.write(key, mode, conditions, (dataKey) => this.storage.put(dataKey, body, rest), options, fields);
  }

  /**
   * Writes a new version of `key` whose bytes `produce` stores at the storage key it is given (a put, a copy
   * from another object or version); otherwise as {@link VersionStore.put}. `conditions` apply to the current
   * version; `fields` (object lock settings) are recorded on the new version.
   */
  write(
    key: string,
    mode: VersioningMode,
    conditions: { ifMatch?: string; ifNoneMatch?: '*' },
    produce: (dataKey: string) => Promise<ObjectInfo>,
    options: OperationOptions = {},
    fields: VersionFields = {},
  ): Promise<VersionWriteResult> {
    return this.#lock.run(key, async () => {
      const before = await this.#versionsForChange(key, options.signal ? { signal: options.signal } : {});
      const current = before.versions[0];
      const live = current && !current.marker ? current : undefined;
      if (conditions.ifNoneMatch === '*' && live) throw new StorageError('AlreadyExists', 'an object exists at this key', { op: 'put', key });
      if (conditions.ifMatch !== undefined && (!live || live.etag !== conditions.ifMatch.replace(/"/g, ''))) {
        throw new StorageError('PreconditionFailed', 'the current version does not match', { op: 'put', key });
      }
      const dataId = newVersionId();
      const id = mode === 'Enabled' ? dataId : NULL_VERSION_ID;
      let info: ObjectInfo | undefined;
      await this.#change(key, before, [dataId], async () => {
        info = await produce(this.dataKey(dataId));
        const entry: VersionEntry = { id, data: dataId, etag: info.etag, size: info.size, lastModified: info.lastModified.toISOString(), ...fields };
        return withNewest(before.versions, entry);
      });
      return { versionId: id, info: { ...(info as ObjectInfo), key } };
    });
  }

  /**
   * Writes a new version of `key` whose bytes `assemble` must first store at the plain key it is given — a
   * multipart completion, which storage assembles at the key the upload was started for
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html). The plain object is
   * then copied into the version's bytes and the index committed, as for any write.
   *
   * Because the plain object changes before the commit, the intent says so: a failure after the assembly, or
   * a crash before the index names the new version, puts the plain object back to the key's current version
   * (removes it when the key had none), so a half-made completion never shows. A key written before versioning first
   * gets its index in a change of its own (its plain object recorded as the null version), so the bytes
   * `assemble` overwrites are never their only copy.
   */
  completeAtPlain(
    key: string,
    mode: VersioningMode,
    assemble: (plainKey: string) => Promise<ObjectInfo>,
    options: OperationOptions = {},
    fields: VersionFields = {},
  ): Promise<VersionWriteResult> {
    return this.#lock.run(key, async () => {
      let before = await this.#versionsForChange(key, options);
      if (before.adopted) {
        const adopting = before;
        await this.#change(key, adopting, [], async () => adopting.versions);
        before = { versions: adopting.versions, adopted: undefined, hadIndex: true };
      }
      const versions = before.versions;
      const dataId = newVersionId();
      const id = mode === 'Enabled' ? dataId : NULL_VERSION_ID;
      let info: ObjectInfo | undefined;
      const write = async () => {
        // A completion is atomic: when `assemble` fails the plain object is unchanged (a retried Complete whose
        // upload is gone costs no copy). Once it succeeded, a failure puts the current version back.
        info = await assemble(this.plainKey(key));
        await this.storage.copy(this.plainKey(key), this.dataKey(dataId), options).catch(async (e: unknown) => {
          await this.#mirror(key, versions[0], {}).catch(() => undefined);
          throw e;
        });
        return withNewest(versions, { id, data: dataId, etag: info.etag, size: info.size, lastModified: info.lastModified.toISOString(), ...fields });
      };
      await this.#change(key, before, [dataId], write, { overwritesPlain: true });
      return { versionId: id, info: { ...(info as ObjectInfo), key } };
    });
  }

  /**
   * Deletes `key` the versioned way: without `versionId`, adds a delete marker (the null marker when
   * `Suspended`); with one, removes that version for good, and the next one becomes current
   * (AWS "Deleting object versions": https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html;
   * "Deleting objects from versioning-suspended buckets":
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectsfromVersioningSuspendedBuckets.html).
   * Removing a version that does not exist succeeds and changes nothing.
   *
   * `guard` is called with the version about to be removed for good (or replaced: a null version under
   * `Suspended`), under the key's lock, and refuses by throwing — object lock's check, made atomic with the
   * removal so a retention set concurrently cannot be missed.
   */
  delete(key: string, mode: VersioningMode, versionId?: string, options: OperationOptions = {}, guard?: (entry: VersionEntry) => void): Promise<VersionDeleteResult> {
    return this.#lock.run(key, async () => {
      const before = await this.#versionsForChange(key, options);
      if (versionId === undefined) {
        const id = mode === 'Enabled' ? newVersionId() : NULL_VERSION_ID;
        const marker: VersionEntry = { id, marker: true, etag: '', size: 0, lastModified: new Date().toISOString() };
        const replaced = id === NULL_VERSION_ID ? before.versions.find((v) => v.id === NULL_VERSION_ID) : undefined;
        if (replaced && guard) guard(replaced);
        await this.#change(key, before, [], async () => withNewest(before.versions, marker));
        return { versionId: id, deleteMarker: true };
      }
      const gone = before.versions.find((v) => v.id === versionId);
      if (!gone) return { deleteMarker: false };
      guard?.(gone);
      await this.#change(key, before, [], async () => before.versions.filter((v) => v !== gone));
      return { versionId, deleteMarker: gone.marker === true };
    });
  }

  /**
   * Replaces the entry of version `versionId` of `key` (the current one when undefined) by `update`'s result —
   * object lock retention and legal hold, which change no bytes. `update` runs under the key's lock and may
   * refuse by throwing. `NotFound` when there is no such version; a delete marker is passed to `update` too.
   */
  updateVersion(key: string, versionId: string | undefined, update: (entry: VersionEntry) => VersionEntry, options: OperationOptions = {}): Promise<VersionEntry> {
    return this.#lock.run(key, async () => {
      const before = await this.#versionsForChange(key, options);
      const at = versionId === undefined ? 0 : before.versions.findIndex((v) => v.id === versionId);
      const old = before.versions[at];
      if (at < 0 || !old) throw new StorageError('NotFound', 'no such version', { op: 'put', key });
      const updated = { ...update(old), id: old.id, data: old.data };
      await this.#change(key, before, [], async () => before.versions.map((v, i) => (i === at ? updated : v)));
      return updated;
    });
  }

  /**
   * Finishes or rolls back every change a crash interrupted: removes bytes no index names, brings each plain
   * object in line with its index, and removes the intents. Run it before serving after a restart.
   */
  async recover(options: OperationOptions = {}): Promise<number> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await this.storage.list({ prefix: `${this.#meta}j/`, cursor, ...options });
      for (const item of page.items) {
        let intent: Intent;
        try {
          intent = JSON.parse(await readText(await this.storage.get(item.key, options))) as Intent;
        } catch (e) {
          if (hasErrorCode(e, 'NotFound')) continue;
          throw e;
        }
        await this.#lock.run(intent.key, () => this.#settle(item.key, intent, options));
        count++;
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return count;
  }

  async #settle(intentKey: string, intent: Intent, options: OperationOptions): Promise<void> {
    const index = await this.readIndex(intent.key, options);
    const referenced = new Set((index?.versions ?? []).map((v) => v.data));
    for (const id of [...intent.created, ...intent.freed]) {
      if (!referenced.has(id)) await this.storage.delete(this.dataKey(id), options);
    }
    // No index: either the change removed it (the plain mirror must go too), or it never committed over a key
    // that had none — whose plain object is still its null version, untouched, unless the change itself wrote
    // the plain object (a completion into a key with no object: the uncommitted object goes).
    if (index) await this.#mirror(intent.key, index.versions[0], options);
    else if (intent.hadIndex || intent.plain) await this.storage.delete(this.plainKey(intent.key), options);
    await this.storage.delete(intentKey, options);
  }

  /** The versions a change starts from; a key without an index gets its plain object as the null version. */
  async #versionsForChange(key: string, options: OperationOptions): Promise<Before> {
    const index = await this.readIndex(key, options);
    if (index) return { versions: index.versions, adopted: undefined, hadIndex: true };
    const plain = await this.#headPlain(key, options);
    if (!plain) return { versions: [], adopted: undefined, hadIndex: false };
    const adopted = newVersionId();
    return { versions: [{ ...plainEntry(plain), data: adopted }], adopted, hadIndex: false };
  }

  /**
   * One change of a key's versions: intent, `write` (which stores new bytes and returns the new list), the
   * index (the commit), the mirror, freeing the bytes of versions the change dropped, and the intent's removal.
   */
  async #change(key: string, before: Before, created: string[], write: () => Promise<VersionEntry[]>, how: ChangeOptions = {}): Promise<void> {
    // The index key is the longest the change writes: refuse before any write when the storage cannot hold it.
    const limit = Math.min(this.storage.capabilities.maxKeyBytes ?? MAX_KEY_BYTES, MAX_KEY_BYTES);
    if (Buffer.byteLength(this.#indexKey(key)) > limit) {
      throw new StorageError('InvalidKey', `the key is too long for its version index (at most ${limit} bytes with the store's prefix)`, { op: 'put', key, reason: 'KeyTooLong' });
    }
    const allCreated = before.adopted ? [...created, before.adopted] : created;
    const intentKey = `${this.#meta}j/${newVersionId()}`;
    // What the change frees is known only after `write`: the intent names every data id the key has, which
    // recovery frees only when the committed index no longer names them.
    const existing = before.versions.flatMap((v) => (v.data && v.data !== before.adopted ? [v.data] : []));
    const intent: Intent = { key, created: allCreated, freed: existing, hadIndex: before.hadIndex, ...(how.overwritesPlain ? { plain: true as const } : {}) };
    await this.storage.put(intentKey, JSON.stringify(intent), { contentType: 'application/json' });
    let versions: VersionEntry[];
    try {
      if (before.adopted) await this.storage.copy(this.plainKey(key), this.dataKey(before.adopted));
      versions = await write();
    } catch (e) {
      // Nothing is committed yet: a refused body (a bad checksum, an abort) leaves no trace. When the storage
      // itself fails, the intent stays for recovery.
      await this.#rollBack(intentKey, allCreated).catch(() => undefined);
      throw e;
    }
    const freed = [...allCreated, ...existing].filter((id) => !versions.some((v) => v.data === id));
    if (versions.length > 0) {
      await this.storage.put(this.#indexKey(key), JSON.stringify({ v: 1, versions } satisfies VersionIndex), { contentType: 'application/json' });
    } else {
      await this.storage.delete(this.#indexKey(key));
    }
    await this.#mirror(key, versions[0], {});
    for (const id of freed) await this.storage.delete(this.dataKey(id));
    await this.storage.delete(intentKey);
  }

  async #rollBack(intentKey: string, created: string[]): Promise<void> {
    for (const id of created) await this.storage.delete(this.dataKey(id));
    await this.storage.delete(intentKey);
  }

  /** Makes the plain object of `key` equal its current version (absent for a delete marker or no version). */
  async #mirror(key: string, current: VersionEntry | undefined, options: OperationOptions): Promise<void> {
    if (!current || current.marker) {
      await this.storage.delete(this.plainKey(key), options);
      return;
    }
    await this.storage.copy(this.dataKey(current.data as string), this.plainKey(key), options);
  }

  async #headPlain(key: string, options: OperationOptions): Promise<ObjectInfo | undefined> {
    try {
      return await this.storage.head(this.plainKey(key), options);
    } catch (e) {
      if (hasErrorCode(e, 'NotFound')) return undefined;
      throw e;
    }
  }
}
