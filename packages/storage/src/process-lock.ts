/**
 * The process lock: one process at a time owns a storage medium (the file adapter's root, a block image). Two
 * owners would each trust their in-memory state (a per-key mutex, an allocator, a journal position) and
 * overwrite each other's writes, so a second one must fail with a clear error naming the first.
 *
 * ## The lock file
 * `path` holds one JSON record naming the holder: pid, start time, boot id, pid namespace, host, a random
 * nonce, and the name of its probe socket (see process-identity.ts and lock-probe.ts). It is written whole to a
 * private file and published by link(2), which fails with `EEXIST` when a lock exists: atomic on local
 * filesystems and on NFS, and no reader ever sees a half-written record. (Where the filesystem has no hard
 * links, an `O_EXCL` create is the fallback.)
 *
 * ## Who holds it
 * Node has no flock(2)/fcntl(2) locks without a native addon, so liveness is decided from the record:
 * - a record from another boot is stale, whatever its pid;
 * - in our own pid namespace, pid **and** start time name the holder: a record naming a pid that is gone, a
 *   zombie, or running with another start time (the pid was reused) is stale. A record naming our own pid with
 *   another start time is our predecessor's: in a container the server is PID 1 in every incarnation, so after
 *   `docker kill` or an OOM kill the next server finds its own pid in the lock — that lock is stale, never ours;
 * - in another pid namespace (another container on the same volume, or this container's previous incarnation)
 *   the pid means nothing here, so the holder's probe socket answers instead: the kernel closes it when the
 *   holder dies, so connect(2) succeeds exactly while the holder lives.
 * (The kernel reuses a pid namespace's inode number once the namespace is gone, so a restarted container may
 * find its own namespace named in its predecessor's record; the start time then tells them apart.)
 * A stale lock is taken over at once: renamed aside atomically (of two processes racing for it, one rename
 * wins; the loser retries and then meets the winner's live lock), and the dead holder's probe socket removed.
 *
 * ## Why not something simpler
 * - A pid alone keeps a restarted container down for good: its new PID 1 finds "PID 1" alive — itself.
 * - A nonce alone proves which lock is ours (release uses it) but not whether another holder still runs.
 * - flock(2)/fcntl(2) would be released by the kernel like the probe, but need a native addon, and the server
 *   ships as one bundled file without node_modules.
 * - A heartbeat (the holder touching the file) decides by the clock: a holder that is paused (`docker pause`),
 *   swapping or blocked in a long synchronous call would lose its lock while alive, and a restart would wait.
 *
 * ## Limitations
 * - A holder in another pid namespace that could not open a probe socket (a lock path over ~100 bytes, a
 *   filesystem without sockets) cannot be checked and counts as stale: a restarted container must come back,
 *   and two live containers on one such volume are not detected.
 * - Without /proc (macOS, Windows), a pid reused by an unrelated process keeps its lock until that process
 *   ends or the lock file is removed. The probe does not help across machines; the boot id there only tells
 *   that the record comes from elsewhere.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StorageError } from './errors.ts';
import { askLockProbe, openLockProbe } from './lock-probe.ts';
import type { LockProbe } from './lock-probe.ts';
import { currentProcess, lookUpPid } from './process-identity.ts';
import type { ProcessIdentity } from './process-identity.ts';
import { toStorageError } from './to-storage-error.ts';

/** What a lock file holds. */
export interface ProcessLockRecord extends ProcessIdentity {
  /** When the lock was taken (ms since the epoch). */
  since: number;
  /** Random, per acquisition: release removes only the lock it took. */
  nonce: string;
  /** The holder's probe socket, a file name in the lock's directory (`<lock>.<nonce>.sock`). */
  probe?: string;
}

/** Options of {@link acquireProcessLock}. */
export interface ProcessLockOptions {
  /** What the lock guards, as error messages start: `The file storage root /data`. */
  resource: string;
}

/** A held process lock. */
export interface ProcessLock {
  /** The lock file. */
  readonly path: string;
  /** The record written into it. */
  readonly record: Readonly<ProcessLockRecord>;
  /** Removes the lock file (if it is still ours) and closes the probe. Idempotent. */
  release(): Promise<void>;
}

/** How a lock file's holder was judged: live (possibly this very process) or stale. */
type Verdict = { live: true; self: boolean } | { live: false };

const ATTEMPTS = 5;
const STALE: Verdict = { live: false };

/**
 * Takes the lock file `path` for this process. A lock of a dead holder is taken over; a live holder — another
 * process, or this one — fails with `Unavailable` (not retryable) naming its pid. Filesystem failures keep their
 * typed code (`PermissionDenied`, `NoSpace`, …).
 */
export async function acquireProcessLock(path: string, options: ProcessLockOptions): Promise<ProcessLock> {
  const nonce = randomBytes(6).toString('hex');
  const probe = await openLockProbe(`${path}.${nonce}.sock`);
  const record: ProcessLockRecord = { ...currentProcess(), since: Date.now(), nonce };
  if (probe) record.probe = basename(probe.path);
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await publish(path, record)) return heldLock(path, record, probe);
      const text = await fsp.readFile(path, 'utf8').catch((e: unknown) => (errno(e) === 'ENOENT' ? undefined : Promise.reject(e)));
      if (text === undefined) continue; // released meanwhile
      const holder = parseRecord(text);
      const verdict = await judge(holder, dirname(path));
      if (verdict.live) throw heldBy(options.resource, path, holder as ProcessLockRecord, verdict.self);
      await takeOver(path, text, attempt);
    }
  } catch (e) {
    await probe?.close();
    throw toStorageError(e, 'lock');
  }
  await probe?.close();
  throw new StorageError('Unavailable', `${options.resource}: could not take the lock ${path} in ${ATTEMPTS} attempts`, { op: 'lock', retryable: true });
}

/** Writes `record` to `path` unless a lock exists there; false when one does. */
async function publish(path: string, record: ProcessLockRecord): Promise<boolean> {
  const text = JSON.stringify(record);
  const tmp = `${path}.${record.nonce}.tmp`;
  await fsp.writeFile(tmp, text, { flag: 'wx' });
  try {
    await fsp.link(tmp, path);
    return true;
  } catch (e) {
    if (errno(e) === 'EEXIST') return false;
    if (errno(e) !== 'EPERM' && errno(e) !== 'ENOTSUP' && errno(e) !== 'EOPNOTSUPP' && errno(e) !== 'ENOSYS') throw e;
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  // No hard links on this filesystem: an O_EXCL create, not atomic with its content. A reader meeting the file
  // still empty judges it stale; its takeover puts the lock back only if the record has landed by its rename.
  try {
    await fsp.writeFile(path, text, { flag: 'wx' });
    return true;
  } catch (e) {
    if (errno(e) === 'EEXIST') return false;
    throw e;
  }
}

function heldLock(path: string, record: ProcessLockRecord, probe: LockProbe | undefined): ProcessLock {
  let released: Promise<void> | undefined;
  const release = async () => {
    const current = parseRecord(await fsp.readFile(path, 'utf8').catch(() => ''));
    if (current?.nonce === record.nonce) await fsp.rm(path, { force: true });
    await probe?.close();
  };
  return { path, record, release: () => (released ??= release()) };
}

/** Decides whether the holder named by a lock record (in the directory `dir`) still runs. */
async function judge(holder: ProcessLockRecord | undefined, dir: string): Promise<Verdict> {
  if (holder === undefined) return STALE; // not a record: garbage, or a lock file truncated by a crash
  const me = currentProcess();
  if (holder.boot && me.boot && holder.boot !== me.boot) return STALE; // written before the last boot
  const sameNamespace = holder.pidNamespace === undefined || me.pidNamespace === undefined || holder.pidNamespace === me.pidNamespace;
  if (!sameNamespace) {
    // Its pid names nothing here; only its probe can tell (see Limitations when it has none).
    if (holder.probe === undefined) return STALE;
    return (await askLockProbe(join(dir, holder.probe))) === 'nobody' ? STALE : { live: true, self: false };
  }
  if (holder.pid === me.pid) {
    if (me.start === undefined) return { live: true, self: true };
    // Another start time (or none: we always write ours when we know it) is an earlier process with our pid.
    return holder.start === me.start ? { live: true, self: true } : STALE;
  }
  const now = lookUpPid(holder.pid);
  if (!now.running) return STALE;
  if (now.start !== undefined && holder.start !== undefined && now.start !== holder.start) return STALE; // pid reused
  return { live: true, self: false };
}

/**
 * Moves the stale lock whose text was `stale` out of the way: renamed aside (atomic), checked to be the lock we
 * judged, and removed with its holder's probe socket. When what we moved is not it (another process took over
 * between our read and our rename), it goes back unless yet another lock appeared meanwhile.
 */
async function takeOver(path: string, stale: string, attempt: number): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${attempt}`;
  try {
    await fsp.rename(path, aside);
  } catch (e) {
    if (errno(e) === 'ENOENT') return; // someone else moved it first
    throw e;
  }
  const moved = await fsp.readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== undefined && moved !== stale) {
    await fsp.link(aside, path).catch(() => undefined);
  } else {
    const probe = parseRecord(stale)?.probe;
    if (probe !== undefined && isProbeNameOf(path, probe)) await fsp.rm(join(dirname(path), probe), { force: true });
  }
  await fsp.rm(aside, { force: true });
}

/** True when `name` is a probe socket name of the lock `path`: a crafted record must not make us remove other files. */
function isProbeNameOf(path: string, name: string): boolean {
  const prefix = `${basename(path)}.`;
  return name.startsWith(prefix) && /^[0-9a-f]{12}\.sock$/.test(name.slice(prefix.length));
}

/** The record in a lock file's text, or undefined when it is not one (fields of the wrong type are dropped). */
function parseRecord(text: string): ProcessLockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const pid = r.pid;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const asString = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const asNumber = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const record: ProcessLockRecord = { pid, host: asString(r.host) ?? '', since: asNumber(r.since) ?? 0, nonce: asString(r.nonce) ?? '' };
  const start = asNumber(r.start);
  const boot = asString(r.boot);
  const pidNamespace = asString(r.pidNamespace);
  const probe = asString(r.probe);
  if (start !== undefined) record.start = start;
  if (boot !== undefined) record.boot = boot;
  if (pidNamespace !== undefined) record.pidNamespace = pidNamespace;
  if (probe !== undefined) record.probe = probe;
  return record;
}

/** The `Unavailable` error of a live holder: who, where, since when, and which lock file. */
function heldBy(resource: string, path: string, holder: ProcessLockRecord, self: boolean): StorageError {
  const options = { op: 'lock', retryable: false };
  if (self) return new StorageError('Unavailable', `${resource} is already locked by this process (lock file ${path})`, options);
  const details: string[] = [];
  if (holder.host) details.push(`host ${holder.host}`);
  if (holder.pidNamespace !== undefined && holder.pidNamespace !== currentProcess().pidNamespace) details.push(`pid namespace ${holder.pidNamespace}`);
  if (holder.since > 0) details.push(`since ${new Date(holder.since).toISOString()}`);
  const about = details.length > 0 ? ` (${details.join(', ')})` : '';
  return new StorageError('Unavailable', `${resource} is locked by process ${holder.pid}${about}: one process may open it at a time (lock file ${path})`, options);
}

const errno = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
