/**
 * The request metrics in Prometheus text format (https://prometheus.io/docs/instrumenting/exposition_formats/):
 * counters per operation and status, cumulative histogram buckets (each `le` counts every observation at or
 * below it, `+Inf` all of them), byte totals.
 */
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.ts';

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no series ${series}`);
  return Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  it('counts requests per operation and status, and renders cumulative latency buckets', () => {
    const m = createMetrics();
    m.observe('GetObject', 200, 0.0005, 0, 10);
    m.observe('GetObject', 200, 0.003, 0, 20);
    m.observe('GetObject', 404, 0.003, 0, 0);
    m.observe('GetObject', 200, 40, 0, 5);
    m.observe('PutObject', 200, 0.02, 100, 0);
    const text = m.render();
    expect(value(text, 'strata_s3_requests_total{operation="GetObject",status="200"}')).toBe(3);
    expect(value(text, 'strata_s3_requests_total{operation="GetObject",status="404"}')).toBe(1);
    expect(value(text, 'strata_s3_requests_total{operation="PutObject",status="200"}')).toBe(1);
    const bucket = (le: string) => value(text, `strata_s3_request_duration_seconds_bucket{operation="GetObject",le="${le}"}`);
    expect(bucket('0.001')).toBe(1);
    expect(bucket('0.0025')).toBe(1);
    expect(bucket('0.005')).toBe(3);
    expect(bucket('30')).toBe(3);
    expect(bucket('+Inf')).toBe(4);
    expect(value(text, 'strata_s3_request_duration_seconds_count{operation="GetObject"}')).toBe(4);
    expect(value(text, 'strata_s3_request_duration_seconds_sum{operation="GetObject"}')).toBeCloseTo(40.0065, 6);
    expect(value(text, 'strata_s3_received_bytes_total')).toBe(100);
    expect(value(text, 'strata_s3_sent_bytes_total')).toBe(35);
  });

  it('counts an observation exactly on a bucket bound in that bucket', () => {
    const m = createMetrics();
    m.observe('HeadObject', 200, 0.01, 0, 0);
    const text = m.render();
    expect(value(text, 'strata_s3_request_duration_seconds_bucket{operation="HeadObject",le="0.005"}')).toBe(0);
    expect(value(text, 'strata_s3_request_duration_seconds_bucket{operation="HeadObject",le="0.01"}')).toBe(1);
  });

  it('escapes label values', () => {
    const m = createMetrics();
    m.observe('Odd"Op\\', 200, 0.001, 0, 0);
    expect(m.render()).toContain('operation="Odd\\"Op\\\\"');
  });
});
