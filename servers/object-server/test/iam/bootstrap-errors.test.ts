/**
 * An invalid `--config` file stops `strata serve` as a configuration error: the message names the file and the
 * entry, the exit status is 2 (a usage error), and nothing says "cannot listen" — both for mistakes found while
 * the file is read (a user name IAM refuses, a key listed twice) and for one only the running server can find
 * (a user key that is the root identity's). The real command, spawned as a process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCESS_KEY } from '../../src/cli.ts';

const BIN = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'strata-bootstrap-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `strata serve --config <file>` on memory storage; resolves with its exit code and output (killed after 30 s). */
function serveWith(name: string, yaml: string): Promise<{ code: number | null; output: string }> {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATA_')));
  const child = spawn(process.execPath, [BIN, 'serve', '--backend', 'memory', '--port', '0', '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('strata serve with an invalid --config', () => {
  it.each([
    ['a user name IAM refuses', 'bad-name.yaml', 'users:\n  - name: "bad name!"\n', /bad-name\.yaml: users\[0\]: invalid user name "bad name!"/],
    ['a key listed twice', 'twice.yaml', 'users:\n  - name: a\n    accessKeys: [{ accessKeyId: K1, secretAccessKey: s1 }]\n  - name: b\n    accessKeys: [{ accessKeyId: K1, secretAccessKey: s2 }]\n', /twice\.yaml: users\[1\]\.accessKeys\[0\]: access key K1 is listed twice/],
    ['a policy name IAM refuses', 'policy-name.yaml', 'users:\n  - name: a\n    policies:\n      "no spaces": { Version: "2012-10-17", Statement: [] }\n', /policy-name\.yaml: users\[0\]\.policies: invalid policy name/],
    ['a user key that is the root identity\'s', 'root-key.yaml', `users:\n  - name: a\n    accessKeys: [{ accessKeyId: ${DEFAULT_ACCESS_KEY}, secretAccessKey: other-secret }]\n`, /root-key\.yaml: users\[0\]\.accessKeys\[0\] \(strata\): Access key strata already exists/],
  ])('%s: exit 2, the file and the entry named', async (_what, name, yaml, message) => {
    const { code, output } = await serveWith(name, yaml);
    expect(output).toMatch(message);
    expect(output).not.toContain('cannot listen');
    expect(output).not.toContain('listening');
    expect(code).toBe(2);
  }, 60_000);
});
