/**
 * Who a process is, beyond its pid, and whether a process recorded earlier is still the one running.
 *
 * A pid alone does not name a process: pids are reused, and in a container the server is PID 1 in every
 * incarnation, so after `docker kill` (or an OOM kill) the next server has the very pid its predecessor wrote
 * down. What does name one process on Linux, proc(5):
 * - its **start time**, `/proc/<pid>/stat` field 22 (`starttime`, clock ticks after boot): two processes that
 *   held the same pid one after the other in one pid namespace started at different ticks;
 * - the **boot id**, `/proc/sys/kernel/random/boot_id`: start times count from boot, so they compare only
 *   within one boot;
 * - the **pid namespace**, the `/proc/self/ns/pid` link (`pid:[4026531836]`): a pid means something only in
 *   its own namespace. Two containers sharing a volume are two namespaces; a restarted container is a new one.
 *
 * Where `/proc` is missing (macOS, Windows) or shows another pid namespace than ours (a pid namespace entered
 * without mounting its own `/proc`), only the pid is known and liveness falls back to `kill(pid, 0)`.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** A process as a lock record names it. Every field but `pid` and `host` is absent where the OS does not tell. */
export interface ProcessIdentity {
  /** The pid, in the process's own pid namespace. */
  pid: number;
  /** Start time in clock ticks after boot (`/proc/<pid>/stat` field 22). */
  start?: number;
  /** `/proc/sys/kernel/random/boot_id`. */
  boot?: string;
  /** The pid namespace, as the `/proc/self/ns/pid` link reads (`pid:[4026531836]`). */
  pidNamespace?: string;
  /** The host name (in a container, its id): for messages only, never for deciding liveness. */
  host: string;
}

/** What this pid namespace says about a pid now. */
export type PidState =
  /** No such process (or only its zombie: it holds no descriptors and no locks any more). */
  | { running: false }
  /** A process runs with this pid; `start` when /proc told its start time. */
  | { running: true; start?: number };

const readOr = <T>(read: () => T): T | undefined => {
  try {
    return read();
  } catch {
    return undefined;
  }
};

/**
 * Parses a `/proc/<pid>/stat` line into its pid, state and start time. The command name (field 2) is in
 * parentheses and may itself hold spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcStat(line: string): { pid: number; state: string; start: number } | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(line, 10);
  // After the command: field 3 (state) is index 0, so field 22 (starttime) is index 19.
  const rest = line.slice(close + 2).split(' ');
  const state = rest[0];
  const start = Number(rest[19]);
  if (!Number.isInteger(pid) || state === undefined || !Number.isSafeInteger(start)) return undefined;
  return { pid, state, start };
}

const readStat = (pid: number | 'self') => readOr(() => parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')));

let cached: { self: ProcessIdentity; procIsOurs: boolean } | undefined;

function identify(): { self: ProcessIdentity; procIsOurs: boolean } {
  const stat = readStat('self');
  const self: ProcessIdentity = { pid: process.pid, host: hostname() };
  // /proc/self is always this process, so its start time is ours even when /proc belongs to another namespace.
  if (stat) self.start = stat.start;
  const boot = readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  if (boot) self.boot = boot;
  const ns = readOr(() => readlinkSync('/proc/self/ns/pid'));
  if (ns) self.pidNamespace = ns;
  // /proc numbers processes in the namespace it was mounted for; only when it shows us under our own pid do
  // its other entries name the processes our pids name.
  return { self, procIsOurs: stat?.pid === process.pid };
}

/** This process's identity (read once; none of it changes while the process runs). */
export function currentProcess(): ProcessIdentity {
  cached ??= identify();
  return { ...cached.self };
}

/**
 * Whether a process with `pid` runs in this pid namespace now, and since when where /proc tells. A zombie (killed,
 * not yet reaped by its parent) counts as gone: it holds no descriptors, sockets or locks any more. Without a
 * readable /proc entry (no /proc, another namespace's /proc, `hidepid`), `kill(pid, 0)` decides.
 */
export function lookUpPid(pid: number): PidState {
  cached ??= identify();
  const stat = cached.procIsOurs ? readStat(pid) : undefined;
  if (stat) return stat.state === 'Z' || stat.state === 'X' ? { running: false } : { running: true, start: stat.start };
  try {
    process.kill(pid, 0);
    return { running: true };
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as { code?: unknown }).code === 'EPERM' ? { running: true } : { running: false };
  }
}
