/**
 * CPU accounting from /proc/<pid>/stat: the line parsed the way proc(5) lays it out (a comm with spaces and
 * parentheses included), the percentage over a window, pid reuse caught, and real processes — one spinning,
 * one asleep — measured as such.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clockTicksPerSecond, cpuPercent, parseProcStat, ProcStatFormatError, readProcStat, sampleCpu } from '../src/load/proc-cpu.ts';

/** A real line (`cat /proc/self/stat`) with utime 1234, stime 56 and starttime 32016 put in. */
const LINE = '9211 (cat) R 9208 9208 6343 0 -1 4194304 96 0 0 0 1234 56 0 0 20 0 1 0 32016 3133440 380 18446744073709551615 94790561542144 94790561562025 140724092473952 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

describe('parseProcStat', () => {
  it('reads utime (field 14), stime (15) and starttime (22)', () => {
    expect(parseProcStat(LINE)).toEqual({ comm: 'cat', utime: 1234, stime: 56, starttime: 32016 });
  });

  it('counts fields from the last parenthesis, so a comm with spaces and parentheses cannot shift them', () => {
    const odd = LINE.replace('(cat)', '(wrk (x) 2)');
    expect(parseProcStat(odd)).toEqual({ comm: 'wrk (x) 2', utime: 1234, stime: 56, starttime: 32016 });
  });

  it('refuses a line of another shape', () => {
    expect(() => parseProcStat('no parens here')).toThrow(ProcStatFormatError);
    expect(() => parseProcStat('1 (x) R 2 3')).toThrow(ProcStatFormatError);
  });
});

describe('cpuPercent', () => {
  const at = (utime: number, stime: number, starttime = 7) => ({ comm: 'x', utime, stime, starttime });

  it('is user plus system ticks over the wall time, in percent of one core', () => {
    // 150 ticks at 100 Hz = 1.5 s of CPU in 2 s of wall time.
    expect(cpuPercent(at(100, 50), at(200, 100), 2, 100)).toBe(75);
    // Several threads of one process can exceed one core.
    expect(cpuPercent(at(0, 0), at(300, 100), 2, 100)).toBe(200);
  });

  it('refuses readings of two different processes (a reused pid)', () => {
    expect(() => cpuPercent(at(0, 0, 7), at(10, 0, 8), 1, 100)).toThrow(/pid reused/);
  });

  it('is NaN over no time', () => {
    expect(cpuPercent(at(0, 0), at(0, 0), 0, 100)).toBeNaN();
  });
});

describe.skipIf(!existsSync('/proc/self/stat'))('on this machine', () => {
  it('knows the clock tick rate', () => {
    expect(clockTicksPerSecond()).toBeGreaterThan(0);
  });

  it('sees this process spend CPU', () => {
    const before = readProcStat(process.pid);
    const until = Date.now() + 300;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const after = readProcStat(process.pid);
    expect(x).toBeGreaterThan(0);
    // 300 ms of spinning is ~30 ticks at 100 Hz; a busy shared machine may give this process less of it.
    expect((after?.utime ?? 0) + (after?.stime ?? 0) - ((before?.utime ?? 0) + (before?.stime ?? 0))).toBeGreaterThanOrEqual(3);
  });

  it('reads nothing for a pid that does not exist', () => {
    expect(readProcStat(2 ** 22 + 12345)).toBeUndefined();
  });

  it('tells a spinning process from a sleeping one, over the window both are alive', async () => {
    const spinner = spawn(process.execPath, ['-e', 'const t = Date.now() + 800; while (Date.now() < t);']);
    const sleeper = spawn('sleep', ['0.8']);
    const sampler = sampleCpu([spinner.pid as number, sleeper.pid as number], 20);
    await Promise.all([new Promise((r) => spinner.once('exit', r)), new Promise((r) => sleeper.once('exit', r))]);
    const [spin, sleep] = sampler.stop();
    expect(spin?.seconds).toBeGreaterThan(0.3);
    expect(spin?.seconds).toBeLessThan(2);
    expect(spin?.percent).toBeGreaterThan(25);
    expect(sleep?.percent).toBeLessThan(10);
  });
});
