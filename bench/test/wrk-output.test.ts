/**
 * wrk's end-of-run output, parsed: latency distribution, Requests/sec, and the error lines — and a real wrk
 * round against a server that fails half its requests, which must come out as a row with errors whose rate
 * counts only the successful responses, never as a fast row.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFacts, untrustedReason } from '../src/load/load-round.ts';
import { skipWithout } from '#system-tools';
import { runWrk, wrkArgs } from '../src/load/run-wrk.ts';
import { parseWrkBytes, parseWrkOutput, parseWrkTime, WrkOutputError } from '../src/load/wrk-output.ts';

/** Captured from `wrk -t1 -c4 -d1s --latency` (Debian wrk 4.1.0) against a server answering every other request 503. */
const WITH_STATUS_ERRORS = `Running 1s test @ http://127.0.0.1:43057/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.39ms   10.47ms  72.25ms   92.01%
    Req/Sec     8.85k    13.28k   45.80k    90.00%
  Latency Distribution
     50%  172.00us
     75%    3.32ms
     90%   11.54ms
     99%   55.44ms
  9332 requests in 1.06s, 1.19MB read
  Non-2xx or 3xx responses: 4666
Requests/sec:   8797.39
Transfer/sec:      1.12MB
`;

const CLEAN = `Running 2s test @ http://127.0.0.1:34779/bench/x
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.07ms   25.00ms 286.61ms   95.97%
    Req/Sec    51.24k    22.20k   69.80k    85.00%
  Latency Distribution
     50%    0.94ms
     75%    1.52ms
     90%    3.64ms
     99%  151.95ms
  101691 requests in 2.00s, 414.40MB read
Requests/sec:  50813.67
Transfer/sec:    207.07MB
`;

/** The socket-error line as wrk's main() formats it, with timeouts (a request past --timeout) among them. */
const WITH_SOCKET_ERRORS = CLEAN.replace('414.40MB read\n', '414.40MB read\n  Socket errors: connect 2, read 12, write 3, timeout 7\n');

describe('parseWrkOutput', () => {
  it('reads the latency line, the distribution, the count, the duration and Requests/sec of a clean run', () => {
    const s = parseWrkOutput(CLEAN);
    expect(s.latencyMs).toEqual({ mean: 6.07, stdev: 25, max: 286.61, p50: 0.94, p75: 1.52, p90: 3.64, p99: 151.95 });
    expect(s.requests).toBe(101691);
    expect(s.durationSec).toBe(2);
    expect(s.bytesRead).toBeCloseTo(414.4 * 2 ** 20, 0);
    expect(s.requestsPerSec).toBe(50813.67);
    expect(s.non2xx).toBe(0);
    expect(s.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
  });

  it('reads error statuses (wrk counts every status ≥ 400 as "Non-2xx or 3xx")', () => {
    const s = parseWrkOutput(WITH_STATUS_ERRORS);
    expect(s.non2xx).toBe(4666);
    expect(s.requests).toBe(9332);
    expect(s.latencyMs.p50).toBeCloseTo(0.172, 6);
    expect(s.durationSec).toBeCloseTo(1.06, 6);
  });

  it('reads socket errors: connect, read, write and timeout', () => {
    expect(parseWrkOutput(WITH_SOCKET_ERRORS).socketErrors).toEqual({ connect: 2, read: 12, write: 3, timeout: 7 });
  });

  it('converts wrk units', () => {
    expect(parseWrkTime('842.00us')).toBeCloseTo(0.842, 9);
    expect(parseWrkTime('2.00s')).toBe(2000);
    expect(parseWrkTime('1.50m')).toBe(90_000);
    expect(parseWrkBytes('123.00B')).toBe(123);
    expect(parseWrkBytes('1.00GB')).toBe(2 ** 30);
    expect(() => parseWrkTime('fast')).toThrow(WrkOutputError);
  });

  it('refuses output without the latency distribution (run without --latency) or without a summary', () => {
    expect(() => parseWrkOutput(CLEAN.replace(/ {5}\d+%.*\n/g, ''))).toThrow(/--latency/);
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(WrkOutputError);
  });

  it('asks wrk for one thread, the latency distribution and whole seconds', () => {
    expect(wrkArgs('/s.lua', { origin: 'http://127.0.0.1:9', connections: 64, seconds: 0.4 })).toEqual([
      '-t1', '-c64', '-d1s', '--latency', '--timeout', '10s', '-s', '/s.lua', 'http://127.0.0.1:9/',
    ]);
  });
});

describe.skipIf(skipWithout('wrk'))('a real wrk round against a failing server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-wrk-errors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the failed requests and counts only the successful ones as throughput', async () => {
    let served = 0;
    let ok = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        served++;
        if (served % 2 === 0) {
          res.statusCode = 503;
          res.end('SlowDown');
        } else {
          ok++;
          res.end('ok');
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const round = await runWrk({
        origin: `http://127.0.0.1:${port}`,
        method: 'GET',
        paths: ['/a', '/b'],
        connections: 2,
        seconds: 1,
        serverPid: process.pid,
        scriptDir: dir,
        name: 'errors',
      });
      expect(round.non2xx / round.total).toBeGreaterThan(0.4);
      expect(round.non2xx / round.total).toBeLessThan(0.6);
      // The round lasted at least its one second, so the successful rate is at most the successful count: had
      // the failures been counted as throughput, it would be about twice that.
      expect(round.okPerSec).toBeGreaterThan(0);
      expect(round.okPerSec).toBeLessThanOrEqual((round.total - round.non2xx) * 1.01);
      // wrk's count of successes matches the server's (give or take the requests in flight at the end).
      expect(Math.abs(round.total - round.non2xx - ok)).toBeLessThanOrEqual(4);
      const facts = loadFacts([round]);
      expect(facts.errors.non2xx).toBe(round.non2xx);
      expect(untrustedReason(facts)).toBe('errors');
    } finally {
      server.close();
    }
  });
});
