/**
 * `strata serve --data DIR` as users and the Docker image run it: the production bundle
 * (scripts/build-server.mjs, built once per test file into a temp directory, with the xattr add-on's `.node`
 * file beside it) under plain `node` — no tsx, no source condition — and the environment real S3 clients need
 * to reach it (credentials, region, isolated config files, rclone's remote `strata:`).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The credentials the server is started with. */
export const CREDENTIALS = { accessKeyId: 'plain-files', secretAccessKey: 'plain-files-secret/key+odd=chars' };
export const REGION = 'us-east-1';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Builds the production bundle into `dir` (`dir/dist/strata.mjs`, its `.node` files, and the package.json one
 * level above it that `strata --version` reads, as the Docker image lays them out); returns the bundle's path.
 */
export function buildBundle(dir: string): string {
  const outfile = join(dir, 'dist', 'strata.mjs');
  const build = spawnSync(process.execPath, [join(REPO, 'scripts', 'build-server.mjs'), '--quiet', `--outfile=${outfile}`], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (build.status !== 0) throw new Error(`scripts/build-server.mjs exited ${build.status}: ${build.stderr}`);
  copyFileSync(join(REPO, 'servers', 'object-server', 'package.json'), join(dir, 'package.json'));
  return outfile;
}

/** A running `strata serve`. */
export interface StrataProcess {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  child: ChildProcess;
  /** What the process printed so far. */
  output(): string;
  /** SIGTERM, then the exit code (the server drains and releases the data directory's lock first). */
  stop(): Promise<number | null>;
}

/** The environment without the machine's STRATA_* settings and without the test runner's loader options. */
function pristineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATA_')));
  return { ...env, NODE_OPTIONS: '' };
}

/** Starts `node <bundle> serve --data <data>` on 127.0.0.1:0; resolves once the banner names the endpoint. */
export function startStrata(bundle: string, data: string, extraArgs: string[] = []): Promise<StrataProcess> {
  const args = [bundle, 'serve', '--data', data, '--port', '0', '--access-key', CREDENTIALS.accessKeyId, '--secret-key', CREDENTIALS.secretAccessKey, ...extraArgs];
  const child = spawn(process.execPath, args, { env: pristineEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
        resolve({
          endpoint: m[1],
          child,
          output: () => out,
          async stop() {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing the endpoint:\n${out}`));
    });
  });
}

/**
 * The environment of client processes: credentials, region, isolated aws config files under `home`, no
 * metadata service, and rclone's remote `strata:` pointing at `endpoint`. No AWS_CA_BUNDLE: rclone refuses the
 * machine's on plain http.
 */
export function clientEnv(home: string, endpoint: string): NodeJS.ProcessEnv {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'aws-config'), `[default]\nregion = ${REGION}\n`);
  return {
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
    RCLONE_CONFIG_STRATA_TYPE: 's3',
    RCLONE_CONFIG_STRATA_PROVIDER: 'Other',
    RCLONE_CONFIG_STRATA_ENDPOINT: endpoint,
    RCLONE_CONFIG_STRATA_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    RCLONE_CONFIG_STRATA_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    RCLONE_CONFIG_STRATA_REGION: REGION,
  };
}
