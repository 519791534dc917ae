/**
 * Request metrics in the Prometheus text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): requests by S3 operation and status, a
 * latency histogram per operation, and bytes received and sent. Kept in plain maps: a few counters per
 * request cost less than a metrics library on the GET hot path.
 */

/** Histogram bucket upper bounds, in seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One operation's counters. `counts[i]` counts requests in bucket i alone; the exposition sums them up. */
interface OperationStats {
  byStatus: Map<number, number>;
  counts: Float64Array;
  sum: number;
  count: number;
}

/** The index of the first bucket holding `seconds`, or BUCKETS.length for +Inf. */
function bucketIndex(seconds: number): number {
  let i = 0;
  while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
  return i;
}

/** The server's request metrics. */
export interface Metrics {
  /** Records one finished request. */
  observe(op: string, status: number, seconds: number, bytesIn: number, bytesOut: number): void;
  /** The metrics in Prometheus text format. */
  render(): string;
}

const label = (v: string) => v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

/** Creates an empty metrics registry. */
export function createMetrics(): Metrics {
  // One map lookup per request, by operation name; no key string is built.
  const operations = new Map<string, OperationStats>();
  const bytes = { in: 0, out: 0 };
  return {
    observe(op, status, seconds, bytesIn, bytesOut) {
      let stats = operations.get(op);
      if (stats === undefined) operations.set(op, (stats = { byStatus: new Map(), counts: new Float64Array(BUCKETS.length + 1), sum: 0, count: 0 }));
      stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
      (stats.counts[bucketIndex(seconds)] as number) += 1;
      stats.sum += seconds;
      stats.count += 1;
      bytes.in += bytesIn;
      bytes.out += bytesOut;
    },
    render() {
      const lines: string[] = [];
      lines.push('# HELP strata_s3_requests_total S3 requests by operation and HTTP status.');
      lines.push('# TYPE strata_s3_requests_total counter');
      for (const [op, stats] of operations) {
        for (const [status, n] of stats.byStatus) lines.push(`strata_s3_requests_total{operation="${label(op)}",status="${status}"} ${n}`);
      }
      lines.push('# HELP strata_s3_request_duration_seconds S3 request latency by operation.');
      lines.push('# TYPE strata_s3_request_duration_seconds histogram');
      for (const [op, h] of operations) {
        const l = `operation="${label(op)}"`;
        let cumulative = 0;
        BUCKETS.forEach((b, i) => {
          cumulative += h.counts[i] ?? 0;
          lines.push(`strata_s3_request_duration_seconds_bucket{${l},le="${b}"} ${cumulative}`);
        });
        lines.push(`strata_s3_request_duration_seconds_bucket{${l},le="+Inf"} ${h.count}`);
        lines.push(`strata_s3_request_duration_seconds_sum{${l}} ${h.sum}`);
        lines.push(`strata_s3_request_duration_seconds_count{${l}} ${h.count}`);
      }
      lines.push('# HELP strata_s3_received_bytes_total Request body bytes received.');
      lines.push('# TYPE strata_s3_received_bytes_total counter');
      lines.push(`strata_s3_received_bytes_total ${bytes.in}`);
      lines.push('# HELP strata_s3_sent_bytes_total Response body bytes sent.');
      lines.push('# TYPE strata_s3_sent_bytes_total counter');
      lines.push(`strata_s3_sent_bytes_total ${bytes.out}`);
      return `${lines.join('\n')}\n`;
    },
  };
}
