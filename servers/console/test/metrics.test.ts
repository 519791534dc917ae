/**
 * The server view's numbers (ui/metrics): the object server's real `GET /metrics` text parsed and summed over
 * S3 operations (the console's own requests left out), rates and latency percentiles between two scrapes, as
 * Prometheus' `rate` and `histogram_quantile` compute them, a counter reset, and the ring's bound.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_OPERATIONS, parsePrometheusText, snapshotFromText } from '../ui/metrics/prometheus.ts';
import type { MetricsSnapshot } from '../ui/metrics/prometheus.ts';
import { SampleRing, histogramQuantile, pointBetween } from '../ui/metrics/sample-ring.ts';
import { placeholderAssets, startConsoleServer } from './helpers/console-server.ts';
import type { ConsoleServer } from './helpers/console-server.ts';

let server: ConsoleServer;
beforeAll(async () => {
  server = await startConsoleServer({ assets: placeholderAssets(), onConsoleRequest: (request) => void (request.s3Op = 'Console') });
});
afterAll(() => server.close());

const scrape = async (at: number) => snapshotFromText(await (await fetch(`${server.origin}/metrics`)).text(), at);

describe('the metrics of a real server', () => {
  it('counts S3 requests, their errors and bytes, and leaves out /metrics and the console', async () => {
    const before = await scrape(1000);
    await server.s3.send(new CreateBucketCommand({ Bucket: 'metrics-test' }));
    await server.s3.send(new PutObjectCommand({ Bucket: 'metrics-test', Key: 'k', Body: 'x'.repeat(1000) }));
    await server.s3.send(new GetObjectCommand({ Bucket: 'metrics-test', Key: 'k' })).then((r) => r.Body?.transformToString());
    await expect(server.s3.send(new GetObjectCommand({ Bucket: 'metrics-test', Key: 'missing' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    for (let i = 0; i < 3; i++) await fetch(`${server.origin}/console/`).then((r) => r.text());
    const after = await scrape(3000);
    const point = pointBetween(before, after);
    // Two seconds between the scrapes (their timestamps): four S3 requests, one 404.
    expect(point).toMatchObject({ requestsPerSecond: 2, clientErrorsPerSecond: 0.5, serverErrorsPerSecond: 0 });
    expect(point?.bytesInPerSecond).toBeGreaterThanOrEqual(500);
    expect(point?.bytesOutPerSecond).toBeGreaterThanOrEqual(500);
    expect(point?.p50).toBeGreaterThan(0);
    expect((after.latencyBuckets.at(-1)?.count ?? 0) - (before.latencyBuckets.at(-1)?.count ?? 0)).toBe(4);
    // The raw text does have the console's and the scrapes' own requests, which the snapshot left out.
    const ops = new Set(parsePrometheusText(await (await fetch(`${server.origin}/metrics`)).text()).map((s) => s.labels.operation));
    expect(ops.has('Console') && ops.has('Metrics') && INTERNAL_OPERATIONS.has('Console')).toBe(true);
  });
});

describe('parsing and arithmetic', () => {
  const histogram = (counts: number[]) => [0.01, 0.1, 1, Infinity].map((le, i) => ({ le, count: counts[i] as number }));
  const snapshot = (at: number, requests: number, counts: number[]): MetricsSnapshot => ({
    at,
    requests,
    clientErrors: 0,
    serverErrors: 0,
    latencyBuckets: histogram(counts),
    bytesIn: requests * 10,
    bytesOut: 0,
  });

  it('parses labels with escapes, +Inf and comments', () => {
    const text = '# HELP x y\nm{operation="a\\"b\\\\c",le="+Inf"} 3\nn 1.5e3\n\nbad line\n';
    expect(parsePrometheusText(text)).toEqual([
      { name: 'm', labels: { operation: 'a"b\\c', le: '+Inf' }, value: 3 },
      { name: 'n', labels: {}, value: 1500 },
    ]);
  });

  it('interpolates quantiles within a bucket and clamps the +Inf bucket to the highest bound', () => {
    // 10 observations: 4 ≤ 10 ms, 4 in (10 ms, 100 ms], 2 in (100 ms, 1 s].
    const buckets = histogram([4, 8, 10, 10]);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.01 + 0.09 * (1 / 4));
    expect(histogramQuantile(0.2, buckets)).toBeCloseTo(0.005);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.1 + 0.9 * (1.9 / 2));
    expect(histogramQuantile(0.99, histogram([0, 0, 0, 5]))).toBe(1);
    expect(histogramQuantile(0.5, histogram([0, 0, 0, 0]))).toBeNaN();
  });

  it('turns counters into rates between scrapes and treats a decrease as a restart', () => {
    const point = pointBetween(snapshot(0, 100, [50, 90, 100, 100]), snapshot(2000, 120, [60, 100, 120, 120]));
    expect(point).toMatchObject({ requestsPerSecond: 10, bytesInPerSecond: 100 });
    expect(point?.p50).toBeCloseTo(0.01);
    const restarted = pointBetween(snapshot(0, 100, [50, 90, 100, 100]), snapshot(1000, 4, [4, 4, 4, 4]));
    expect(restarted?.requestsPerSecond).toBe(4);
    expect(pointBetween(snapshot(1000, 1, [1, 1, 1, 1]), snapshot(1000, 2, [2, 2, 2, 2]))).toBeUndefined();
  });

  it('keeps the last `capacity` points, oldest first', () => {
    const ring = new SampleRing(3);
    for (let i = 0; i <= 5; i++) ring.add(snapshot(i * 1000, i * 10, [i, i, i, i]));
    expect(ring.points().map((p) => p.at)).toEqual([3000, 4000, 5000]);
    ring.clear();
    expect(ring.points()).toEqual([]);
    expect(() => new SampleRing(0)).toThrow(RangeError);
  });
});
