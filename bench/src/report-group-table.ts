/** The per-group HTML table of the report (same columns as the markdown table). */
import type { ScenarioGroup } from './report-types.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const n = (v: number, digits = 3) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 1 ? 2 : digits));

/** Renders one group's measurements as an HTML table with ratios against the group's baseline tier. */
export function renderGroupTable(group: ScenarioGroup): string {
  const base = group.measurements.find((m) => m.tier === group.baselineTier);
  const rows = group.measurements
    .map((m) => {
      const ratio = base ? `${(m.opsPerSec.median / base.opsPerSec.median).toFixed(2)}×` : '';
      const extra = m.extra ? Object.entries(m.extra).map(([k, v]) => `${k}=${v}`).join(', ') : '';
      return `<tr><td>${esc(m.tier)}</td><td>${m.concurrency}</td><td>${n(m.latency.p50)}</td><td>${n(m.latency.p90)}</td><td>${n(m.latency.p99)}</td><td>${n(m.latency.max)}</td><td>${n(m.opsPerSec.median)} (${n(m.opsPerSec.min)}–${n(m.opsPerSec.max)})</td><td>${m.bytesPerOp ? n(m.mbPerSec.median) : '–'}</td><td>${ratio}</td><td>${esc(extra)}</td></tr>`;
    })
    .join('');
  return `<table><tr><th>tier</th><th>conc.</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>ops/s</th><th>MB/s</th><th>vs ${esc(group.baselineTier ?? '—')}</th><th>notes</th></tr>${rows}</table>`;
}
