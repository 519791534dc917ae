/**
 * The HTTP limits from the command line to the listening server: `strata serve` flags and their environment
 * variables, their validation, and a stalled upload against `serve()` started with a short
 * `--body-idle-timeout-ms`, answered with S3's RequestTimeout.
 */
import http from 'node:http';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createMemoryStorage } from '@strata/storage';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, UsageError, parseServeArgs } from '../src/cli.ts';
import { DEFAULT_HTTP_LIMITS } from '../src/http-limits.ts';
import { serve } from '../src/main.ts';
import { RawConnection, expectS3Error, signedHead, signerOf } from './raw-socket.ts';

describe('strata serve: HTTP limit flags', () => {
  it('default to DEFAULT_HTTP_LIMITS', () => {
    expect(parseServeArgs([], {}).httpLimits).toEqual(DEFAULT_HTTP_LIMITS);
    expect(DEFAULT_HTTP_LIMITS.bodyIdleTimeoutMs).toBe(20_000);
  });

  it('are read from flags, else from the environment', () => {
    const env = { STRATA_MAX_CONNECTIONS: '64', STRATA_BODY_IDLE_TIMEOUT_MS: '9000' };
    const args = ['--body-idle-timeout-ms', '5000', '--headers-timeout-ms', '7000', '--keep-alive-timeout-ms', '3000', '--max-concurrent-requests', '32'];
    expect(parseServeArgs(args, env).httpLimits).toEqual({
      bodyIdleTimeoutMs: 5000,
      headersTimeoutMs: 7000,
      keepAliveTimeoutMs: 3000,
      maxConnections: 64,
      maxConcurrentRequests: 32,
    });
  });

  it.each(['0', '-1', 'abc', '1.5', ''])('refuse %j with a usage error', (value) => {
    expect(() => parseServeArgs([`--max-connections=${value}`], {})).toThrow(UsageError);
    expect(() => parseServeArgs([], { STRATA_HEADERS_TIMEOUT_MS: value })).toThrow(UsageError);
  });

  it('buildApp refuses a limit that is not a positive integer, naming it', () => {
    expect(() => buildApp({ storage: createMemoryStorage(), credentials: [], allowAnonymous: true, httpLimits: { bodyIdleTimeoutMs: 0 } })).toThrow(/bodyIdleTimeoutMs/);
  });
});

describe('serve() with --body-idle-timeout-ms 200', () => {
  it('answers a stalled upload with 400 RequestTimeout', async () => {
    const lines: string[] = [];
    const config = parseServeArgs(['--backend', 'memory', '--port', '0', '--body-idle-timeout-ms', '200'], {});
    const stop = await serve(config, (l) => lines.push(l));
    try {
      const port = Number(/:(\d+)$/.exec(lines.find((l) => l.includes('endpoint:')) ?? '')?.[1]);
      const client = new S3Client({
        region: config.region,
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        credentials: { accessKeyId: DEFAULT_ACCESS_KEY, secretAccessKey: DEFAULT_SECRET_KEY },
        requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: false }) }),
      });
      await client.send(new CreateBucketCommand({ Bucket: 'cli' }));
      const head = await signedHead(await signerOf(client), port, { method: 'PUT', path: '/cli/stalled', headers: { 'content-length': '1000' } });
      const conn = await RawConnection.open(port);
      conn.write(head);
      conn.write('only a little');
      expectS3Error(await conn.response(5000), 400, 'RequestTimeout');
      conn.destroy();
      client.destroy();
    } finally {
      await stop();
    }
  });
});
