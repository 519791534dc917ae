/**
 * The `strata serve` command line: defaults, flags over environment, the non-loopback guard, and a real start
 * over memory storage that prints the endpoint and stops cleanly.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, UsageError, parseServeArgs } from '../src/cli.ts';
import { serve } from '../src/main.ts';

describe('parseServeArgs', () => {
  it('has the documented defaults', () => {
    expect(parseServeArgs([], {})).toMatchObject({
      host: '127.0.0.1',
      port: 9000,
      data: join(process.cwd(), '.strata-data'),
      backend: 'file',
      accessKey: DEFAULT_ACCESS_KEY,
      secretKey: DEFAULT_SECRET_KEY,
      region: 'us-east-1',
    });
  });
  it('resolves a relative data directory against where the user ran the command (INIT_CWD under pnpm)', () => {
    expect(parseServeArgs([], { INIT_CWD: '/home/me/project' }).data).toBe('/home/me/project/.strata-data');
    expect(parseServeArgs(['--data', 'store'], { INIT_CWD: '/srv' }).data).toBe('/srv/store');
    expect(parseServeArgs(['--data', '/abs/dir'], { INIT_CWD: '/srv' }).data).toBe('/abs/dir');
  });
  it('reads the environment, and flags win over it', () => {
    const env = { STRATA_PORT: '9100', STRATA_BACKEND: 'memory', STRATA_ACCESS_KEY: 'envkey', STRATA_DATA: '/tmp/x' };
    expect(parseServeArgs([], env)).toMatchObject({ port: 9100, backend: 'memory', accessKey: 'envkey', data: '/tmp/x' });
    expect(parseServeArgs(['--port', '9200', '--backend', 'block'], env)).toMatchObject({ port: 9200, backend: 'block' });
  });
  it('refuses a public address with the default credentials unless told to', () => {
    expect(() => parseServeArgs(['--host', '0.0.0.0'], {})).toThrow(UsageError);
    expect(parseServeArgs(['--host', '0.0.0.0', '--allow-public-default-credentials'], {}).host).toBe('0.0.0.0');
    expect(parseServeArgs(['--host', '0.0.0.0', '--access-key', 'k', '--secret-key', 's'], {}).host).toBe('0.0.0.0');
  });
  it('rejects bad values', () => {
    expect(() => parseServeArgs(['--backend', 'tape'], {})).toThrow(UsageError);
    expect(() => parseServeArgs(['--port', 'x'], {})).toThrow(UsageError);
    expect(() => parseServeArgs(['--bogus'], {})).toThrow();
  });
});

describe('serve', () => {
  it('starts over memory storage, prints the endpoint and credentials, and stops', async () => {
    const lines: string[] = [];
    const stop = await serve({ ...parseServeArgs(['--backend', 'memory', '--port', '0'], {}) }, (l) => lines.push(l));
    const endpoint = /endpoint:\s+(\S+)/.exec(lines.join('\n'))?.[1];
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.join('\n')).toContain(DEFAULT_SECRET_KEY);
    const res = await fetch(`${endpoint}/health/live`);
    expect(res.status).toBe(200);
    await stop();
    await expect(fetch(`${endpoint}/health/live`)).rejects.toThrow();
  });
});
