/**
 * The server view: what the server is (version, backend, region, durability), how full its data directory's
 * filesystem is, and charts of the last minutes of S3 traffic from its own metrics — requests per second,
 * errors per second (4xx and 5xx), latency percentiles and bytes in and out per second — from the points the
 * metrics poller keeps (metrics/poller.ts).
 */
import { LineChart, binaryCeiling } from '../components/line-chart.tsx';
import { useConsole } from '../console-context.ts';
import { formatBytes, formatDuration, formatNumber, formatRate, formatSeconds } from '../format.ts';
import { useLoad, useSubscription } from '../hooks.ts';
import { fetchServerInfo } from '../server-info.ts';

/** The server page. */
export function ServerView() {
  const { metrics, serverInfo } = useConsole();
  useSubscription(metrics);
  // Usage and uptime change: read them afresh each time the page opens.
  const fresh = useLoad((signal) => fetchServerInfo(signal), []);
  const info = fresh.value ?? serverInfo;
  const points = metrics.points();
  const times = points.map((p) => p.at);
  const disk = info.dataDirectory;
  const facts: [string, string][] = [
    ['Version', info.version ?? '—'],
    ['Backend', info.backend ?? '—'],
    ['Region', info.region ?? '—'],
    ['Durable writes', info.durable === undefined ? '—' : info.durable ? 'yes' : 'no (memory)'],
    ['Minimum part size', info.minPartSize === undefined ? '—' : formatBytes(info.minPartSize)],
    ['Uptime', info.uptimeSeconds === undefined ? '—' : formatDuration(info.uptimeSeconds)],
  ];
  const bytesPerSecond = (n: number) => formatRate(n, formatBytes);
  const perSecond = (n: number) => formatRate(n);
  return (
    <main id="main">
      <h1 tabIndex={-1}>Server</h1>
      <div class="server-grid">
        <section class="card" aria-labelledby="about-heading">
          <h2 id="about-heading">About</h2>
          <dl class="properties">
            {facts.map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section class="card" aria-labelledby="disk-heading">
          <h2 id="disk-heading">Data directory</h2>
          {disk ? (
            <>
              {/* Full as `df` counts it: used against used plus what the server may still write (root's reserve aside). */}
              <progress aria-label="Data directory filesystem used" max={disk.usedBytes + disk.freeBytes} value={disk.usedBytes} />
              <p>
                {formatNumber((disk.usedBytes / Math.max(1, disk.usedBytes + disk.freeBytes)) * 100)} % full: {formatBytes(disk.usedBytes)} used, {formatBytes(disk.freeBytes)} free
                (filesystem of {formatBytes(disk.totalBytes)})
              </p>
            </>
          ) : (
            <p class="muted">This backend keeps no data directory ({info.backend ?? 'unknown'}).</p>
          )}
        </section>
      </div>
      <h2>Traffic, last {Math.round(metrics.windowSeconds / 60)} minutes</h2>
      {metrics.error && (
        <p class="form-error" role="alert">
          Could not read the server's metrics: {metrics.error}
        </p>
      )}
      <p class="muted">
        From the server's <code>/metrics</code>, read every {metrics.intervalMs / 1000} s while you are signed in; the console's own requests are left out.
      </p>
      <div class="charts">
        <LineChart id="requests" title="Requests per second" times={times} format={perSecond} series={[{ name: 'requests', values: points.map((p) => p.requestsPerSecond) }]} />
        <LineChart
          id="errors"
          title="Errors per second"
          times={times}
          format={perSecond}
          series={[
            { name: '4xx (client)', values: points.map((p) => p.clientErrorsPerSecond) },
            { name: '5xx (server)', values: points.map((p) => p.serverErrorsPerSecond) },
          ]}
        />
        <LineChart
          id="latency"
          title="Latency"
          times={times}
          format={formatSeconds}
          series={[
            { name: 'p50', values: points.map((p) => p.p50) },
            { name: 'p90', values: points.map((p) => p.p90) },
            { name: 'p99', values: points.map((p) => p.p99) },
          ]}
        />
        <LineChart
          id="bytes"
          title="Bytes per second"
          times={times}
          format={bytesPerSecond}
          ceiling={binaryCeiling}
          series={[
            { name: 'in', values: points.map((p) => p.bytesInPerSecond) },
            { name: 'out', values: points.map((p) => p.bytesOutPerSecond) },
          ]}
        />
      </div>
    </main>
  );
}
