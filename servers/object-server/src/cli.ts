/**
 * The `strata` command line: `strata serve [options]`, each option with an environment-variable equivalent
 * (flags win over the environment). Parsing is separate from starting so it can be tested without a socket.
 *
 * Default credentials are public knowledge (they are in the README), so binding anything but a loopback
 * address with them requires `--allow-public-default-credentials`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConsoleMode } from './console-route.ts';
import type { ConsoleMode } from './console-route.ts';
import { DEFAULT_HTTP_LIMITS } from './http-limits.ts';
import type { BootstrapConfig } from './iam/bootstrap.ts';
import { BOOTSTRAP_ARG_OPTIONS, BOOTSTRAP_USAGE, parseBootstrapOptions } from './iam/bootstrap-options.ts';
import type { HttpLimits } from './http-limits.ts';
import { UPSTREAM_ARG_OPTIONS, UPSTREAM_USAGE, parseUpstreamOptions } from './upstream-options.ts';
import type { UpstreamConfig } from './upstream-options.ts';

/** Default access key, documented in the README. */
export const DEFAULT_ACCESS_KEY = 'strata';
/** Default secret key, documented in the README. */
export const DEFAULT_SECRET_KEY = 'strata-secret-key';

/** The storage backends `serve` can run on. */
export type Backend = 'file' | 'block' | 'memory' | 's3';

/** A fully resolved `serve` configuration. */
export interface ServeConfig {
  /** @default './.strata-data' */
  data: string;
  /** @default 9000 */
  port: number;
  /** @default '127.0.0.1' */
  host: string;
  /** @default 'file' */
  backend: Backend;
  /**
   * The file backend's data directory is written by this server alone: read-cache hits are not checked against
   * the files (one lstat each), so a cached object changed there by another program is served stale until it
   * is written through the server or evicted. @default false
   */
  dataExclusive: boolean;
  /** MiB of small objects kept in memory for reads (0: none). The local backends are owned by this process alone, so the cache is coherent; an S3 upstream may be shared, so it is off there. @default 32 (0 with s3) */
  readCacheMB: number;
  accessKey: string;
  secretKey: string;
  /** @default 'us-east-1' */
  region: string;
  /** Extra virtual-host domains besides `localhost`. */
  domains: string[];
  /** pino log level, or 'silent'. @default 'silent' */
  logLevel: string;
  allowPublicDefaultCredentials: boolean;
  /** Timeouts and caps on connections and requests. @default DEFAULT_HTTP_LIMITS */
  httpLimits: HttpLimits;
  /** The upstream S3 endpoint of the `s3` backend (upstream-options.ts). */
  upstream?: UpstreamConfig;
  /** The web console at `/console/`: off, on the S3 port, or on a port of its own (console-route.ts). @default 'on' for a loopback host, else 'off' (and 'off' when absent) */
  console?: ConsoleMode;
  /** Buckets, users and policies created at start (`--bucket`, `--config`; iam/bootstrap.ts). */
  bootstrap?: BootstrapConfig;
  /** A file holding the SSE-S3 master key (64 hex characters or base64 of 32 bytes); else `STRATA_SSE_MASTER_KEY` holds the key itself (encryption/key-wrap.ts). */
  sseMasterKeyFile?: string;
  /** ms between passes of the lifecycle worker (lifecycle/lifecycle-worker.ts). @default DEFAULT_LIFECYCLE_INTERVAL_MS (when absent) */
  lifecycleIntervalMs?: number;
}

/** How often the lifecycle worker runs when `--lifecycle-interval-ms` is not given: hourly. */
export const DEFAULT_LIFECYCLE_INTERVAL_MS = 60 * 60 * 1000;

/** The usage text. */
export const USAGE = `Usage: strata serve [options]
       strata --version

Options (environment variable in brackets):
  --data DIR            data directory, created if missing [STRATA_DATA] (default ./.strata-data)
  --port N              port [STRATA_PORT] (default 9000)
  --host H              address to bind [STRATA_HOST] (default 127.0.0.1)
  --backend B           file | block | memory | s3 [STRATA_BACKEND] (default file)
  --read-cache-mb N     MiB of small objects (≤ 1 MiB) served from memory, 0 for none [STRATA_READ_CACHE_MB] (default 32)
  --data-exclusive      nothing but this server writes into --data: cached objects are not checked against their
                        files on each read, so one changed there by another program may be served stale
                        [STRATA_DATA_EXCLUSIVE=1] (default off: every cached read checks its file)
  --access-key K        access key id [STRATA_ACCESS_KEY] (default ${DEFAULT_ACCESS_KEY})
  --secret-key S        secret access key [STRATA_SECRET_KEY] (default ${DEFAULT_SECRET_KEY})
  --region R            region [STRATA_REGION] (default us-east-1)
  --sse-master-key-file F
                        file holding the SSE-S3 master key, 64 hex characters or base64 of 32 bytes
                        [STRATA_SSE_MASTER_KEY holds the key itself] (default none: SSE-S3 is refused)
  --domain D            virtual-host domain, repeatable [STRATA_DOMAINS, comma-separated] (localhost is always on)
  --log-level L         fatal|error|warn|info|debug|trace|silent [STRATA_LOG_LEVEL] (default silent)
  --body-idle-timeout-ms N
                        ms a request body may stall before 400 RequestTimeout [STRATA_BODY_IDLE_TIMEOUT_MS] (default ${DEFAULT_HTTP_LIMITS.bodyIdleTimeoutMs})
  --headers-timeout-ms N
                        ms for a request's headers to arrive [STRATA_HEADERS_TIMEOUT_MS] (default ${DEFAULT_HTTP_LIMITS.headersTimeoutMs})
  --keep-alive-timeout-ms N
                        ms an idle keep-alive connection stays open [STRATA_KEEP_ALIVE_TIMEOUT_MS] (default ${DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs})
  --max-connections N   open connections at most [STRATA_MAX_CONNECTIONS] (default ${DEFAULT_HTTP_LIMITS.maxConnections})
  --max-concurrent-requests N
                        requests served at once, more get 503 SlowDown [STRATA_MAX_CONCURRENT_REQUESTS] (default ${DEFAULT_HTTP_LIMITS.maxConcurrentRequests})
  --lifecycle-interval-ms N
                        ms between passes applying lifecycle rules [STRATA_LIFECYCLE_INTERVAL_MS] (default ${DEFAULT_LIFECYCLE_INTERVAL_MS})
  --console off|on|PORT
                        web console at /console/: off, on the S3 port, or on a PORT of its own [STRATA_CONSOLE]
                        (default on when --host is a loopback address, else off)
${BOOTSTRAP_USAGE}
  --allow-public-default-credentials
                        allow a non-loopback --host with the default credentials [STRATA_ALLOW_PUBLIC_DEFAULT_CREDENTIALS=1]
  -h, --help            show this help
  -v, --version         print the version of @strata/object-server
${UPSTREAM_USAGE}`;

/** Set by scripts/build-server.mjs (esbuild `define`) in the production bundle; undeclared anywhere else. */
declare const STRATA_BUNDLED_VERSION: string | undefined;

/**
 * The version in this package's package.json: built into the production bundle (which may run from any
 * directory), else read from the package.json one level above this module (`src/` and the build's `dist/`).
 */
export function packageVersion(): string {
  if (typeof STRATA_BUNDLED_VERSION === 'string') return STRATA_BUNDLED_VERSION;
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('the package.json of @strata/object-server has no version');
  return manifest.version;
}

/**
 * What the start banner shows for the secret key: the key itself only while it is the published default, so a
 * first run can be copied from; a secret the operator chose stays off the terminal and out of captured logs.
 */
export function bannerSecret(secretKey: string): string {
  return secretKey === DEFAULT_SECRET_KEY ? secretKey : '(set by --secret-key or STRATA_SECRET_KEY; not shown)';
}

/** A command-line mistake; the message is shown with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The flags and environment variables of the HTTP limits. */
const HTTP_LIMIT_FLAGS = [
  ['body-idle-timeout-ms', 'STRATA_BODY_IDLE_TIMEOUT_MS', 'bodyIdleTimeoutMs'],
  ['headers-timeout-ms', 'STRATA_HEADERS_TIMEOUT_MS', 'headersTimeoutMs'],
  ['keep-alive-timeout-ms', 'STRATA_KEEP_ALIVE_TIMEOUT_MS', 'keepAliveTimeoutMs'],
  ['max-connections', 'STRATA_MAX_CONNECTIONS', 'maxConnections'],
  ['max-concurrent-requests', 'STRATA_MAX_CONCURRENT_REQUESTS', 'maxConcurrentRequests'],
] as const satisfies readonly (readonly [string, string, keyof HttpLimits])[];

/** The HTTP limits from their flags, else their environment variables, else the defaults. */
function parseHttpLimits(values: Partial<Record<(typeof HTTP_LIMIT_FLAGS)[number][0], string>>, env: NodeJS.ProcessEnv): HttpLimits {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS };
  for (const [flag, variable, name] of HTTP_LIMIT_FLAGS) {
    const raw = values[flag] ?? env[variable];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value <= 0) throw new UsageError(`--${flag} must be a positive integer`);
    limits[name] = value;
  }
  return limits;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);

/** A yes/no environment variable: `1`, `true` or `yes` (any case) is on; unset or anything else is off. */
const envFlag = (value: string | undefined): boolean => ['1', 'true', 'yes'].includes((value ?? '').toLowerCase());

/** Parses `serve` arguments (after the `serve` word) and the environment into a config. */
export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      backend: { type: 'string' },
      'read-cache-mb': { type: 'string' },
      'data-exclusive': { type: 'boolean' },
      'access-key': { type: 'string' },
      'secret-key': { type: 'string' },
      region: { type: 'string' },
      'sse-master-key-file': { type: 'string' },
      domain: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      'allow-public-default-credentials': { type: 'boolean' },
      console: { type: 'string' },
      'lifecycle-interval-ms': { type: 'string' },
      ...BOOTSTRAP_ARG_OPTIONS,
      'body-idle-timeout-ms': { type: 'string' },
      'headers-timeout-ms': { type: 'string' },
      'keep-alive-timeout-ms': { type: 'string' },
      'max-connections': { type: 'string' },
      'max-concurrent-requests': { type: 'string' },
      ...UPSTREAM_ARG_OPTIONS,
    },
    strict: true,
    allowPositionals: false,
  });
  const port = Number(values.port ?? env.STRATA_PORT ?? 9000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535`);
  const backend = values.backend ?? env.STRATA_BACKEND ?? 'file';
  if (backend !== 'file' && backend !== 'block' && backend !== 'memory' && backend !== 's3') throw new UsageError(`--backend must be file, block, memory or s3`);
  const upstream = parseUpstreamOptions(backend, values, env);
  if (typeof upstream === 'string') throw new UsageError(upstream);
  const readCacheMB = Number(values['read-cache-mb'] ?? env.STRATA_READ_CACHE_MB ?? (backend === 's3' ? 0 : 32));
  if (!Number.isFinite(readCacheMB) || readCacheMB < 0 || readCacheMB > 65536) throw new UsageError(`--read-cache-mb must be a number from 0 to 65536`);
  const host = values.host ?? env.STRATA_HOST ?? '127.0.0.1';
  const consoleMode = parseConsoleMode(values.console ?? env.STRATA_CONSOLE, isLoopback(host));
  if ('error' in consoleMode) throw new UsageError(consoleMode.error);
  const lifecycleRaw = values['lifecycle-interval-ms'] ?? env.STRATA_LIFECYCLE_INTERVAL_MS;
  const lifecycleIntervalMs = lifecycleRaw === undefined ? undefined : Number(lifecycleRaw);
  if (lifecycleIntervalMs !== undefined && (!/^\d+$/.test(String(lifecycleRaw).trim()) || !Number.isSafeInteger(lifecycleIntervalMs) || lifecycleIntervalMs <= 0)) {
    throw new UsageError('--lifecycle-interval-ms must be a positive integer');
  }
  const bootstrap = parseBootstrapOptions(values, env, env.INIT_CWD ?? process.cwd());
  if (typeof bootstrap === 'string') throw new UsageError(bootstrap);
  const config: ServeConfig = {
    // Relative to where the user ran the command: `pnpm start` runs this package's script in its own folder,
    // and INIT_CWD (set by npm and pnpm) names the folder the user was in.
    data: resolve(env.INIT_CWD ?? process.cwd(), values.data ?? env.STRATA_DATA ?? '.strata-data'),
    port,
    host,
    backend,
    readCacheMB,
    dataExclusive: values['data-exclusive'] ?? envFlag(env.STRATA_DATA_EXCLUSIVE),
    accessKey: values['access-key'] ?? env.STRATA_ACCESS_KEY ?? DEFAULT_ACCESS_KEY,
    secretKey: values['secret-key'] ?? env.STRATA_SECRET_KEY ?? DEFAULT_SECRET_KEY,
    region: values.region ?? env.STRATA_REGION ?? 'us-east-1',
    domains: values.domain ?? (env.STRATA_DOMAINS ? env.STRATA_DOMAINS.split(',').map((d) => d.trim()).filter(Boolean) : []),
    logLevel: values['log-level'] ?? env.STRATA_LOG_LEVEL ?? 'silent',
    allowPublicDefaultCredentials:
      values['allow-public-default-credentials'] ?? envFlag(env.STRATA_ALLOW_PUBLIC_DEFAULT_CREDENTIALS),
    httpLimits: parseHttpLimits(values, env),
    ...(upstream ? { upstream } : {}),
    console: consoleMode.mode,
    ...(bootstrap ? { bootstrap } : {}),
    ...(lifecycleIntervalMs !== undefined ? { lifecycleIntervalMs } : {}),
    ...(values['sse-master-key-file'] !== undefined ? { sseMasterKeyFile: resolve(env.INIT_CWD ?? process.cwd(), values['sse-master-key-file']) } : {}),
  };
  if (config.accessKey === '' || config.secretKey === '') throw new UsageError('access key and secret key must not be empty');
  const defaults = config.accessKey === DEFAULT_ACCESS_KEY || config.secretKey === DEFAULT_SECRET_KEY;
  if (defaults && !isLoopback(config.host) && !config.allowPublicDefaultCredentials) {
    throw new UsageError(
      `refusing to bind ${config.host} with the default (published) credentials: set --access-key/--secret-key, or pass --allow-public-default-credentials`,
    );
  }
  return config;
}
