/**
 * The per-group HTML table of the report (same columns as the markdown table, load columns included for HTTP
 * groups). A row that does not stand carries a class (`client-bound`, `errors`) and a visible badge.
 */
import { hasLoadColumns, loadCells, LOAD_HEADERS, rowStatus } from './report-load.ts';
import type { ScenarioGroup } from './report-types.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const n = (v: number, digits = 3) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 1 ? 2 : digits));

/** Renders one group's measurements as an HTML table with ratios against the group's baseline tier. */
export function renderGroupTable(group: ScenarioGroup): string {
  const base = group.measurements.find((m) => m.tier === group.baselineTier);
  const withLoad = hasLoadColumns(group);
  const rows = group.measurements
    .map((m) => {
      const ratio = base ? `${(m.opsPerSec.median / base.opsPerSec.median).toFixed(2)}×` : '';
      const extra = m.extra ? Object.entries(m.extra).map(([k, v]) => `${k}=${v}`).join(', ') : '';
      const status = rowStatus(m);
      const flagged = status.kind === 'client-bound' || status.kind === 'errors';
      const load = withLoad
        ? loadCells(m)
            .map((c, i) => (i === 3 && flagged ? `<td class="row-status ${status.kind}"><span class="badge">${esc(c)}</span></td>` : `<td>${esc(c)}</td>`))
            .join('')
        : '';
      const cls = flagged ? ` class="${status.kind}"` : '';
      return `<tr${cls}><td>${esc(m.tier)}</td><td>${m.concurrency}</td><td>${n(m.latency.p50)}</td><td>${n(m.latency.p90)}</td><td>${n(m.latency.p99)}</td><td>${n(m.latency.max)}</td><td>${n(m.opsPerSec.median)} (${n(m.opsPerSec.min)}–${n(m.opsPerSec.max)})</td><td>${m.bytesPerOp ? n(m.mbPerSec.median) : '–'}</td><td>${ratio}</td>${load}<td>${esc(extra)}</td></tr>`;
    })
    .join('');
  const loadHeads = withLoad ? LOAD_HEADERS.map((h) => `<th>${esc(h)}</th>`).join('') : '';
  return `<table><tr><th>tier</th><th>conc.</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>ops/s</th><th>MB/s</th><th>vs ${esc(group.baselineTier ?? '—')}</th>${loadHeads}<th>notes</th></tr>${rows}</table>`;
}
