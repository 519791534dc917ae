/**
 * The load generator, in its own process (pinned to core 1 by the parent): runs autocannon against one URL and
 * prints one JSON line with its result and the CPU this process used, so the report can show when the load
 * generator, not the server, was the limit. Args: a JSON object { url, method, body?, seconds, connections }.
 */
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2] ?? '{}') as { url: string; method: 'GET' | 'PUT'; bodyBytes?: number; seconds: number; connections: number };
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await autocannon({
  url: opts.url,
  method: opts.method,
  body: opts.bodyBytes ? Buffer.alloc(opts.bodyBytes, 0x61) : undefined,
  headers: opts.bodyBytes ? { 'content-type': 'application/octet-stream' } : undefined,
  duration: opts.seconds,
  connections: opts.connections,
  pipelining: 1,
});
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
console.log(
  JSON.stringify({
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    requestsPerSec: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    throughputBytesPerSec: result.throughput.average,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
  }),
);
