/**
 * The web console in `strata serve` (console-route.ts): `--console off|on|PORT` and its default (on for a
 * loopback host only), the console answering at `/console/` with its Content-Security-Policy, its server
 * description, S3 requests under `/console/…` still reaching S3 (a bucket named `console`), its requests
 * labelled in the metrics, and a console port of its own that serves S3 too (the browser signs requests for the
 * origin that served the page) while the S3 port does not serve the console.
 */
import net from 'node:net';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError, packageVersion, parseServeArgs } from '../src/cli.ts';
import { serve } from '../src/main.ts';

const KEYS = ['--access-key', 'console-test', '--secret-key', 'console-test-secret'];
let stop: (() => Promise<void>) | undefined;
const clients: S3Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await stop?.();
  stop = undefined;
});

/** Starts `strata serve` over memory storage on a free port; returns the banner's endpoint and console lines. */
async function start(...args: string[]): Promise<{ endpoint: string; console: string | undefined }> {
  const lines: string[] = [];
  stop = await serve(parseServeArgs(['--backend', 'memory', '--port', '0', ...KEYS, ...args], {}), (l) => lines.push(l));
  const find = (name: string) => lines.find((l) => l.trim().startsWith(`${name}:`))?.split(/:\s+/).slice(1).join(':');
  return { endpoint: find('endpoint') as string, console: find('console') };
}

const s3 = (endpoint: string) => {
  const c = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'console-test', secretAccessKey: 'console-test-secret' } });
  clients.push(c);
  return c;
};

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('--console', () => {
  it('is on by default on a loopback host and off on any other; off, on and a port are accepted', () => {
    expect(parseServeArgs([], {}).console).toBe('on');
    expect(parseServeArgs(['--host', '0.0.0.0', ...KEYS], {}).console).toBe('off');
    expect(parseServeArgs(['--host', '0.0.0.0', ...KEYS, '--console', 'on'], {}).console).toBe('on');
    expect(parseServeArgs(['--console', 'OFF'], {}).console).toBe('off');
    expect(parseServeArgs(['--console', '9100'], {}).console).toEqual({ port: 9100 });
    expect(parseServeArgs([], { STRATA_CONSOLE: '9101' }).console).toEqual({ port: 9101 });
    for (const bad of ['yes', '0', '65536', '-1', '9100x', '']) expect(() => parseServeArgs([`--console=${bad}`], {}), bad).toThrow(UsageError);
  });
});

describe('strata serve with the console', () => {
  it('serves it at /console/ with its CSP and server description, and S3 under /console still works', async () => {
    const { endpoint, console: url } = await start();
    expect(url).toBe(`${endpoint}/console/`);
    const page = await fetch(url as string);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self'/);
    expect(await page.text()).toMatch(/<script type="module" src="console-[A-Z0-9]+\.js"><\/script>/);
    const info = (await (await fetch(`${endpoint}/console/api/server`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ version: packageVersion(), backend: 'memory', region: 'us-east-1', minPartSize: 5 * 1024 * 1024, durable: false });

    // A bucket named `console`: signed requests are S3's, at every path the console also serves.
    const client = s3(endpoint);
    await client.send(new CreateBucketCommand({ Bucket: 'console' }));
    await client.send(new PutObjectCommand({ Bucket: 'console', Key: 'index.html', Body: 'an object' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'console', Key: 'index.html' }));
    expect(await got.Body?.transformToString()).toBe('an object');

    const metrics = await (await fetch(`${endpoint}/metrics`)).text();
    expect(metrics).toMatch(/strata_s3_requests_total\{operation="Console",status="200"\} [1-9]/);
    expect(metrics).toMatch(/strata_s3_requests_total\{operation="GetObject",status="200"\} 1/);
  });

  it('--console off serves no console: /console/ is an S3 path like any other', async () => {
    const { endpoint, console: url } = await start('--console', 'off');
    expect(url).toBeUndefined();
    const r = await fetch(`${endpoint}/console/`);
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('--console PORT serves the console and S3 on that port, and no console on the S3 port', async () => {
    const port = await freePort();
    const { endpoint, console: url } = await start('--console', String(port));
    expect(url).toBe(`http://127.0.0.1:${port}/console/`);
    const page = await fetch(url as string);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect((await fetch(`${endpoint}/console/`)).status).toBe(403);
    // The browser signs S3 requests for the console's own origin: that port answers them.
    const viaConsolePort = s3(`http://127.0.0.1:${port}`);
    await viaConsolePort.send(new CreateBucketCommand({ Bucket: 'from-console-port' }));
    const listed = await s3(endpoint).send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toEqual(['from-console-port']);
    await stop?.();
    stop = undefined;
    // Stopped: neither port accepts connections any more.
    await expect(fetch(url as string)).rejects.toThrow();
  });
});
