/**
 * `strata serve` as a real process (`bin/strata.js`, the package's `strata` bin) on the block and memory
 * backends: it starts on port 0, prints the endpoint, serves a PUT and GET through the AWS SDK, and exits 0 on
 * SIGTERM (after draining). The block backend keeps `strata.img` in the data directory.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY } from '../src/cli.ts';

const BIN = fileURLToPath(new URL('../bin/strata.js', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'strata-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The environment without STRATA_* settings of the machine running the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATA_')));
}

/** Starts the command and resolves with the endpoint its banner prints (fails after 20 s or on an early exit). */
function start(args: string[]): Promise<{ child: ChildProcess; endpoint: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no endpoint printed within 20 s:\n${out}`));
    }, 20_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /endpoint:\s+(http:\/\/\S+)/.exec(out);
      // The backend line is the last of the banner.
      if (m?.[1] && /backend:.*\n/.test(out)) {
        clearTimeout(timer);
        resolve({ child, endpoint: m[1], output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing the endpoint:\n${out}`));
    });
  });
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

async function putAndGet(endpoint: string): Promise<string> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: DEFAULT_ACCESS_KEY, secretAccessKey: DEFAULT_SECRET_KEY },
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'cli' }));
    await s3.send(new PutObjectCommand({ Bucket: 'cli', Key: 'hello.txt', Body: 'served by strata serve' }));
    return await (await s3.send(new GetObjectCommand({ Bucket: 'cli', Key: 'hello.txt' }))).Body!.transformToString();
  } finally {
    s3.destroy();
  }
}

describe('strata serve (process)', () => {
  it.each([
    ['block', true],
    ['memory', false],
  ] as const)('serves over the %s backend and exits 0 on SIGTERM', async (backend, usesData) => {
    const data = path.join(dir, backend);
    const { child, endpoint, output } = await start(['--backend', backend, '--data', data, '--port', '0']);
    try {
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(output()).toContain(`backend:    ${backend}`);
      expect(await putAndGet(endpoint)).toBe('served by strata serve');
      const exited = exitCode(child);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output()).toMatch(/SIGTERM received/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (usesData) expect(await readdir(data)).toContain('strata.img');
  }, 30_000);
});
