/**
 * The production bundle (scripts/build-server.mjs), which `pnpm start` and the benchmarks run: it builds, runs
 * under plain `node` without tsx, serves S3 requests and the health route, and exits 0 on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../../scripts/build-server.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'strata-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/build-server.mjs', () => {
  it('bundles the server into one module that plain node runs', async () => {
    const outfile = join(dir, 'strata.mjs');
    const build = spawnSync(process.execPath, [SCRIPT, '--quiet', `--outfile=${outfile}`], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    expect(statSync(outfile).size).toBeGreaterThan(100_000);

    const child = spawn(process.execPath, [outfile, 'serve', '--backend', 'memory', '--port', '0', '--access-key', 'k', '--secret-key', 's'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no endpoint line in: ${out}`)), 20_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /endpoint:\s+(http:\/\/\S+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect((await fetch(`${endpoint}/health/live`)).status).toBe(200);
      // An unsigned S3 request gets S3's error document from the bundled app.
      const denied = await fetch(`${endpoint}/bucket/key`);
      expect(denied.status).toBe(403);
      expect(await denied.text()).toContain('<Code>AccessDenied</Code>');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
