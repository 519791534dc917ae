/**
 * The storage lock as a container meets it. In the shipped image the server is PID 1, so after `docker kill`
 * (or an OOM kill) the next server — PID 1 again, in a new pid namespace — finds a lock naming its own pid: it
 * must take it over and serve, on the file and the block backend. A server whose storage a live process holds
 * (here, or in another container on the same volume) must exit 1 naming the holder, without ever listening —
 * never print its banner and answer 503 for ever.
 *
 * The production bundle (scripts/build-server.mjs) runs under `unshare --pid --fork --mount-proc`, as PID 1 of a
 * fresh pid namespace with its own /proc, the way a container runtime starts it. Those cases need root (or
 * CAP_SYS_ADMIN) and are skipped where `unshare` cannot create the namespace.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const BUILD = fileURLToPath(new URL('../../../scripts/build-server.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'strata-lock-takeover-'));
const bundle = join(dir, 'strata.mjs');
const NAMESPACE = ['--pid', '--fork', '--mount-proc', '--kill-child'];
const canUnshare = spawnSync('unshare', [...NAMESPACE, 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const BACKENDS = ['file', 'block'] as const;
const lockFileOf = (backend: (typeof BACKENDS)[number], data: string) => join(data, backend === 'file' ? '.strata-lock' : 'strata.img.lock');
const running: Server[] = [];

beforeAll(() => {
  const build = spawnSync(process.execPath, [BUILD, '--quiet', `--outfile=${bundle}`], { encoding: 'utf8', timeout: 60_000 });
  expect(build.status, build.stderr).toBe(0);
});
afterEach(async () => {
  for (const s of running.splice(0)) await s.kill();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Server {
  proc: ChildProcessByStdio<null, Readable, Readable>;
  output: () => string;
  /** Resolves with the exit code (fails after 15 s). */
  exit: () => Promise<number | null>;
  /** SIGKILLs the server process itself (PID 1 of its namespace, when in one), as `docker kill` does. */
  kill: () => Promise<void>;
}

/** Runs `strata serve` from the bundle on `data`, as PID 1 of a new pid namespace when `inNamespace`. */
function launch(backend: string, data: string, inNamespace: boolean): Server {
  const serve = [process.execPath, bundle, 'serve', '--backend', backend, '--data', data, '--port', '0'];
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATA_'))), NODE_OPTIONS: '' };
  const proc = inNamespace ? spawn('unshare', [...NAMESPACE, ...serve], { env, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(serve[0] as string, serve.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const exit = () => Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within 15 s:\n${out}`)), 15_000))]);
  const server: Server = {
    proc,
    output: () => out,
    exit,
    kill: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      // unshare --fork runs the server as its child; that child is PID 1 inside the namespace.
      const children = inNamespace ? readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
      for (const pid of children) process.kill(pid, 'SIGKILL');
      if (!inNamespace) proc.kill('SIGKILL');
      await exit().catch(() => proc.kill('SIGKILL'));
    },
  };
  running.push(server);
  return server;
}

/** Resolves with the endpoint once the banner is complete; fails on an early exit or after 20 s. */
async function endpointOf(server: Server): Promise<string> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
    const m = /endpoint:\s+(http:\/\/\S+)[\s\S]*backend:.*\n/.exec(server.output());
    if (m?.[1]) return m[1];
    if (server.proc.exitCode !== null) break;
  }
  throw new Error(`no endpoint (exit ${server.proc.exitCode}):\n${server.output()}`);
}

function client(endpoint: string): S3Client {
  return new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'strata', secretAccessKey: 'strata-secret-key' }, maxAttempts: 1 });
}

describe.skipIf(!canUnshare)('a container restart: the server is PID 1 again, and its predecessor was SIGKILLed', () => {
  it.each(BACKENDS)('the %s backend takes over the lock its predecessor left and serves S3 requests', async (backend) => {
    const data = join(dir, `restart-${backend}`);
    const first = launch(backend, data, true);
    const s3 = client(await endpointOf(first));
    await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
    await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'before-kill', Body: 'written by the first PID 1' }));
    s3.destroy();
    const stale = JSON.parse(readFileSync(lockFileOf(backend, data), 'utf8')) as { pid: number };
    expect(stale.pid).toBe(1);

    await first.kill();
    expect(JSON.parse(readFileSync(lockFileOf(backend, data), 'utf8'))).toEqual(stale); // a kill leaves the lock behind

    const second = launch(backend, data, true);
    const again = client(await endpointOf(second));
    try {
      const got = await again.send(new GetObjectCommand({ Bucket: 'kept', Key: 'before-kill' }));
      expect(got.$metadata.httpStatusCode).toBe(200);
      expect(await got.Body?.transformToString()).toBe('written by the first PID 1');
      const put = await again.send(new PutObjectCommand({ Bucket: 'kept', Key: 'after-restart', Body: 'x' }));
      expect(put.$metadata.httpStatusCode).toBe(200);
    } finally {
      again.destroy();
    }
    expect(JSON.parse(readFileSync(lockFileOf(backend, data), 'utf8'))).toMatchObject({ pid: 1 });
    expect(JSON.parse(readFileSync(lockFileOf(backend, data), 'utf8'))).not.toEqual(stale);
  }, 60_000);

  it.each(BACKENDS)('a second container on the same %s volume, also PID 1, exits 1 naming the live holder', async (backend) => {
    const data = join(dir, `two-containers-${backend}`);
    const holder = launch(backend, data, true);
    await endpointOf(holder);
    const second = launch(backend, data, true);
    expect(await second.exit()).toBe(1);
    expect(second.output()).toMatch(new RegExp(`^strata: cannot open the ${backend} storage in ${data}: .* is locked by process 1 \\(.*pid namespace pid:\\[\\d+\\]`));
    expect(second.output()).not.toMatch(/listening/);
    expect(holder.proc.exitCode).toBeNull();
  }, 60_000);
});

describe('a server whose storage another live process holds', () => {
  it.each(BACKENDS)('exits 1 on the %s backend with a message naming the holder pid, and never listens', async (backend) => {
    const data = join(dir, `held-${backend}`);
    const holder = launch(backend, data, false);
    await endpointOf(holder);
    const second = launch(backend, data, false);
    expect(await second.exit()).toBe(1);
    expect(second.output()).toMatch(new RegExp(`^strata: cannot open the ${backend} storage in ${data}: .* is locked by process ${holder.proc.pid} \\(`));
    expect(second.output()).not.toMatch(/listening|endpoint/);
    // The holder keeps serving.
    const s3 = client(await endpointOf(holder));
    try {
      expect((await s3.send(new CreateBucketCommand({ Bucket: 'still-served' }))).$metadata.httpStatusCode).toBe(200);
    } finally {
      s3.destroy();
    }
  }, 60_000);
});
