/**
 * What lifecycle rules do to one key and to one bucket's multipart uploads
 * (AWS "Lifecycle configuration elements", https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html;
 * "Expiring objects", https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html):
 *
 * - Expiration (Days or Date) of the current version: in a versioned bucket S3 adds a delete marker (the null
 *   marker when suspended), in an unversioned one it removes the object;
 * - NoncurrentVersionExpiration: a noncurrent version is removed for good `NoncurrentDays` after it became
 *   noncurrent, except the `NewerNoncurrentVersions` newest noncurrent versions, which are kept;
 * - an expired object delete marker (a key's only version) is removed under ExpiredObjectDeleteMarker true, and
 *   under Expiration Days once the marker is that old ("When you specify the Days tag, Amazon S3 automatically
 *   performs ExpiredObjectDeleteMarker cleanup when the delete markers are old enough to satisfy the age
 *   criteria"; "Managing delete markers", https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManagingDelMarkers.html);
 *   not under an Expiration Date, nor ExpiredObjectDeleteMarker false ("the policy takes no action");
 * - filters on object size (ObjectSizeGreaterThan / ObjectSizeLessThan) apply to object versions, current and
 *   noncurrent; a delete marker has no size (nor tags), so a rule filtering on them leaves markers alone;
 * - AbortIncompleteMultipartUpload: an upload is aborted `DaysAfterInitiation` days after it started.
 *
 * Every removal goes through the version store (its crash-safe path) with object lock's guard: a version under
 * retention or legal hold is never removed ("Object Lock … lifecycle": a lifecycle rule does not delete a locked
 * version; https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html).
 */
import { noncurrentSince } from '@strata/storage';
import type { VersionEntry, VersioningMode, VersionStore } from '@strata/storage';
import type { ServerState } from '../context.ts';
import { storageKey } from '../context.ts';
import { mayRemove } from '../object-lock/lock-guard.ts';
import { forgetUploadLock } from '../object-lock/upload-lock.ts';
import { afterDays, earliestExpiry, needsTags, ruleMatches } from './lifecycle-config.ts';
import type { FilterSubject, LifecycleConfig } from './lifecycle-config.ts';

/** A version lock protects: the lifecycle worker skips it. */
class LockedVersion extends Error {}

const lockGuard = (now: number) => (entry: VersionEntry) => {
  if (!mayRemove(entry, now, false)) throw new LockedVersion();
};

/** Where one bucket's keys are, and how it treats writes. */
export interface BucketScope {
  state: ServerState;
  bucket: string;
  store: VersionStore;
  mode: VersioningMode | null;
  config: LifecycleConfig;
  now: number;
}

async function subjectOf(scope: BucketScope, key: string, v: VersionEntry): Promise<FilterSubject> {
  if (v.marker) return { key };
  if (!needsTags(scope.config)) return { key, size: v.size };
  const at = v.data !== undefined ? scope.store.dataKey(v.data) : scope.store.plainKey(key);
  const info = await scope.state.storage.head(at).catch(() => undefined);
  return { key, size: v.size, ...(info ? { tags: info.tags } : {}) };
}

/** Removes one version for good unless lock protects it; whether it was removed. */
async function removeVersion(scope: BucketScope, key: string, id: string): Promise<boolean> {
  try {
    await scope.store.delete(key, scope.mode ?? 'Suspended', id, {}, lockGuard(scope.now));
    return true;
  } catch (e) {
    if (e instanceof LockedVersion) return false;
    throw e;
  }
}

/** Expires the current version when a rule says so; whether anything changed. */
async function expireCurrent(scope: BucketScope, key: string, versions: VersionEntry[]): Promise<boolean> {
  const current = versions[0];
  if (!current || current.marker) return false;
  const expiry = earliestExpiry(scope.config, await subjectOf(scope, key, current), new Date(current.lastModified));
  if (!expiry || expiry.at > scope.now) return false;
  if (scope.mode === null) {
    await scope.state.storage.delete(storageKey(scope.bucket, key));
    await scope.state.layouts.forget(storageKey(scope.bucket, key));
    return true;
  }
  try {
    await scope.store.delete(key, scope.mode, undefined, {}, lockGuard(scope.now));
  } catch (e) {
    if (e instanceof LockedVersion) return false; // a suspended bucket's marker would replace a locked null version
    throw e;
  }
  await scope.state.layouts.forget(storageKey(scope.bucket, key));
  return true;
}

/** The noncurrent versions some rule expires at `now`. */
async function expiredNoncurrent(scope: BucketScope, key: string, versions: VersionEntry[]): Promise<string[]> {
  const out = new Set<string>();
  for (const rule of scope.config.rules) {
    const nce = rule.noncurrentExpiration;
    if (!nce || !rule.enabled) continue;
    let newer = 0;
    for (let i = 1; i < versions.length; i++) {
      const v = versions[i] as VersionEntry;
      if (!ruleMatches(rule, await subjectOf(scope, key, v))) continue;
      const since = noncurrentSince(versions, i) as Date;
      if (newer >= (nce.newerNoncurrentVersions ?? 0) && afterDays(since, nce.noncurrentDays) <= scope.now) out.add(v.id);
      newer++;
    }
  }
  return [...out];
}

/** Whether a rule removes `marker`, a key's only version (an expired object delete marker), at `scope.now`. */
function expiresMarker(scope: BucketScope, key: string, marker: VersionEntry): boolean {
  return scope.config.rules.some((rule) => {
    const e = rule.expiration;
    if (!e || !ruleMatches(rule, { key })) return false;
    if (e.expiredObjectDeleteMarker === true) return true;
    return e.days !== undefined && afterDays(new Date(marker.lastModified), e.days) <= scope.now;
  });
}

/** Applies the bucket's rules to one key; the number of versions removed or markers added. */
export async function applyToKey(scope: BucketScope, key: string): Promise<number> {
  let actions = 0;
  let versions = await scope.store.versionsOf(key);
  if (await expireCurrent(scope, key, versions)) {
    actions++;
    versions = await scope.store.versionsOf(key);
  }
  const noncurrent = await expiredNoncurrent(scope, key, versions);
  for (const id of noncurrent) if (await removeVersion(scope, key, id)) actions++;
  if (noncurrent.length > 0) versions = await scope.store.versionsOf(key);
  const only = versions.length === 1 ? versions[0] : undefined;
  if (only?.marker && expiresMarker(scope, key, only)) {
    if (await removeVersion(scope, key, only.id)) actions++;
  }
  return actions;
}

/** Aborts the bucket's multipart uploads a rule says are too old (at most `limit`); the number aborted. */
export async function abortStaleUploads(scope: BucketScope, limit: number): Promise<number> {
  let aborted = 0;
  for (const rule of scope.config.rules) {
    if (rule.abortIncompleteDays === undefined || !rule.enabled) continue;
    const base = `${scope.bucket}/`;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await scope.state.storage.listMultipartUploads({ prefix: base + (rule.filter.prefix ?? ''), keyMarker, uploadIdMarker, limit: 1000 });
      for (const u of page.uploads) {
        if (aborted >= limit) return aborted;
        // The listing applies the rule's prefix; a rule with tags cannot abort uploads (lifecycle-xml.ts).
        if (afterDays(u.initiated, rule.abortIncompleteDays) <= scope.now) {
          await scope.state.storage.abortMultipart(u.key, u.uploadId);
          await forgetUploadLock(scope.state.storage, u.uploadId);
          aborted++;
        }
      }
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    } while (keyMarker !== undefined);
  }
  return aborted;
}
