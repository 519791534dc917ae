/**
 * The Docker image's HEALTHCHECK, run as Docker would run it (its exec form, with the image's STRATA_PORT)
 * against a real server: healthy while `/health/live` answers 200, unhealthy once nothing listens. No Docker
 * engine is needed — the check is a `node -e` one-liner, since node images carry no curl.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../src/cli.ts';
import { serve } from '../src/main.ts';

const dockerfile = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');

/** The HEALTHCHECK's exec-form command, e.g. `["node", "-e", "…"]`. */
function healthcheckCommand(): string[] {
  const m = /^HEALTHCHECK\b.*?\bCMD (\[.*\])\s*$/m.exec(dockerfile);
  if (m?.[1] === undefined) throw new Error('the Dockerfile has no exec-form HEALTHCHECK');
  return JSON.parse(m[1]) as string[];
}

/**
 * Runs the check with the environment the image would give it; resolves with its exit status. Asynchronously:
 * the server answering it runs in this process.
 */
function check(port: number): Promise<number | null> {
  const [command, ...args] = healthcheckCommand();
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, STRATA_PORT: String(port) }, stdio: 'ignore', timeout: 20_000 });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('Dockerfile HEALTHCHECK', () => {
  it('passes while the server is live and fails once it is gone', async () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK --interval=\S+ --timeout=\S+/m);
    const lines: string[] = [];
    const stop = await serve(parseServeArgs(['--backend', 'memory', '--port', '0', '--access-key', 'k', '--secret-key', 's'], {}), (l) => lines.push(l));
    const port = Number(/endpoint:\s+http:\/\/[^:]+:(\d+)/.exec(lines.join('\n'))?.[1]);
    try {
      expect(await check(port)).toBe(0);
    } finally {
      await stop();
    }
    expect(await check(port)).not.toBe(0);
  });
});
