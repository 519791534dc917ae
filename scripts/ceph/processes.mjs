/**
 * The processes of a throwaway Ceph cluster: daemons started in the foreground (`-f`, so the pid we hold is the
 * daemon's own), one-shot tools run with a deadline, and stopping by pid — never by name, which would hit every
 * other cluster on the machine. A pid is signalled only while `/proc/<pid>/cmdline` still names this cluster's
 * `ceph.conf`, so a pid reused by an unrelated process after the daemon died is left alone.
 *
 * A watchdog (a detached `sh` loop) kills the daemons by pid if the process that started them dies without
 * stopping them (a test runner killed by a timeout), so no 600 MiB cluster outlives its owner.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A started daemon.
 * @typedef {{ name: string, pid: number, exited: boolean, exitCode: number | null, signal: string | null }} Daemon
 */

/** The file listing the cluster's pids, one per line, read by the watchdog and by `stop` from another process. */
export const PIDS_FILE = 'pids';

/**
 * Starts `bin args…` with its stdout and stderr appended to `<dir>/log/<name>.out`.
 * @param {{ dir: string, name: string, bin: string, args: string[], detached?: boolean }} options
 * @returns {Daemon}
 */
export function startDaemon({ dir, name, bin, args, detached = false }) {
  const out = openSync(join(dir, 'log', `${name}.out`), 'a');
  try {
    const child = spawn(bin, args, { stdio: ['ignore', out, out], detached });
    if (child.pid === undefined) throw new Error(`cannot start ${bin}`);
    /** @type {Daemon} */
    const daemon = { name, pid: child.pid, exited: false, exitCode: null, signal: null };
    child.once('exit', (code, signal) => Object.assign(daemon, { exited: true, exitCode: code, signal }));
    child.once('error', () => Object.assign(daemon, { exited: true }));
    if (detached) child.unref();
    return daemon;
  } finally {
    closeSync(out);
  }
}

/**
 * Runs a one-shot tool (`ceph`, `radosgw-admin`, `ceph-mon --mkfs`) and resolves with its stdout; rejects with
 * its output when it exits non-zero or outlives `timeoutMs` (then it is killed).
 * @param {string} bin
 * @param {string[]} args
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<string>}
 */
export function runTool(bin, args, { timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${bin}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${bin} ${args.join(' ')} ${signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `exited ${code}`}\n${stderr.slice(-2000)}${stdout.slice(-1000)}`));
    });
  });
}

/** Whether `pid` is alive (a zombie counts as gone: it only waits to be reaped). */
function isAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether `pid` is a process of the cluster whose configuration is `conf` (its command line names it). */
export function belongsTo(pid, conf) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(conf);
  } catch {
    return false;
  }
}

/**
 * Stops the pids one after the other, in the order given (gateway first, monitor last: each talks to the ones
 * after it), each with SIGTERM and, when it still runs after `graceMs`, SIGKILL. In that order the whole cluster
 * stops in about 0.6 s; signalled all at once, the OSD waits seconds for a monitor that is already gone.
 * memstore keeps nothing, so a kill loses nothing that matters. Only pids whose command line names `conf` are
 * signalled. Resolves once every one has exited (bounded).
 * @param {number[]} pids
 * @param {{ conf: string, graceMs?: number }} options
 */
export async function stopPids(pids, { conf, graceMs = 2_000 }) {
  for (const pid of pids) {
    if (!belongsTo(pid, conf)) continue;
    signal(pid, 'SIGTERM');
    if (await exitedWithin(pid, graceMs)) continue;
    if (belongsTo(pid, conf)) signal(pid, 'SIGKILL');
    await exitedWithin(pid, 5_000);
  }
}

/** Polls until `pid` is gone (true) or `ms` have passed (false). */
async function exitedWithin(pid, ms) {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

/** SIGKILLs the pids at once, synchronously (for `process.on('exit')`, where nothing can be awaited). */
export function killPidsNow(pids, conf) {
  for (const pid of pids) if (belongsTo(pid, conf)) signal(pid, 'SIGKILL');
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Records the pids in `<dir>/pids` (one per line) for the watchdog and for a `stop` from another process. */
export function writePids(dir, pids) {
  writeFileSync(join(dir, PIDS_FILE), pids.map((p) => `${p}\n`).join(''));
}

/** The pids recorded in `<dir>/pids` (none when the file is missing). */
export function readPids(dir) {
  try {
    return readFileSync(join(dir, PIDS_FILE), 'utf8').split('\n').filter(Boolean).map(Number).filter(Number.isSafeInteger);
  } catch {
    return [];
  }
}

/**
 * Starts the watchdog: every second it checks that `ownerPid` lives; once it does not, it SIGKILLs the pids
 * listed in `<dir>/pids` whose command line still names `conf`, removes `dir`, and exits. Returns its pid
 * (stop it first when stopping the cluster normally).
 * @param {{ dir: string, conf: string, ownerPid: number }} options
 */
export function startWatchdog({ dir, conf, ownerPid }) {
  const script = [
    `trap '' INT HUP`,
    `while kill -0 ${ownerPid} 2>/dev/null; do sleep 1; done`,
    `for p in $(cat "$1/${PIDS_FILE}" 2>/dev/null); do`,
    `  tr '\\0' '\\n' < /proc/$p/cmdline 2>/dev/null | grep -qxF "$2" && kill -9 $p 2>/dev/null`,
    `done`,
    `rm -rf "$1"`,
  ].join('\n');
  const child = spawn('/bin/sh', ['-c', script, 'strata-ceph-watchdog', dir, conf], { stdio: 'ignore', detached: true });
  child.unref();
  return child.pid;
}
