/**
 * The `strata` command's manners, through the package's bin as a real process: `--version` prints the
 * package's version, a missing or unknown command exits 2 with the usage (a usage error, like a bad option),
 * and the banner shows the secret key only when it is the published default.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_KEY, bannerSecret, packageVersion, parseServeArgs } from '../src/cli.ts';
import { serve } from '../src/main.ts';

const BIN = fileURLToPath(new URL('../bin/strata.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Runs the bin (on the sources: test/support/vitest-setup.ts sets NODE_OPTIONS for child processes). */
const strata = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('strata --version', () => {
  it.each(['--version', '-v'])('%s prints the package version and exits 0', (flag) => {
    const r = strata(flag);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    expect(packageVersion()).toBe(version);
  });
});

describe('usage errors', () => {
  it('an unknown command exits 2 and prints the usage to stderr', () => {
    const r = strata('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command frobnicate');
    expect(r.stderr).toContain('Usage: strata serve');
    expect(r.stdout).toBe('');
  });

  it('no command at all exits 2 with the usage', () => {
    const r = strata();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Usage: strata serve');
  });

  it('--help still exits 0, and the usage names --version', () => {
    const r = strata('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/strata --version/);
  });
});

describe('the banner', () => {
  /** The banner `serve` prints for `args` and `env`, over memory storage on a free port. */
  async function banner(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    const lines: string[] = [];
    const stop = await serve(parseServeArgs(['--backend', 'memory', '--port', '0', ...args], env), (l) => lines.push(l));
    await stop();
    return lines.join('\n');
  }

  it('shows the default secret, which is published anyway, so a first run can be copied from', async () => {
    expect(await banner([], {})).toContain(`secret key: ${DEFAULT_SECRET_KEY}`);
  });

  it('never shows a secret the operator chose, from the environment or a flag', async () => {
    const fromEnv = await banner([], { STRATA_ACCESS_KEY: 'ops', STRATA_SECRET_KEY: 'ops-secret-from-env' });
    expect(fromEnv).not.toContain('ops-secret-from-env');
    expect(fromEnv).toMatch(/secret key: .*not shown/);
    expect(fromEnv).toMatch(/\n {2}backend: {4}memory/);
    expect(await banner(['--access-key', 'ops', '--secret-key', 'flag-secret'], {})).not.toContain('flag-secret');
    expect(bannerSecret('anything-else')).not.toContain('anything-else');
  });
});
