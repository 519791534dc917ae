/**
 * `strata serve --backend s3` as a real process (the package's `strata` bin, run from the TypeScript sources)
 * in front of the Ceph gateway: started on 127.0.0.1:0, ready once its banner is printed, stopped with SIGTERM.
 * The upstream credentials go through the environment (`STRATA_UPSTREAM_ACCESS_KEY` / `_SECRET_KEY`), the
 * rest as flags, so both ways of configuring the upstream are used.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CephGateway } from './ceph.ts';

const BIN = fileURLToPath(new URL('../../../servers/object-server/bin/strata.js', import.meta.url));

/** The Strata front's own credentials (what its clients sign with), apart from the upstream's. */
export const FRONT_CREDENTIALS = { accessKeyId: 'strata-front', secretAccessKey: 'strata-front-secret/with+odd=chars' };

/** A running `strata serve --backend s3`. */
export interface GatewayProcess {
  endpoint: string;
  /** What it printed so far (banner, errors). */
  output(): string;
  /** SIGTERM, then resolves with the exit code (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

/** The environment without the machine's own STRATA_* and AWS_* settings, plus the upstream's credentials. */
function gatewayEnv(ceph: CephGateway): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATA_') && !k.startsWith('AWS_')));
  return { ...env, STRATA_UPSTREAM_ACCESS_KEY: ceph.user.accessKey, STRATA_UPSTREAM_SECRET_KEY: ceph.user.secretKey, AWS_EC2_METADATA_DISABLED: 'true' };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

/**
 * Runs `strata serve --backend s3 --upstream <ceph> …args` and resolves once it listens, or rejects with its
 * output when it exits first or prints nothing within 30 s.
 */
export function startGateway(ceph: CephGateway, args: string[]): Promise<GatewayProcess> {
  const argv = [BIN, 'serve', '--backend', 's3', '--upstream', ceph.endpoint, '--port', '0', '--access-key', FRONT_CREDENTIALS.accessKeyId, '--secret-key', FRONT_CREDENTIALS.secretAccessKey, ...args];
  const child = spawn(process.execPath, argv, { env: gatewayEnv(ceph), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited(child);
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strata serve printed no endpoint within 30 s:\n${out}`));
    }, 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /endpoint:\s+(http:\/\/\S+)/.exec(out);
      // The backend line is the last of the banner.
      if (m?.[1] && /backend:.*\n/.test(out)) {
        clearTimeout(timer);
        resolve({ endpoint: m[1], output: () => out, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`strata serve exited with ${code} before listening:\n${out}`), { code, output: out }));
    });
  });
}
