/**
 * Reads the object server's `GET /metrics` — the Prometheus text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format) — into one snapshot of the
 * counters the server view charts: S3 requests by operation and status, the latency histogram summed over
 * operations, and bytes received and sent.
 *
 * The console's own requests (its polls of `/metrics`, the health checks, its pages) are left out of the request
 * counts and latencies, so an idle server charts no requests. The byte counters are the server's totals, which
 * have no operation label: they include the few KiB each poll reads.
 */

/** One sample line: `name{label="value",…} 12.5`. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Operations that are not S3 traffic: the server's operational endpoints and the console itself. */
export const INTERNAL_OPERATIONS: ReadonlySet<string> = new Set(['Metrics', 'HealthLive', 'HealthReady', 'Console']);

/** The counters of one scrape, summed over the S3 operations. */
export interface MetricsSnapshot {
  /** When the scrape was taken, in ms since the epoch. */
  at: number;
  /** All S3 requests answered. */
  requests: number;
  /** Requests answered 4xx (the client's mistake) and 5xx (the server's). */
  clientErrors: number;
  serverErrors: number;
  /** The latency histogram: cumulative counts by upper bound in seconds, ascending, `Infinity` last. */
  latencyBuckets: { le: number; count: number }[];
  bytesIn: number;
  bytesOut: number;
}

const SAMPLE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescapeLabel = (v: string) => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** Parses every sample line of an exposition; comments and blank lines are skipped. */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_RE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL_RE)) labels[name as string] = unescapeLabel(value as string);
    const raw = match[3] as string;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') continue; // not a sample line
    samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

/** Sums the S3 counters of one scrape (see {@link MetricsSnapshot}). */
export function snapshotFromText(text: string, at: number): MetricsSnapshot {
  const snapshot: MetricsSnapshot = { at, requests: 0, clientErrors: 0, serverErrors: 0, latencyBuckets: [], bytesIn: 0, bytesOut: 0 };
  const buckets = new Map<number, number>();
  for (const s of parsePrometheusText(text)) {
    const op = s.labels.operation;
    if (op !== undefined && INTERNAL_OPERATIONS.has(op)) continue;
    switch (s.name) {
      case 'strata_s3_requests_total': {
        const status = Number(s.labels.status);
        snapshot.requests += s.value;
        if (status >= 400 && status < 500) snapshot.clientErrors += s.value;
        if (status >= 500) snapshot.serverErrors += s.value;
        break;
      }
      case 'strata_s3_request_duration_seconds_bucket': {
        const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
        if (!Number.isNaN(le)) buckets.set(le, (buckets.get(le) ?? 0) + s.value);
        break;
      }
      case 'strata_s3_received_bytes_total':
        snapshot.bytesIn = s.value;
        break;
      case 'strata_s3_sent_bytes_total':
        snapshot.bytesOut = s.value;
        break;
    }
  }
  snapshot.latencyBuckets = [...buckets].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  return snapshot;
}
