/**
 * The cluster of docker-compose.yml's `ceph` profile, run here without Docker: docker/ceph/entrypoint.sh with
 * this machine's Ceph (the same 16.2 release the profile's image carries) on free ports in a temporary
 * directory. It must bring up the gateway with the configured user and bucket, mark itself ready (the compose
 * health check), serve `strata serve --backend s3` as the profile's `strata-ceph` service is configured — the
 * upstream bucket and keys from the environment — and stop every daemon on SIGTERM (`docker compose stop`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { pickPorts } from '../../../scripts/ceph/config.mjs';
import { CEPH_REGION } from '../src/ceph.ts';
import type { CephGateway } from '../src/ceph.ts';
import { FRONT_CREDENTIALS, startGateway } from '../src/gateway-process.ts';

const SCRIPT = fileURLToPath(new URL('../../../docker/ceph/entrypoint.sh', import.meta.url));
const USER = { uid: 'compose', accessKey: 'STRATACOMPOSE1', secretKey: 'compose-secret/with+odd=chars' };
const BUCKET = 'strata';
/** Bounds of the start-up and of the stop. */
const READY_MS = 90_000;
const STOP_MS = 20_000;

/** Pids of live processes whose command line names `conf`. */
function processesNaming(conf: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(conf);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function exited(child: ChildProcess, ms: number): Promise<number | null | 'timeout'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe.skipIf(skipWithout('ceph'))('docker/ceph/entrypoint.sh (the compose ceph profile) on this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-compose-ceph-'));
  const conf = join(dir, 'ceph.conf');
  let entrypoint: ChildProcess;
  let output = '';
  let endpoint: string;

  beforeAll(async () => {
    const ports = await pickPorts();
    endpoint = `http://127.0.0.1:${ports.rgw}`;
    const env = {
      PATH: process.env.PATH,
      CEPH_DIR: dir,
      CEPH_UID: USER.uid,
      CEPH_ACCESS_KEY: USER.accessKey,
      CEPH_SECRET_KEY: USER.secretKey,
      CEPH_BUCKET: BUCKET,
      CEPH_RGW_HOST: '127.0.0.1',
      CEPH_RGW_PORT: String(ports.rgw),
      CEPH_MON_PORT: String(ports.mon),
      CEPH_BIND_MIN: String(ports.bindMin),
      CEPH_BIND_MAX: String(ports.bindMax),
    };
    entrypoint = spawn('bash', [SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    entrypoint.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    entrypoint.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const deadline = Date.now() + READY_MS;
    while (!existsSync(join(dir, 'ready'))) {
      if (entrypoint.exitCode !== null) throw new Error(`entrypoint.sh exited with ${entrypoint.exitCode} before ready:\n${output}`);
      if (Date.now() > deadline) throw new Error(`entrypoint.sh not ready within ${READY_MS} ms:\n${output}`);
      await sleep(100);
    }
  }, READY_MS + 10_000);

  afterAll(async () => {
    if (entrypoint.exitCode === null) {
      entrypoint.kill('SIGKILL');
      for (const pid of processesNaming(conf)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves S3 with the configured user, who owns the configured bucket', async () => {
    const client = new S3Client({ endpoint, region: CEPH_REGION, forcePathStyle: true, credentials: { accessKeyId: USER.accessKey, secretAccessKey: USER.secretKey } });
    try {
      const { Buckets } = await client.send(new ListBucketsCommand({}));
      expect(Buckets?.map((b) => b.Name)).toEqual([BUCKET]);
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'direct.txt', Body: 'to RGW' }));
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'direct.txt' }));
      expect(await got.Body?.transformToString()).toBe('to RGW');
    } finally {
      client.destroy();
    }
  });

  it('carries `strata serve --backend s3` configured as the strata-ceph service: the bucket as upstream, the keys from the environment', async () => {
    const upstream: CephGateway = { state: 'up', endpoint, user: USER, startupMs: 0, conf };
    const gateway = await startGateway(upstream, ['--upstream-bucket', BUCKET]);
    const front = new S3Client({ endpoint: gateway.endpoint, region: CEPH_REGION, forcePathStyle: true, credentials: FRONT_CREDENTIALS });
    try {
      await front.send(new CreateBucketCommand({ Bucket: 'via-strata' }));
      await front.send(new PutObjectCommand({ Bucket: 'via-strata', Key: 'a/b.txt', Body: 'through the gateway' }));
      const got = await front.send(new GetObjectCommand({ Bucket: 'via-strata', Key: 'a/b.txt' }));
      expect(await got.Body?.transformToString()).toBe('through the gateway');
    } finally {
      front.destroy();
      expect(await gateway.stop()).toBe(0);
    }
  });

  it('stops every daemon on SIGTERM, as `docker compose stop` sends it, and exits 0', async () => {
    expect(processesNaming(conf).length).toBeGreaterThanOrEqual(4); // mon, mgr, osd, radosgw
    entrypoint.kill('SIGTERM');
    expect(await exited(entrypoint, STOP_MS)).toBe(0);
    expect(processesNaming(conf)).toEqual([]);
    expect(existsSync(join(dir, 'ready'))).toBe(false);
  }, STOP_MS + 5_000);
});
