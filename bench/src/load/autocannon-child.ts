/**
 * The fallback load generator, in its own process (pinned to its core by the parent): runs autocannon against
 * one origin, cycling through the round's request paths like the wrk script does, and prints one JSON line
 * with its result. Its CPU is measured by the parent from /proc, as wrk's is: autocannon's single JavaScript
 * thread saturates near the request rate of the servers it measures, which is why wrk is preferred.
 * Args: a JSON object { origin, method, paths, bodyBytes?, seconds, connections }.
 */
import autocannon from 'autocannon';
import { bodyPattern } from './wrk-lua.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as { origin: string; method: 'GET' | 'PUT'; paths: string[]; bodyBytes?: number; seconds: number; connections: number };
const body = opts.bodyBytes ? Buffer.from(bodyPattern(opts.bodyBytes)) : undefined;
const result = await autocannon({
  url: opts.origin,
  duration: opts.seconds,
  connections: opts.connections,
  pipelining: 1,
  requests: opts.paths.map((path) => ({
    method: opts.method,
    path,
    body,
    headers: body ? { 'content-type': 'application/octet-stream' } : undefined,
  })),
});
const ok = (result as unknown as Record<string, number>)['2xx'] ?? 0;
console.log(
  JSON.stringify({
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    okPerSec: result.duration > 0 ? ok / result.duration : 0,
    total: result.requests.total,
    non2xx: result.non2xx,
    socketErrors: result.errors,
  }),
);
