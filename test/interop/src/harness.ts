/**
 * The interop harness: the object server over the file adapter on 127.0.0.1:0 in a temp directory, and a
 * runner for real client commands with a clean, isolated environment (no user config, no metadata service).
 * Each test fails when the client exits non-zero or the bytes differ.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@strata/object-server';
import { createFileStorage } from '@strata/file';

/** The credentials the interop server accepts. */
export const CREDENTIALS = { accessKeyId: 'interop-access', secretAccessKey: 'interop-secret-key/with+odd=chars' };
export const REGION = 'us-east-1';

/** A running server and a scratch directory for client files. */
export interface InteropServer {
  endpoint: string;
  port: number;
  /** Scratch directory for files the clients read and write. */
  work: string;
  /** Environment for client processes: credentials, region, isolated config files. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Starts the server over a fresh file store. */
export async function startServer(): Promise<InteropServer> {
  const root = mkdtempSync(join(tmpdir(), 'strata-interop-'));
  const storage = await createFileStorage({ root: join(root, 'data') });
  const app = await buildApp({ storage, credentials: [CREDENTIALS], region: REGION, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const work = join(root, 'work');
  const home = join(root, 'home');
  for (const d of [work, home]) mkdirSync(d, { recursive: true });
  writeFileSync(join(home, 'aws-config'), `[default]\nregion = ${REGION}\n`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_REGION: REGION,
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    work,
    env,
    async close() {
      await app.close();
      await storage.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}


/** What a client command printed. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client command (bounded by `timeoutMs`); throws with its output when it exits non-zero. */
export async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { timeoutMs?: number; allowFail?: boolean; cwd?: string } = {}): Promise<RunResult> {
  const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  if (code !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${code}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-4000)}`);
  }
  return { code, stdout, stderr };
}

/** Deterministic bytes of `size` (SHA-256 counter mode). */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let off = 0, i = 0; off < size; off += 32, i++) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off, 0, Math.min(32, size - off));
  return out;
}

/** Hex MD5 of a buffer. */
export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/**
 * Whether to run a client's tests: locally they are skipped when the client is missing; in CI (`CI` set),
 * `.ci/run` installs every client, so a missing one fails the test instead of skipping it.
 */
export const available = (path: string) => existsSync(path) || Boolean(process.env.CI);
