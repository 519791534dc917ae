/**
 * The `strata` command line: `strata serve [options]`, each option with an environment-variable equivalent
 * (flags win over the environment). Parsing is separate from starting so it can be tested without a socket.
 *
 * Default credentials are public knowledge (they are in the README), so binding anything but a loopback
 * address with them requires `--allow-public-default-credentials`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Default access key, documented in the README. */
export const DEFAULT_ACCESS_KEY = 'strata';
/** Default secret key, documented in the README. */
export const DEFAULT_SECRET_KEY = 'strata-secret-key';

/** The storage backends `serve` can run on. */
export type Backend = 'file' | 'block' | 'memory';

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
  /** MiB of small objects kept in memory for reads (0: none). The backends `serve` opens are owned by this process alone, so the cache is coherent. @default 32 */
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
}

/** The usage text. */
export const USAGE = `Usage: strata serve [options]

Options (environment variable in brackets):
  --data DIR            data directory, created if missing [STRATA_DATA] (default ./.strata-data)
  --port N              port [STRATA_PORT] (default 9000)
  --host H              address to bind [STRATA_HOST] (default 127.0.0.1)
  --backend B           file | block | memory [STRATA_BACKEND] (default file)
  --read-cache-mb N     MiB of small objects (≤ 256 KiB) served from memory, 0 for none [STRATA_READ_CACHE_MB] (default 32)
  --access-key K        access key id [STRATA_ACCESS_KEY] (default ${DEFAULT_ACCESS_KEY})
  --secret-key S        secret access key [STRATA_SECRET_KEY] (default ${DEFAULT_SECRET_KEY})
  --region R            region [STRATA_REGION] (default us-east-1)
  --domain D            virtual-host domain, repeatable [STRATA_DOMAINS, comma-separated] (localhost is always on)
  --log-level L         fatal|error|warn|info|debug|trace|silent [STRATA_LOG_LEVEL] (default silent)
  --allow-public-default-credentials
                        allow a non-loopback --host with the default credentials [STRATA_ALLOW_PUBLIC_DEFAULT_CREDENTIALS=1]
  -h, --help            show this help
`;

/** A command-line mistake; the message is shown with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);

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
      'access-key': { type: 'string' },
      'secret-key': { type: 'string' },
      region: { type: 'string' },
      domain: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      'allow-public-default-credentials': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = Number(values.port ?? env.STRATA_PORT ?? 9000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535`);
  const backend = values.backend ?? env.STRATA_BACKEND ?? 'file';
  if (backend !== 'file' && backend !== 'block' && backend !== 'memory') throw new UsageError(`--backend must be file, block or memory`);
  const readCacheMB = Number(values['read-cache-mb'] ?? env.STRATA_READ_CACHE_MB ?? 32);
  if (!Number.isFinite(readCacheMB) || readCacheMB < 0 || readCacheMB > 65536) throw new UsageError(`--read-cache-mb must be a number from 0 to 65536`);
  const config: ServeConfig = {
    // Relative to where the user ran the command: `pnpm start` runs this package's script in its own folder,
    // and INIT_CWD (set by npm and pnpm) names the folder the user was in.
    data: resolve(env.INIT_CWD ?? process.cwd(), values.data ?? env.STRATA_DATA ?? '.strata-data'),
    port,
    host: values.host ?? env.STRATA_HOST ?? '127.0.0.1',
    backend,
    readCacheMB,
    accessKey: values['access-key'] ?? env.STRATA_ACCESS_KEY ?? DEFAULT_ACCESS_KEY,
    secretKey: values['secret-key'] ?? env.STRATA_SECRET_KEY ?? DEFAULT_SECRET_KEY,
    region: values.region ?? env.STRATA_REGION ?? 'us-east-1',
    domains: values.domain ?? (env.STRATA_DOMAINS ? env.STRATA_DOMAINS.split(',').map((d) => d.trim()).filter(Boolean) : []),
    logLevel: values['log-level'] ?? env.STRATA_LOG_LEVEL ?? 'silent',
    allowPublicDefaultCredentials:
      values['allow-public-default-credentials'] ?? ['1', 'true', 'yes'].includes((env.STRATA_ALLOW_PUBLIC_DEFAULT_CREDENTIALS ?? '').toLowerCase()),
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
