/**
 * The Lua scripts the bench hands wrk: the text they are made of, and what a real wrk sends when it runs one —
 * every path of the list in turn, query strings intact (a presigned URL's signature lives there), the PUT
 * body byte for byte, and the Host header a presigned URL was signed for.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { runWrk } from '../src/load/run-wrk.ts';
import { bodyPattern, luaString, WrkScriptError, wrkScript, writeWrkScript } from '../src/load/wrk-lua.ts';

describe('luaString', () => {
  it('escapes quotes, backslashes and control bytes, and keeps URL characters as they are', () => {
    expect(luaString('/b/k?X-Amz-Signature=ab%2F&x=1')).toBe('"/b/k?X-Amz-Signature=ab%2F&x=1"');
    expect(luaString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(luaString('\n\r\u0000\u00ff')).toBe('"\\010\\013\\000\\255"');
  });

  it('refuses characters beyond one byte', () => {
    expect(() => luaString('é€')).toThrow(WrkScriptError);
  });
});

describe('wrkScript', () => {
  it('prepares every request once and cycles through them', () => {
    const lua = wrkScript({ method: 'GET', paths: ['/a', '/b?q=1'] });
    expect(lua).toContain('wrk.method = "GET"');
    expect(lua).toContain('  "/a",\n  "/b?q=1",');
    expect(lua).toContain('prepared[i] = wrk.format(nil, path)');
    expect(lua).not.toContain('wrk.body');
  });

  it('builds a PUT body of the exact size in Lua instead of writing it out', () => {
    const lua = wrkScript({ method: 'PUT', paths: ['/a'], bodyBytes: 2 ** 20 });
    expect(lua.length).toBeLessThan(2000);
    expect(lua).toContain(', 1, 1048576)');
    expect(lua).toContain('wrk.headers["Content-Type"] = "application/octet-stream"');
  });

  it('refuses a spec wrk could not run', () => {
    expect(() => wrkScript({ method: 'GET', paths: [] })).toThrow(WrkScriptError);
    expect(() => wrkScript({ method: 'GET', paths: ['http://host/a'] })).toThrow(/origin-form/);
    expect(() => wrkScript({ method: 'GET', paths: ['/a b'] })).toThrow(WrkScriptError);
    expect(() => wrkScript({ method: 'PUT', paths: ['/a'], bodyBytes: -1 })).toThrow(WrkScriptError);
  });

  it('writes the script to a file named after the row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-lua-'));
    try {
      const file = writeWrkScript(dir, 'http-get strata/file', { method: 'GET', paths: ['/x'] });
      expect(file).toBe(join(dir, 'http-get-strata-file.lua'));
      expect(readFileSync(file, 'utf8')).toBe(wrkScript({ method: 'GET', paths: ['/x'] }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipWithout('wrk'))('a generated script run by the real wrk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-lua-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends every path in turn, with the body and the Host of the URL', async () => {
    const seen: Array<{ method: string; url: string; host: string; body: Buffer; type: string }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // Bounded: the test keeps the first few thousand requests only.
        if (seen.length < 5000) seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', body: Buffer.concat(chunks), type: req.headers['content-type'] ?? '' });
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const paths = ['/bench/put-4KiB/0?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab%2Fcd', '/bench/put-4KiB/1?x=1', '/bench/put-4KiB/2'];
    try {
      const round = await runWrk({ origin: `http://127.0.0.1:${port}`, method: 'PUT', paths, bodyBytes: 4096, connections: 1, seconds: 1, serverPid: process.pid, scriptDir: dir, name: 'put' });
      expect(round.non2xx + round.socketErrors).toBe(0);
    } finally {
      server.close();
    }
    expect(seen.length).toBeGreaterThan(10);
    // One connection, so the server sees the script's order: each path followed by the next of the list
    // (wrk calls request() once before the run to check the script, so the cycle may start anywhere).
    const order = seen.map((r) => paths.indexOf(r.url));
    expect(new Set(order)).toEqual(new Set([0, 1, 2]));
    for (let i = 1; i < order.length; i++) expect(order[i]).toBe(((order[i - 1] as number) + 1) % paths.length);
    const expected = Buffer.from(bodyPattern(4096));
    for (const r of seen) {
      expect(r.method).toBe('PUT');
      expect(r.host).toBe(`127.0.0.1:${port}`);
      expect(r.type).toBe('application/octet-stream');
      expect(r.body.equals(expected)).toBe(true);
    }
  });
});
