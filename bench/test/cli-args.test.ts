/**
 * The bench command line: a mistake is a usage error before anything runs, so a mistyped `--only` can never
 * run the whole suite and overwrite RESULTS.md; `--help` prints the usage and runs nothing. Checked on the
 * parser, on `runBench`, and on the command as a process (exit status 2, BENCH_OUT left untouched).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from '../src/args.ts';
import { runBench } from '../src/cli.ts';

const NAMES = ['device', 'storage', 'sdk', 'http', 'archive'];
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'strata-bench-args-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('parseBenchArgs', () => {
  it('reads the mode and --only in both spellings', () => {
    expect(parseBenchArgs([], {}, NAMES)).toEqual({ mode: 'full', only: undefined, help: false });
    expect(parseBenchArgs(['--quick', '--only=device,http'], {}, NAMES)).toMatchObject({ mode: 'quick', only: ['device', 'http'] });
    expect(parseBenchArgs(['--smoke', '--only', 'sdk'], {}, NAMES)).toMatchObject({ mode: 'smoke', only: ['sdk'] });
    expect(parseBenchArgs([], { BENCH_ONLY: 'archive' }, NAMES).only).toEqual(['archive']);
    expect(parseBenchArgs(['-h'], {}, NAMES).help).toBe(true);
  });

  it.each([
    [['--only=nope'], {}, /unknown scenario nope/],
    [['--only=device,nope'], {}, /unknown scenario nope/],
    [['--only='], {}, /names no scenario/],
    [[], { BENCH_ONLY: 'devices' }, /BENCH_ONLY: unknown scenario devices/],
    [['--fast'], {}, /--fast/],
    [['--quick', '--smoke'], {}, /exclude each other/],
    [['device'], {}, /argument/],
  ] as const)('refuses %j %j', (argv, env, message) => {
    expect(() => parseBenchArgs(argv, env, NAMES)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(argv, env, NAMES)).toThrow(message);
  });
});

describe('runBench', () => {
  it('refuses an unknown --only before running or writing anything', async () => {
    await expect(runBench(['--smoke', '--only=nope'], { ...process.env, BENCH_OUT: out })).rejects.toThrow(BenchUsageError);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('the bench command', () => {
  // On the sources: test/support/vitest-setup.ts gives child processes tsx and the source condition.
  const bench = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, BENCH_OUT: out }, timeout: 60_000 });

  it('--help prints the usage with every scenario name and exits 0', () => {
    const r = bench('--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: pnpm bench');
    for (const name of NAMES) expect(r.stdout).toContain(name);
  }, 60_000);

  it('an unknown --only exits 2 with the usage and leaves BENCH_OUT untouched', () => {
    const r = bench('--only=nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown scenario nope');
    expect(r.stderr).toContain('Usage: pnpm bench');
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);
});
