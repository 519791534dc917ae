/**
 * CPU accounting from `/proc/<pid>/stat` (proc(5)): the kernel's own count of the clock ticks a process spent
 * in user mode (`utime`, field 14) and kernel mode (`stime`, field 15), summed over all of its threads. The
 * bench reads it for the load generator and for the server over the same window, so a report can show which
 * of the two was the limit: a generator whose core is busy all the time measures itself, not the server.
 *
 * Field 2 (`comm`) is the executable name in parentheses and may itself hold spaces or parentheses, so the
 * fields are counted from the last `)`. Field 22 (`starttime`) tells one process from a later one that
 * reuses its pid.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** One reading of a process's CPU counters. */
export interface ProcCpuStat {
  /** The executable name (`comm`, without the parentheses). */
  comm: string;
  /** Ticks in user mode. */
  utime: number;
  /** Ticks in kernel mode. */
  stime: number;
  /** When the process started, in ticks after boot: with the pid, what identifies the process. */
  starttime: number;
}

/** Thrown when a `/proc/<pid>/stat` line does not have the shape proc(5) documents. */
export class ProcStatFormatError extends Error {
  override readonly name = 'ProcStatFormatError';
}

/** Parses the one line of `/proc/<pid>/stat`. */
export function parseProcStat(line: string): ProcCpuStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new ProcStatFormatError(`no (comm) in ${JSON.stringify(line.slice(0, 80))}`);
  // After ")": field 3 (state) is index 0, so field n is index n - 3.
  const rest = line.slice(close + 1).trim().split(/\s+/);
  const field = (n: number) => {
    const v = Number(rest[n - 3]);
    if (!Number.isInteger(v) || v < 0) throw new ProcStatFormatError(`field ${n} is ${JSON.stringify(rest[n - 3])}`);
    return v;
  };
  return { comm: line.slice(open + 1, close), utime: field(14), stime: field(15), starttime: field(22) };
}

/** Reads `/proc/<pid>/stat`; undefined when the process is gone (or this is not Linux). */
export function readProcStat(pid: number): ProcCpuStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`; 100 on every common Linux build). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isFinite(v) && v > 0 ? v : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU between two readings of one process over `seconds` of wall time, in percent of one core. */
export function cpuPercent(before: ProcCpuStat, after: ProcCpuStat, seconds: number, hz = clockTicksPerSecond()): number {
  if (before.starttime !== after.starttime) throw new ProcStatFormatError('the two readings are of different processes (pid reused)');
  if (!(seconds > 0)) return NaN;
  const ticks = after.utime + after.stime - (before.utime + before.stime);
  return (ticks / hz / seconds) * 100;
}

/** What a sampler measured for one process. */
export interface CpuWindow {
  pid: number;
  /** Percent of one core over the window (NaN when the process could not be read twice). */
  percent: number;
  /** Wall seconds between the first and last reading used. */
  seconds: number;
}

/** A running sampler; `stop` returns the CPU of each process over the window in which all of them were alive. */
export interface CpuSampler {
  stop(): CpuWindow[];
}

/**
 * Samples `pids` every `intervalMs` until stopped. The window runs from the first reading to the last one in
 * which every process was still there (the load generator exits at the end of its round; reading it after
 * that would read nothing, or another process reusing the pid, which `starttime` catches). Readings share
 * their instants, so the generator's and the server's percentages cover the same wall time.
 */
export function sampleCpu(pids: number[], intervalMs = 50): CpuSampler {
  type Reading = { at: number; stats: ProcCpuStat[] };
  const readings: Reading[] = [];
  const read = () => {
    const at = performance.now();
    const stats = pids.map((pid) => readProcStat(pid));
    if (stats.some((s) => s === undefined)) return;
    const first = readings[0];
    // A pid reused by a new process (or a process that exec'd into another start time — never happens) ends the window.
    if (first && stats.some((s, i) => s?.starttime !== first.stats[i]?.starttime)) return;
    readings.push({ at, stats: stats as ProcCpuStat[] });
  };
  read();
  const timer = setInterval(read, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      read();
      const first = readings[0];
      const last = readings[readings.length - 1];
      return pids.map((pid, i) => {
        if (!first || !last || first === last) return { pid, percent: NaN, seconds: 0 };
        const seconds = (last.at - first.at) / 1000;
        return { pid, percent: cpuPercent(first.stats[i] as ProcCpuStat, last.stats[i] as ProcCpuStat, seconds), seconds };
      });
    },
  };
}
