/**
 * The console plugin's routes on a real object server (`buildApp`), through `app.inject()`: the redirect, the
 * page and its files with their security headers, content codings, caching and revalidation, the server
 * description, what is not the console's (signed requests, query strings, other methods) and — the point of
 * registering routes instead of a hook — that every other path is answered exactly as without the console.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gunzipSync } from 'node:zlib';
import { buildApp } from '@strata/object-server';
import { createMemoryStorage } from '@strata/storage';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuiltConsoleAsset } from '@strata/console/assets';
import { chooseCoding, noneMatch } from '../src/asset-table.ts';
import { CONTENT_SECURITY_POLICY, registerConsole } from '../src/index.ts';
import type { ConsoleOptions } from '../src/index.ts';

const INDEX = '<!doctype html><title>t</title><script type="module" src="console-ABC.js"></script>';
const SCRIPT = 'console.log("console");'.repeat(50);

const asset = (path: string, text: string, contentType: string, immutable: boolean): BuiltConsoleAsset => ({
  path,
  contentType,
  immutable,
  size: Buffer.byteLength(text),
  brotli: brotliCompressSync(Buffer.from(text)).toString('base64'),
});

const ASSETS = [asset('index.html', INDEX, 'text/html; charset=utf-8', false), asset('console-ABC.js', SCRIPT, 'text/javascript; charset=utf-8', true)];
const CREDENTIALS = [{ accessKeyId: 'k', secretAccessKey: 's' }];

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** An object server with the console registered. */
function serverWith(options: Partial<ConsoleOptions> = {}): FastifyInstance {
  app = buildApp({ storage: createMemoryStorage(), credentials: CREDENTIALS });
  registerConsole(app, { assets: ASSETS, ...options });
  return app;
}

describe('the console routes', () => {
  it('redirects /console to /console/ and serves the page with the security headers', async () => {
    const a = serverWith();
    const redirect = await a.inject({ method: 'GET', url: '/console' });
    expect([redirect.statusCode, redirect.headers.location]).toEqual([308, '/console/']);
    expect(redirect.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);

    const page = await a.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(INDEX);
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    });
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';.*connect-src 'self'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*|http:|https:/);
  });

  it('sends brotli, gzip or identity as Accept-Encoding allows, with an ETag per coding and Vary', async () => {
    const a = serverWith();
    const get = (acceptEncoding?: string) => a.inject({ method: 'GET', url: '/console/console-ABC.js', headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });
    const br = await get('gzip, deflate, br');
    expect([br.headers['content-encoding'], br.headers.vary, br.headers['cache-control']]).toEqual(['br', 'Accept-Encoding', 'public, max-age=31536000, immutable']);
    const gzip = await get('gzip, br;q=0');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(SCRIPT);
    const identity = await get();
    expect([identity.headers['content-encoding'], identity.body]).toEqual([undefined, SCRIPT]);
    expect(Number(identity.headers['content-length'])).toBe(Buffer.byteLength(SCRIPT));
    expect(new Set([br.headers.etag, gzip.headers.etag, identity.headers.etag]).size).toBe(3);
  });

  it('answers 304 to a matching If-None-Match, and HEAD with headers only', async () => {
    const a = serverWith();
    const first = await a.inject({ method: 'GET', url: '/console/' });
    const again = await a.inject({ method: 'GET', url: '/console/', headers: { 'if-none-match': `"other", W/${first.headers.etag as string}` } });
    expect([again.statusCode, again.body]).toEqual([304, '']);
    const head = await a.inject({ method: 'HEAD', url: '/console/' });
    expect([head.statusCode, head.body, Number(head.headers['content-length'])]).toEqual([200, '', INDEX.length]);
  });

  it('answers 404 for files it does not have, traversal attempts over a real socket included', async () => {
    const a = serverWith();
    await a.listen({ host: '127.0.0.1', port: 0 });
    const { port } = a.server.address() as AddressInfo;
    // node:http sends the path as written: no client-side resolution of dot segments (inject and fetch do that).
    const get = (path: string) =>
      new Promise<{ status: number; csp: unknown }>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, csp: res.headers['content-security-policy'] }));
        }).on('error', reject);
      });
    for (const path of ['/console/nope.js', '/console/../package.json', '/console/%2e%2e/package.json', '/console/..%2fx', '/console/index.html/', '/console//index.html']) {
      expect([path, await get(path)]).toEqual([path, { status: 404, csp: CONTENT_SECURITY_POLICY }]);
    }
  });

  it('serves the server description, never cached', async () => {
    const a = serverWith({ serverInfo: async () => ({ version: '1.2.3', backend: 'file', minPartSize: 5 }) });
    const r = await a.inject({ method: 'GET', url: '/console/api/server' });
    expect([r.statusCode, r.json(), r.headers['cache-control']]).toEqual([200, { version: '1.2.3', backend: 'file', minPartSize: 5 }, 'no-store']);
  });

  it('forwards signed requests and requests with a query string (S3 on a bucket named console)', async () => {
    const seen: string[] = [];
    const a = serverWith({ forward: (request, reply) => (seen.push(`${request.method} ${request.url}`), reply.code(299).send('s3')) });
    const signed = await a.inject({ method: 'GET', url: '/console/index.html', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=…' } });
    const listing = await a.inject({ method: 'GET', url: '/console?list-type=2' });
    const presigned = await a.inject({ method: 'GET', url: '/console/key?X-Amz-Signature=abc' });
    expect([signed.statusCode, listing.statusCode, presigned.statusCode]).toEqual([299, 299, 299]);
    expect(seen).toEqual(['GET /console/index.html', 'GET /console?list-type=2', 'GET /console/key?X-Amz-Signature=abc']);
    expect(signed.headers['content-security-policy']).toBeUndefined();
  });

  it('leaves other methods under the prefix, and every other path, to the S3 routes untouched', async () => {
    const plain = buildApp({ storage: createMemoryStorage(), credentials: CREDENTIALS });
    const a = serverWith();
    try {
      for (const [method, url] of [
        ['PUT', '/console/key'],
        ['DELETE', '/console'],
        ['GET', '/bucket/key'],
        ['PUT', '/bucket/key'],
        ['GET', '/consoles/x'],
        ['GET', '/'],
      ] as const) {
        const [without, withConsole] = await Promise.all([plain.inject({ method, url, payload: method === 'PUT' ? 'x' : undefined }), a.inject({ method, url, payload: method === 'PUT' ? 'x' : undefined })]);
        const strip = (h: Record<string, unknown>) => Object.keys(h).filter((k) => !['date', 'x-amz-request-id', 'x-amz-id-2', 'content-length'].includes(k)).sort();
        expect([method, url, withConsole.statusCode, strip(withConsole.headers)]).toEqual([method, url, without.statusCode, strip(without.headers)]);
        const ids = (body: string) => body.replace(/<(RequestId|HostId)>[^<]*<\/\1>/g, '');
        expect(ids(withConsole.body)).toBe(ids(without.body));
      }
    } finally {
      await plain.close();
    }
  });

  it('labels the requests it answers and only those', async () => {
    const labelled: string[] = [];
    const a = serverWith({ onConsoleRequest: (request) => labelled.push(request.url) });
    await a.inject({ method: 'GET', url: '/console/' });
    await a.inject({ method: 'GET', url: '/console?list-type=2' });
    expect(labelled).toEqual(['/console/']);
  });

  it('rejects a malformed prefix and a build without index.html at registration', () => {
    const a = buildApp({ storage: createMemoryStorage(), credentials: CREDENTIALS });
    app = a;
    expect(() => registerConsole(a, { assets: ASSETS, prefix: 'console' })).toThrow(/prefix/);
    expect(() => registerConsole(a, { assets: ASSETS, prefix: '/console/' })).toThrow(/prefix/);
    expect(() => registerConsole(a, { assets: ASSETS.slice(1) })).toThrow(/index\.html/);
    expect(() => registerConsole(a, { assets: [{ ...(ASSETS[0] as BuiltConsoleAsset), size: 1 }] })).toThrow(/expected 1/);
  });

  it('serves under another prefix', async () => {
    const a = serverWith({ prefix: '/admin/ui' });
    expect((await a.inject({ method: 'GET', url: '/admin/ui/' })).body).toBe(INDEX);
    expect((await a.inject({ method: 'GET', url: '/admin/ui' })).headers.location).toBe('/admin/ui/');
  });
});

describe('content negotiation (RFC 9110 §12.5.3) and If-None-Match (§13.1.2)', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0, gzip;q=0.5', 'gzip'],
    ['BR;Q=0.1', 'br'],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['deflate', 'identity'],
    ['gzip;q=0, br;q=0', 'identity'],
  ] as const)('Accept-Encoding %j → %s', (header, coding) => {
    expect(chooseCoding(header)).toBe(coding);
  });

  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abcd"', false],
    ['abc', false],
  ] as const)('If-None-Match %j matches "abc": %s', (header, match) => {
    expect(noneMatch(header, '"abc"')).toBe(match);
  });
});
