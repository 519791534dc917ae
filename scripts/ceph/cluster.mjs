#!/usr/bin/env node
/**
 * A single-node Ceph cluster with the S3 gateway, on demand, from Debian's packages (`apt-get install ceph-mon
 * ceph-osd ceph-mgr radosgw ceph-common`): a monitor, a manager, one OSD on memstore and radosgw, on 127.0.0.1 in
 * a temporary directory, with free ports chosen at run time. It comes up in about 1.5 s and holds about
 * 600 MiB of memory. See `scripts/ceph/README.md`.
 *
 * API (what the test setup of `test/ceph` uses):
 *
 *   import { startCephCluster } from './scripts/ceph/cluster.mjs';
 *   const cluster = await startCephCluster({ users: [{ uid: 'tester' }] });
 *   cluster.endpoint; cluster.users[0].accessKey; await cluster.stop();
 *
 * Command line:
 *
 *   node scripts/ceph/cluster.mjs start [--dir DIR] [--bucket NAME]   prints the cluster as JSON; daemons stay up
 *   node scripts/ceph/cluster.mjs stop --dir DIR                     stops them (by pid) and removes DIR
 *   node scripts/ceph/cluster.mjs run [--bucket NAME] -- CMD ARGS…    start, run CMD with the endpoint in its
 *                                                                    environment, stop; exits with CMD's code
 */
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLUSTER_SUBDIRS, pickPorts, renderCephConf } from './config.mjs';
import { belongsTo, killPidsNow, readPids, runTool, startDaemon, startWatchdog, stopPids, writePids } from './processes.mjs';

/** The programs a cluster needs, and the Debian package of each. */
export const CEPH_TOOLS = Object.freeze({
  'ceph-mon': 'ceph-mon',
  'ceph-mgr': 'ceph-mgr',
  'ceph-osd': 'ceph-osd',
  radosgw: 'radosgw',
  'radosgw-admin': 'radosgw',
  ceph: 'ceph-common',
});

/** The Debian install line for the tools. */
export const CEPH_INSTALL_HINT = 'apt-get install -y ceph-mon ceph-osd ceph-mgr radosgw ceph-common';

/** The tools of {@link CEPH_TOOLS} not found on PATH. */
export function missingCephTools(path = process.env.PATH ?? '') {
  const dirs = path.split(delimiter).filter(Boolean);
  return Object.keys(CEPH_TOOLS).filter((tool) => !dirs.some((d) => isExecutable(join(d, tool))));
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A file in the cluster directory describing it (endpoint, users, ports) for `stop` and other processes. */
const STATE_FILE = 'cluster.json';

/**
 * Starts a cluster. Rejects — after stopping every daemon it started and copying their logs to a kept
 * directory named in the error — when a step fails or the whole start-up outlives `timeoutMs`.
 *
 * @param {import('./cluster.d.mts').CephClusterOptions} [options]
 * @returns {Promise<import('./cluster.d.mts').CephCluster>}
 */
export async function startCephCluster(options = {}) {
  const { timeoutMs = 60_000, detached = false, manager = true } = options;
  const missing = missingCephTools();
  if (missing.length > 0) throw new Error(`Ceph tools missing: ${missing.join(', ')} (install: ${CEPH_INSTALL_HINT})`);
  const began = Date.now();
  const deadline = began + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const dir = resolve(options.dir ?? mkdtempSync(join(tmpdir(), 'strata-ceph-')));
  for (const sub of CLUSTER_SUBDIRS) mkdirSync(join(dir, sub), { recursive: true });
  const conf = join(dir, 'ceph.conf');
  const ports = await pickPorts();
  writeFileSync(conf, renderCephConf({ dir, ports }));
  const endpoint = `http://127.0.0.1:${ports.rgw}`;

  /** Daemons in start order; stopped in reverse. */
  const daemons = [];
  const pids = () => daemons.map((d) => d.pid).reverse();
  const watchdog = detached ? undefined : startWatchdog({ dir, conf, ownerPid: process.pid });
  const killOnExit = () => killPidsNow(pids(), conf);
  if (!detached) process.once('exit', killOnExit);
  const start = (name, bin, args) => {
    daemons.push(startDaemon({ dir, name, bin, args: ['-c', conf, ...args, '-f'], detached }));
    writePids(dir, pids());
  };
  const stopAll = async () => {
    if (watchdog !== undefined) await stopPids([watchdog], { conf, graceMs: 500 });
    await stopPids(pids(), { conf });
    process.off('exit', killOnExit);
  };

  /** Milliseconds since `began` at the end of each step, to see where a slow start spent its time. */
  const timings = {};
  const mark = (step) => (timings[step] = Date.now() - began);
  try {
    await runTool('ceph-mon', ['-c', conf, '-i', 'a', '--mkfs', '--keyring', '/dev/null'], { timeoutMs: left() });
    mark('mon mkfs');
    start('mon.a', 'ceph-mon', ['-i', 'a']);
    if (manager) start('mgr.x', 'ceph-mgr', ['-i', 'x']);
    const osdUuid = randomUUID();
    const osdId = (await runTool('ceph', ['-c', conf, '--connect-timeout', String(Math.ceil(left() / 1000)), 'osd', 'new', osdUuid], { timeoutMs: left() })).trim();
    mark('osd new');
    if (osdId !== '0') throw new Error(`expected the first OSD to get id 0, got "${osdId}"`);
    await runTool('ceph-osd', ['-c', conf, '-i', osdId, '--mkfs', '--osd-uuid', osdUuid], { timeoutMs: left() });
    mark('osd mkfs');
    start('osd.0', 'ceph-osd', ['-i', osdId]);
    start('client.rgw.r', 'radosgw', ['-n', 'client.rgw.r']);
    await waitForGateway(endpoint, daemons, deadline);
    mark('gateway answers');
    const users = [];
    for (const user of options.users ?? [{ uid: 'strata' }]) users.push(await createUser(conf, user, left()));
    mark('users');
    for (const bucket of options.buckets ?? []) await createBucket(endpoint, users[0], bucket);
    const startupMs = Date.now() - began;
    const cluster = { dir, conf, endpoint, ports, users, startupMs, timings, pids: Object.fromEntries(daemons.map((d) => [d.name, d.pid])) };
    writeFileSync(join(dir, STATE_FILE), JSON.stringify(cluster, null, 2));
    return {
      ...cluster,
      logs: () => logTails(dir),
      async stop({ keepDir = false } = {}) {
        await stopAll();
        if (!keepDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    const tails = logTails(dir);
    await stopAll();
    const kept = keepLogs(dir);
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    const reason = Date.now() >= deadline ? `did not start within ${timeoutMs} ms` : 'failed to start';
    throw new Error(`Ceph cluster ${reason}: ${e instanceof Error ? e.message : String(e)}\nlogs kept in ${kept}\n${tails}`, { cause: e });
  }
}

/**
 * Stops a cluster started by another process (`cluster.mjs start`): SIGTERM, then SIGKILL, to each pid recorded
 * in `dir` whose command line names the cluster's `ceph.conf`, then removes `dir`.
 */
export async function stopCephCluster(dir) {
  const abs = resolve(dir);
  const conf = join(abs, 'ceph.conf');
  const pids = readPids(abs);
  if (pids.length === 0 && !existsSync(abs)) throw new Error(`no cluster in ${abs}`);
  await stopPids(pids, { conf });
  const survivors = pids.filter((p) => belongsTo(p, conf));
  if (survivors.length > 0) throw new Error(`pids ${survivors.join(', ')} still run; ${abs} kept`);
  rmSync(abs, { recursive: true, force: true });
}

/** Polls the gateway until it answers HTTP; fails at once when a daemon has exited, or at the deadline. */
async function waitForGateway(endpoint, daemons, deadline) {
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const dead = daemons.find((d) => d.exited);
    if (dead) throw new Error(`${dead.name} exited (code ${dead.exitCode}, signal ${dead.signal}) before the gateway answered`);
    try {
      const res = await fetch(endpoint, { signal: AbortSignal.timeout(Math.max(1, Math.min(2_000, deadline - Date.now()))) });
      await res.arrayBuffer();
      return;
    } catch (e) {
      last = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    }
    await sleep(50);
  }
  throw new Error(`the gateway at ${endpoint} did not answer (${last})`);
}

/** Creates an S3 user with `radosgw-admin`; keys are generated when not given. */
async function createUser(conf, user, timeoutMs) {
  const accessKey = user.accessKey ?? `STRATA${randomBytes(7).toString('hex').toUpperCase()}`;
  const secretKey = user.secretKey ?? randomBytes(20).toString('base64url');
  // A test run creates many buckets (one per storage in some suites); RGW's default cap is 1000 per user.
  const args = ['-c', conf, 'user', 'create', '--uid', user.uid, '--display-name', user.uid, '--access-key', accessKey, '--secret-key', secretKey, '--max-buckets', '100000'];
  await runTool('radosgw-admin', args, { timeoutMs });
  return { uid: user.uid, accessKey, secretKey };
}

/**
 * Creates a bucket with one signed PUT. Signature V2 (HMAC-SHA1 over `PUT\n\n\n<date>\n/<bucket>`, which the
 * gateway accepts as S3 did) keeps this script free of SDK dependencies; the tests themselves sign with V4.
 */
export async function createBucket(endpoint, user, bucket) {
  const date = new Date().toUTCString();
  const signature = createHmac('sha1', user.secretKey).update(`PUT\n\n\n${date}\n/${bucket}`).digest('base64');
  const res = await fetch(`${endpoint}/${bucket}`, { method: 'PUT', headers: { date, authorization: `AWS ${user.accessKey}:${signature}` } });
  const body = await res.text();
  if (!res.ok) throw new Error(`CreateBucket ${bucket}: HTTP ${res.status} ${body}`);
}

/** The last lines of every log of the cluster, for an error message. */
function logTails(dir, lines = 25) {
  const logDir = join(dir, 'log');
  let names = [];
  try {
    names = readdirSync(logDir).sort();
  } catch {
    return '(no logs)';
  }
  return names
    .map((name) => {
      const text = readFileSync(join(logDir, name), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      return `--- ${name} ---\n${text}`;
    })
    .join('\n');
}

/** Copies the cluster's logs to a directory that outlives it; returns that directory. */
function keepLogs(dir) {
  const kept = mkdtempSync(join(tmpdir(), 'strata-ceph-failed-'));
  try {
    cpSync(join(dir, 'log'), kept, { recursive: true });
    cpSync(join(dir, 'ceph.conf'), join(kept, 'ceph.conf'));
  } catch {
    // Whatever could be copied is there.
  }
  return kept;
}

/** `start`, `stop` and `run`, as described at the top of this file. */
async function cli(argv) {
  const [command, ...rest] = argv;
  const flag = (name) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 && i + 1 < rest.length ? rest[i + 1] : undefined;
  };
  const buckets = flag('bucket') ? [flag('bucket')] : [];
  if (command === 'start') {
    const cluster = await startCephCluster({ dir: flag('dir'), detached: true, buckets });
    const { logs: _logs, stop: _stop, ...plain } = cluster;
    console.log(JSON.stringify(plain, null, 2));
    return 0;
  }
  if (command === 'stop') {
    const dir = flag('dir');
    if (dir === undefined) throw new Error('stop needs --dir DIR');
    await stopCephCluster(dir);
    return 0;
  }
  if (command === 'run') {
    const dash = rest.indexOf('--');
    const cmd = dash >= 0 ? rest.slice(dash + 1) : [];
    if (cmd.length === 0) throw new Error('run needs -- CMD ARGS…');
    const bucket = buckets[0] ?? 'strata-test';
    const cluster = await startCephCluster({ buckets: [bucket] });
    console.error(`ceph: gateway ${cluster.endpoint} up in ${cluster.startupMs} ms, bucket ${bucket}`);
    try {
      const user = cluster.users[0];
      const env = {
        ...process.env,
        STRATA_S3_ENDPOINT: cluster.endpoint,
        STRATA_S3_BUCKET: bucket,
        STRATA_S3_PROBE: '1',
        STRATA_S3_ENDPOINT_KIND: 'ceph-rgw',
        AWS_ACCESS_KEY_ID: user.accessKey,
        AWS_SECRET_ACCESS_KEY: user.secretKey,
        AWS_REGION: 'us-east-1',
      };
      const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit', env });
      return await new Promise((resolveCode) => child.once('close', (code) => resolveCode(code ?? 1)));
    } finally {
      await cluster.stop();
    }
  }
  console.error('usage: cluster.mjs start [--dir DIR] [--bucket B] | stop --dir DIR | run [--bucket B] -- CMD ARGS…');
  return 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`cluster.mjs: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
