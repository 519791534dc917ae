/**
 * The self-contained HTML report: inline SVG charts and CSS, no scripts or network, so it opens from disk.
 * Charts: latency (p50 and p99) per tier for each scenario group, a latency CDF per group, and throughput by
 * object size per tier. Each chart is an `<svg class="chart" data-chart="…">` the report test looks for.
 */
import { systemLine } from './system.ts';
import { renderGroupTable } from './report-group-table.ts';
import { goalVerdict } from './report-load.ts';
import { renderProfileHtml } from './report-profile.ts';
import { renderScaleHtml } from './report-scale.ts';
import { isScaleGroup } from './scale/growth.ts';
import type { BenchReport, ScenarioGroup } from './report-types.ts';
import { tierNotes } from './report-tier-notes.ts';

const W = 640;
const H = 260;
const PAD = { left: 150, right: 20, top: 24, bottom: 36 };
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(3));

/** Horizontal bars: p50 (solid) and p99 (light) latency per tier, on a log scale so µs and ms share a chart. */
function latencyBars(group: ScenarioGroup): string {
  const ms = group.measurements;
  const max = Math.max(...ms.map((m) => m.latency.p99), 0.001);
  const min = Math.max(Math.min(...ms.map((m) => m.latency.p50)), 0.001) / 2;
  const x = (v: number) => PAD.left + ((Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min) || 1)) * (W - PAD.left - PAD.right);
  const rowH = Math.min(28, (H - PAD.top - PAD.bottom) / Math.max(1, ms.length));
  const bars = ms.map((m, i) => {
    const y = PAD.top + i * rowH;
    return [
      `<text x="${PAD.left - 6}" y="${y + rowH * 0.65}" text-anchor="end" class="label">${esc(m.tier)}</text>`,
      `<rect class="bar p99" x="${PAD.left}" y="${y + 2}" width="${x(m.latency.p99) - PAD.left}" height="${rowH - 4}" fill="${COLORS[i % COLORS.length]}" opacity="0.3"><title>p99 ${fmt(m.latency.p99)} ms</title></rect>`,
      `<rect class="bar p50" x="${PAD.left}" y="${y + 2}" width="${x(m.latency.p50) - PAD.left}" height="${rowH - 4}" fill="${COLORS[i % COLORS.length]}"><title>p50 ${fmt(m.latency.p50)} ms</title></rect>`,
      `<text x="${x(m.latency.p99) + 4}" y="${y + rowH * 0.65}" class="value">${fmt(m.latency.p50)} / ${fmt(m.latency.p99)} ms</text>`,
    ].join('');
  });
  const height = PAD.top + ms.length * rowH + PAD.bottom;
  return `<svg class="chart" data-chart="latency" viewBox="0 0 ${W + 120} ${height}" width="${W + 120}" height="${height}" role="img" aria-label="${esc(group.title)} latency">
<text x="${PAD.left}" y="16" class="title">p50 (solid) and p99 (light) latency, log scale</text>${bars.join('\n')}</svg>`;
}

/** Empirical CDF of latency per tier (log x axis). */
function cdfChart(group: ScenarioGroup): string {
  const all = group.measurements.flatMap((m) => m.cdf.map(([v]) => v));
  if (all.length === 0) return '';
  const min = Math.max(Math.min(...all), 0.001);
  const max = Math.max(...all, min * 10);
  const x = (v: number) => PAD.left + ((Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min) || 1)) * (W - PAD.left - PAD.right);
  const y = (q: number) => H - PAD.bottom - q * (H - PAD.top - PAD.bottom);
  const lines = group.measurements.map((m, i) => {
    const d = m.cdf.map(([v, q], j) => `${j ? 'L' : 'M'}${x(v).toFixed(1)},${y(q).toFixed(1)}`).join('');
    return `<path class="cdf-line" d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"><title>${esc(m.tier)}</title></path>`;
  });
  const legend = group.measurements.map(
    (m, i) => `<text x="8" y="${PAD.top + 14 * i + 10}" fill="${COLORS[i % COLORS.length]}" class="label">${esc(m.tier)}</text>`,
  );
  const axis = `<line x1="${PAD.left}" y1="${y(0)}" x2="${W - PAD.right}" y2="${y(0)}" stroke="#999"/><text x="${PAD.left}" y="${H - 8}" class="value">${fmt(min)} ms</text><text x="${W - PAD.right}" y="${H - 8}" text-anchor="end" class="value">${fmt(max)} ms</text>`;
  return `<svg class="chart" data-chart="cdf" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(group.title)} CDF">
<text x="${PAD.left}" y="16" class="title">latency CDF (fraction of operations at or under x)</text>${axis}${lines.join('')}${legend.join('')}</svg>`;
}

/** MB/s by object size per tier, for groups whose scenario names end in a size (`get 4 KiB`, …). */
function throughputChart(report: BenchReport, verb: string): string {
  const series = new Map<string, Array<[number, number]>>();
  for (const g of report.groups) {
    for (const m of g.measurements) {
      if (!m.scenario.startsWith(`${verb} `) || m.bytesPerOp === 0 || m.concurrency !== 1) continue;
      const s = series.get(m.tier) ?? [];
      s.push([m.bytesPerOp, m.mbPerSec.median]);
      series.set(m.tier, s);
    }
  }
  if (series.size === 0) return '';
  const points = [...series.values()].flat();
  const sizes = points.map(([s]) => s);
  const minS = Math.min(...sizes);
  const maxS = Math.max(...sizes, minS * 2);
  const maxV = Math.max(...points.map(([, v]) => v), 1);
  const x = (s: number) => PAD.left + ((Math.log2(s) - Math.log2(minS)) / (Math.log2(maxS) - Math.log2(minS))) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / maxV) * (H - PAD.top - PAD.bottom);
  const lines = [...series.entries()].map(([tier, pts], i) => {
    const sorted = pts.sort((a, b) => a[0] - b[0]);
    const d = sorted.map(([s, v], j) => `${j ? 'L' : 'M'}${x(s).toFixed(1)},${y(v).toFixed(1)}`).join('');
    const dots = sorted.map(([s, v]) => `<circle cx="${x(s).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${COLORS[i % COLORS.length]}"><title>${esc(tier)} ${fmt(v)} MB/s</title></circle>`);
    return `<path class="tput-line" d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>${dots.join('')}<text x="8" y="${PAD.top + 14 * i + 10}" fill="${COLORS[i % COLORS.length]}" class="label">${esc(tier)}</text>`;
  });
  const sizeLabel = (b: number) => (b >= 2 ** 20 ? `${b / 2 ** 20} MiB` : `${b / 1024} KiB`);
  const ticks = [...new Set(sizes)].map((s) => `<text x="${x(s)}" y="${H - 8}" text-anchor="middle" class="value">${sizeLabel(s)}</text>`);
  return `<svg class="chart" data-chart="throughput" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${verb} throughput by size">
<text x="${PAD.left}" y="16" class="title">${esc(verb)} throughput (MB/s, concurrency 1) by object size; top = ${fmt(maxV)} MB/s</text>${ticks.join('')}${lines.join('')}</svg>`;
}

/** Renders the whole report as one HTML document. */
export function renderHtml(report: BenchReport): string {
  const goals = report.goals
    .map((g) => {
      const v = goalVerdict(g);
      return `<tr><td>#${g.issue}</td><td>${esc(g.goal)}</td><td>${esc(g.target)}</td><td>${esc(g.shown)}</td><td class="${v.kind}">${esc(v.text)}</td></tr>`;
    })
    .join('\n');
  const groups = report.groups
    .filter((g) => !isScaleGroup(g))
    .map((g) => `<section class="group" id="${esc(g.id)}"><h3>${esc(g.title)}</h3><div class="charts">${latencyBars(g)}${cdfChart(g)}</div>${renderGroupTable(g)}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strata benchmark report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111;max-width:1400px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
.met{color:#15803d;font-weight:600}.unmet{color:#b91c1c;font-weight:600}.na{color:#6b7280}.untrusted{color:#b45309;font-weight:600}
tr.client-bound td,tr.errors td{background:#fff7ed}.badge{background:#b45309;color:#fff;border-radius:3px;padding:0 4px;font-size:12px}tr.errors .badge{background:#b91c1c}
svg.chart{background:#fafafa;border:1px solid #eee;margin:4px}.label{font-size:11px}.value{font-size:10px;fill:#444}.title{font-size:12px;font-weight:600}
.charts{display:flex;flex-wrap:wrap}
</style></head><body>
<h1>Strata benchmark report</h1>
<p class="system">${esc(systemLine(report.system))}</p>
<p>Generated by <code>${esc(report.command)}</code> (${report.mode} run).</p>
<h2>Goals</h2>
<table class="goals"><tr><th>issue</th><th>goal</th><th>target</th><th>measured</th><th>verdict</th></tr>${goals}</table>
<h2>Throughput by object size</h2>
<div class="charts">${throughputChart(report, 'get')}${throughputChart(report, 'put')}</div>
<h2>Scenarios</h2>
<p>HTTP rows: ops/s counts successful responses only; generator and server CPU are percent of one core from /proc over each round. A row whose generator core was saturated is marked client-bound and judges no goal, nor does a row with failed requests.</p>
${tierNotes(report).map((note) => `<p class="tier-note">${esc(note)}</p>`).join('\n')}
${groups}
${renderScaleHtml(report)}
${report.profiles?.length ? `<h2>CPU profiles under load</h2>\n${report.profiles.map(renderProfileHtml).join('\n')}` : ''}
</body></html>
`;
}
