/**
 * The options of `strata serve --backend s3`: where the upstream S3 endpoint keeps Strata's namespace, and with
 * which credentials to reach it. Parsed here, without loading the S3 adapter (`backend-s3.ts` opens it, and only
 * when the backend is chosen), so the other backends do not pay for the AWS SDK.
 *
 * The whole namespace of the gateway — every bucket its clients see as a first-level key segment, and the server
 * state under `.strata/` — lives in one upstream location: a bucket (`--upstream-bucket B`) or a key prefix in a
 * bucket (`--upstream-prefix B/P`, or `--upstream-bucket B --upstream-prefix P`). Gateways given the same
 * location share one namespace.
 */

/** Where and how to reach the upstream S3 endpoint. */
export interface UpstreamConfig {
  /** The endpoint URL (`http://127.0.0.1:7480`), addressed path-style. */
  url: string;
  /** The upstream bucket holding the namespace; it must exist. */
  bucket: string;
  /** The key prefix inside `bucket` ('' for the whole bucket); ends with '/' when not empty. */
  prefix: string;
  /** The region the upstream requests are signed for. @default 'us-east-1' */
  region: string;
  /** Static upstream credentials; absent: the AWS SDK's default chain (AWS_ACCESS_KEY_ID, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The `parseArgs` options of the upstream flags (merged into `serve`'s). */
export const UPSTREAM_ARG_OPTIONS = {
  upstream: { type: 'string' },
  'upstream-bucket': { type: 'string' },
  'upstream-prefix': { type: 'string' },
  'upstream-region': { type: 'string' },
  'upstream-access-key': { type: 'string' },
  'upstream-secret-key': { type: 'string' },
} as const;

/** The usage lines of the upstream flags. */
export const UPSTREAM_USAGE = `
With --backend s3 (a gateway over an S3 endpoint; the read cache is off unless --read-cache-mb is given):
  --upstream URL        the upstream S3 endpoint, path-style [STRATA_UPSTREAM]
  --upstream-bucket B   the upstream bucket holding every bucket of this server [STRATA_UPSTREAM_BUCKET]
  --upstream-prefix P   a key prefix in it instead of the whole bucket; alone, "B/P" names both [STRATA_UPSTREAM_PREFIX]
  --upstream-region R   region of the upstream signatures [STRATA_UPSTREAM_REGION] (default us-east-1)
  --upstream-access-key K, --upstream-secret-key S
                        upstream credentials [STRATA_UPSTREAM_ACCESS_KEY, STRATA_UPSTREAM_SECRET_KEY]
                        (default: the AWS SDK's chain, e.g. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)
`;

type UpstreamValues = Partial<Record<keyof typeof UPSTREAM_ARG_OPTIONS, string>>;

const FLAG_ENV: Readonly<Record<keyof typeof UPSTREAM_ARG_OPTIONS, string>> = {
  upstream: 'STRATA_UPSTREAM',
  'upstream-bucket': 'STRATA_UPSTREAM_BUCKET',
  'upstream-prefix': 'STRATA_UPSTREAM_PREFIX',
  'upstream-region': 'STRATA_UPSTREAM_REGION',
  'upstream-access-key': 'STRATA_UPSTREAM_ACCESS_KEY',
  'upstream-secret-key': 'STRATA_UPSTREAM_SECRET_KEY',
};

/**
 * The upstream configuration of `serve`, from flags, else environment variables. Returns `undefined` for a
 * backend other than `s3` (whose upstream flags are then refused), or a message naming the flag that is
 * missing or wrong (the caller shows it as a usage error).
 */
export function parseUpstreamOptions(backend: string, values: UpstreamValues, env: NodeJS.ProcessEnv): UpstreamConfig | undefined | string {
  const get = (flag: keyof typeof UPSTREAM_ARG_OPTIONS) => values[flag] ?? env[FLAG_ENV[flag]];
  if (backend !== 's3') {
    const given = (Object.keys(UPSTREAM_ARG_OPTIONS) as (keyof typeof UPSTREAM_ARG_OPTIONS)[]).find((f) => values[f] !== undefined);
    return given === undefined ? undefined : `--${given} needs --backend s3`;
  }
  const url = get('upstream');
  if (url === undefined || url === '') return '--backend s3 needs --upstream URL';
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) return `--upstream must be an http or https URL, got ${url}`;
  let bucket = get('upstream-bucket') ?? '';
  let prefix = get('upstream-prefix') ?? '';
  if (bucket === '') {
    // `--upstream-prefix B/P` alone: the first segment is the bucket.
    const slash = prefix.indexOf('/');
    bucket = slash < 0 ? prefix : prefix.slice(0, slash);
    prefix = slash < 0 ? '' : prefix.slice(slash + 1);
  }
  if (bucket === '') return '--backend s3 needs --upstream-bucket B or --upstream-prefix B/P';
  if (bucket.includes('/')) return `--upstream-bucket must be a bucket name, got ${bucket}`;
  // A prefix names a folder: without the slash, buckets `a` and `ab` of a gateway at prefix `p` would not be apart
  // from those of a gateway at prefix `pa`.
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  const accessKeyId = get('upstream-access-key');
  const secretAccessKey = get('upstream-secret-key');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) return '--upstream-access-key and --upstream-secret-key go together';
  const config: UpstreamConfig = { url, bucket, prefix, region: get('upstream-region') ?? 'us-east-1' };
  if (accessKeyId !== undefined && secretAccessKey !== undefined) config.credentials = { accessKeyId, secretAccessKey };
  return config;
}

/** `s3://bucket/prefix at URL`, for logs and errors (never the credentials). */
export function describeUpstream(upstream: UpstreamConfig): string {
  return `s3://${upstream.bucket}/${upstream.prefix} at ${upstream.url}`;
}
