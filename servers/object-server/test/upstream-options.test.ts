/**
 * The upstream options of `strata serve --backend s3` (upstream-options.ts through parseServeArgs): where the
 * namespace lives (a bucket, or a prefix in one), credentials from flags or the environment, the read cache off
 * by default, and a usage error naming the flag for each mistake. Serving over a real upstream is tested in
 * test/ceph (Ceph RGW).
 */
import { describe, expect, it } from 'vitest';
import { UsageError, parseServeArgs } from '../src/cli.ts';

const URL_ = 'http://127.0.0.1:7480';

describe('strata serve --backend s3', () => {
  it('takes the whole upstream bucket, with the read cache off', () => {
    const config = parseServeArgs(['--backend', 's3', '--upstream', URL_, '--upstream-bucket', 'shared'], {});
    expect(config.upstream).toEqual({ url: URL_, bucket: 'shared', prefix: '', region: 'us-east-1' });
    expect(config.readCacheMB).toBe(0);
  });

  it('takes a prefix inside a bucket, as B/P alone or beside --upstream-bucket, always ending in a slash', () => {
    expect(parseServeArgs(['--backend', 's3', '--upstream', URL_, '--upstream-prefix', 'shared/gw-a'], {}).upstream).toMatchObject({ bucket: 'shared', prefix: 'gw-a/' });
    expect(parseServeArgs(['--backend', 's3', '--upstream', URL_, '--upstream-bucket', 'b', '--upstream-prefix', 'x/y/'], {}).upstream).toMatchObject({ bucket: 'b', prefix: 'x/y/' });
    expect(parseServeArgs(['--backend', 's3', '--upstream', URL_, '--upstream-prefix', 'only-bucket'], {}).upstream).toMatchObject({ bucket: 'only-bucket', prefix: '' });
  });

  it('reads the upstream from the environment, flags first, and keeps an asked-for read cache', () => {
    const env = {
      STRATA_BACKEND: 's3', STRATA_UPSTREAM: URL_, STRATA_UPSTREAM_BUCKET: 'from-env', STRATA_UPSTREAM_REGION: 'eu-west-1',
      STRATA_UPSTREAM_ACCESS_KEY: 'AK', STRATA_UPSTREAM_SECRET_KEY: 'SK',
    };
    const config = parseServeArgs(['--upstream-bucket', 'from-flag', '--read-cache-mb', '8'], env);
    expect(config.upstream).toEqual({ url: URL_, bucket: 'from-flag', prefix: '', region: 'eu-west-1', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } });
    expect(config.readCacheMB).toBe(8);
  });

  it.each([
    [['--backend', 's3', '--upstream-bucket', 'b'], /--upstream URL/],
    [['--backend', 's3', '--upstream', 'not a url', '--upstream-bucket', 'b'], /--upstream must be an http or https URL/],
    [['--backend', 's3', '--upstream', 'ftp://host', '--upstream-bucket', 'b'], /--upstream must be an http or https URL/],
    [['--backend', 's3', '--upstream', URL_], /--upstream-bucket B or --upstream-prefix B\/P/],
    [['--backend', 's3', '--upstream', URL_, '--upstream-bucket', 'a/b'], /--upstream-bucket must be a bucket name/],
    [['--backend', 's3', '--upstream', URL_, '--upstream-bucket', 'b', '--upstream-access-key', 'AK'], /go together/],
    [['--backend', 'file', '--upstream', URL_], /--upstream needs --backend s3/],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseServeArgs(args, {})).toThrow(UsageError);
    expect(() => parseServeArgs(args, {})).toThrow(message);
  });
});
