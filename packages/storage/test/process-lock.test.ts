/**
 * The process lock: a lock names its holder by pid, start time, boot id and pid namespace, and a holder in
 * another pid namespace answers on its probe socket. A stale lock — of a process that is gone, of an earlier
 * process with our own pid (a container's PID 1 after `docker kill`), of a reused pid, from another boot — is
 * taken over; a live holder is refused with `Unavailable` naming its pid. Holders are real processes (a bundled
 * fixture that takes the lock, or a sleeping process whose identity a record names).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StorageError, acquireProcessLock } from '../src/index.ts';
import type { ProcessLock, ProcessLockRecord } from '../src/index.ts';
import { currentProcess, lookUpPid, parseProcStat } from '../src/process-identity.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-process-lock-'));
const holderScript = join(dir, 'lock-holder.mjs');
const hasProc = existsSync('/proc/self/stat');
let n = 0;
const children: { kill(signal: NodeJS.Signals): unknown }[] = [];
const held: ProcessLock[] = [];

beforeAll(async () => {
  // Bundled once so the holder is a plain `node` process, as the server runs in production.
  await build({ entryPoints: [join(import.meta.dirname, 'fixtures/lock-holder.ts')], bundle: true, platform: 'node', format: 'esm', outfile: holderScript, logLevel: 'silent' });
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const l of held.splice(0)) await l.release();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const freshLock = () => join(dir, `lock-${++n}`);
const acquire = async (path: string) => {
  const lock = await acquireProcessLock(path, { resource: 'The test resource' });
  held.push(lock);
  return lock;
};
const readRecord = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ProcessLockRecord;
const writeRecord = (path: string, record: object) => writeFileSync(path, JSON.stringify(record));
const exited = (p: { exitCode: number | null; signalCode: string | null; once(e: 'exit', f: () => void): unknown }) =>
  p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r()));

/** A real process holding the lock at `path`, and the record it wrote (fails after 10 s). */
async function startHolder(path: string): Promise<{ proc: ChildProcessByStdio<null, Readable, Readable>; record: ProcessLockRecord }> {
  const proc = spawn(process.execPath, [holderScript, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  const record = await new Promise<ProcessLockRecord>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`holder printed no record in 10 s: ${out}`)), 10_000);
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(out) as ProcessLockRecord);
    });
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => (clearTimeout(timer), reject(new Error(`holder exited ${code}: ${out}`))));
  });
  return { proc, record };
}

/** A live process that holds nothing (its identity is what a forged record names). */
function startSleeper() {
  const proc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  children.push(proc);
  return proc;
}

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const proc = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await exited(proc);
  return proc.pid as number;
}

async function refusal(path: string): Promise<StorageError> {
  const outcome = await acquireProcessLock(path, { resource: 'The test resource' }).then(
    (lock) => (held.push(lock), 'acquired'),
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(StorageError);
  return outcome as StorageError;
}

describe('process identity', () => {
  it('parses /proc/<pid>/stat from the last parenthesis (a command name may hold spaces and parentheses)', () => {
    const fields = Array.from({ length: 20 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[19] = '98765';
    expect(parseProcStat(`42 (a) b (c) ${fields.join(' ')} 23 24`)).toEqual({ pid: 42, state: 'S', start: 98765 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it.runIf(hasProc)('knows its own start time, boot and pid namespace, and tells a running pid from a gone one', async () => {
    const me = currentProcess();
    expect(me.pid).toBe(process.pid);
    expect(me.start).toBe(parseProcStat(readFileSync('/proc/self/stat', 'utf8'))?.start);
    expect(me.boot).toMatch(/^[0-9a-f-]{36}$/);
    expect(me.pidNamespace).toMatch(/^pid:\[\d+\]$/);
    const sleeper = startSleeper();
    expect(lookUpPid(sleeper.pid as number)).toEqual({ running: true, start: parseProcStat(readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8'))?.start });
    expect(lookUpPid(await deadPid())).toEqual({ running: false });
  });
});

describe('acquireProcessLock', () => {
  it('writes a record naming this process and listens on a probe; release removes both, and is idempotent', async () => {
    const path = freshLock();
    const lock = await acquireProcessLock(path, { resource: 'The test resource' });
    const record = readRecord(path);
    expect(record).toEqual(lock.record);
    expect(record).toMatchObject({ pid: process.pid, nonce: expect.stringMatching(/^[0-9a-f]{12}$/) });
    if (hasProc) expect(record).toMatchObject({ start: currentProcess().start, boot: currentProcess().boot, pidNamespace: currentProcess().pidNamespace });
    expect(record.probe).toBe(`lock-${n}.${record.nonce}.sock`);
    expect(existsSync(join(dir, record.probe as string))).toBe(true);
    await Promise.all([lock.release(), lock.release()]);
    await lock.release();
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(dir, record.probe as string))).toBe(false);
  });

  it('refuses a second acquisition in this process until the first is released', async () => {
    const path = freshLock();
    const first = await acquire(path);
    const e = await refusal(path);
    expect(e).toMatchObject({ code: 'Unavailable', retryable: false, op: 'lock' });
    expect(e.detail).toBe(`The test resource is already locked by this process (lock file ${path})`);
    expect(readRecord(path).nonce).toBe(first.record.nonce);
    await first.release();
    await acquire(path);
  });

  it('refuses a live holder in another process, naming its pid, and takes over once it is SIGKILLed', async () => {
    const path = freshLock();
    const holder = await startHolder(path);
    const e = await refusal(path);
    expect(e).toMatchObject({ code: 'Unavailable', retryable: false });
    expect(e.detail).toMatch(new RegExp(`^The test resource is locked by process ${holder.proc.pid} \\(host .*, since .*\\): .*\\(lock file ${path}\\)$`));
    expect(readRecord(path)).toEqual(holder.record); // untouched
    holder.proc.kill('SIGKILL');
    await exited(holder.proc);
    expect(existsSync(join(dir, holder.record.probe as string))).toBe(true); // left behind by the kill
    const lock = await acquire(path);
    expect(readRecord(path).nonce).toBe(lock.record.nonce);
    expect(existsSync(join(dir, holder.record.probe as string))).toBe(false); // the dead holder's probe is cleaned up
  });

  it('takes over the lock of a process that is gone, and a lock file holding garbage', async () => {
    const path = freshLock();
    for (const content of [JSON.stringify({ pid: await deadPid(), start: 1, since: 1 }), 'not json', '{"pid":-3}', '']) {
      writeFileSync(path, content);
      const lock = await acquire(path);
      expect(readRecord(path).pid).toBe(process.pid);
      await lock.release();
    }
  });

  it.runIf(hasProc)('takes over a record naming our own pid with another start time: an earlier process with our pid, like a container’s PID 1 after docker kill', async () => {
    const me = currentProcess();
    const path = freshLock();
    for (const earlier of [{ ...me, start: (me.start as number) - 1 }, { pid: me.pid, boot: me.boot, since: 1 }]) {
      writeRecord(path, earlier);
      const lock = await acquire(path);
      expect(readRecord(path).nonce).toBe(lock.record.nonce);
      await lock.release();
    }
  });

  it.runIf(hasProc)('takes over a record whose pid now runs with another start time (the pid was reused), and refuses the same pid with its own start time', async () => {
    const sleeper = startSleeper();
    await new Promise((r) => setTimeout(r, 50));
    const start = parseProcStat(readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8'))?.start as number;
    const me = currentProcess();
    const path = freshLock();
    writeRecord(path, { ...me, pid: sleeper.pid, start, host: 'elsewhere', since: 1 });
    expect((await refusal(path)).message).toContain(`locked by process ${sleeper.pid} (host elsewhere,`);
    writeRecord(path, { ...me, pid: sleeper.pid, start: start + 1, since: 1 });
    const lock = await acquire(path);
    expect(readRecord(path).nonce).toBe(lock.record.nonce);
  });

  it.runIf(hasProc)('takes over a record written before the last boot, whatever its pid', async () => {
    const path = freshLock();
    writeRecord(path, { ...currentProcess(), pid: process.ppid, start: undefined, boot: '00000000-0000-0000-0000-000000000000', since: 1 });
    await acquire(path);
  });

  it.runIf(hasProc)('asks the probe of a holder in another pid namespace: refused while it listens, taken over once it is gone', async () => {
    const path = freshLock();
    const holder = await startHolder(path);
    // As a holder in another namespace looks from here: its pid names nothing (here, no process at all).
    const foreign = { ...holder.record, pid: 4_194_304 + 7, pidNamespace: 'pid:[1]' };
    writeRecord(path, foreign);
    const e = await refusal(path);
    expect(e.message).toMatch(/is locked by process 4194311 \(host .*, pid namespace pid:\[1\], since /);
    holder.proc.kill('SIGKILL');
    await exited(holder.proc);
    const lock = await acquire(path);
    expect(readRecord(path).nonce).toBe(lock.record.nonce);
  });

  it('removes only a probe socket named like a probe of this lock', async () => {
    const path = freshLock();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep me');
    writeRecord(path, { pid: await deadPid(), since: 1, probe: '../victim' });
    await acquire(path);
    writeRecord(`${path}-2`, { pid: await deadPid(), since: 1, probe: 'victim' });
    await acquire(`${path}-2`);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });

  it('reports a lock it cannot create with a typed code', async () => {
    await expect(acquireProcessLock(join(dir, 'no-such-dir', 'lock'), { resource: 'The test resource' })).rejects.toMatchObject({ code: 'NotFound', op: 'lock' });
  });
});
