/**
 * The scale section of the reports: how GET, HEAD and a 1,000-key list page cost as a store grows, per backend
 * — latency p50/p99 at each size with the ratio to the size before, one sentence of growth per operation and
 * backend, and the RSS of the process holding the store at each size. The scale groups are shown here instead
 * of as the usual per-group tables.
 */
import { growthSentence, objectsLabel, ratioText, rssBytesPerObject, scaleSeries } from './scale/growth.ts';
import type { ScaleSeries } from './scale/growth.ts';
import type { BenchReport } from './report-types.ts';

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const mb = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');

/** What the rows measure, in words (the same in both reports). */
const ABOUT =
  'Each backend holds one store of 16-byte objects, filled once and extended from size to size; keys are `scale/<index ÷ 1000>/<index mod 1000>` (1,000 per directory). ' +
  'GET and HEAD read random keys; a list page is ListObjectsV2 `max-keys` 1000 (`limit` 1000 on the contract) from a random `start-after`, or the first page; each answer is checked. ' +
  'Concurrency 1. "× prev" is the ratio to the size before. RSS is of the process holding the store (its own child process for an adapter, the server for the object server), after a GC, at the end of the size\'s rounds; "added per object" is (RSS − empty-store RSS) ÷ objects at the last size.';

interface Row {
  cells: string[];
}

function latencyRows(series: ScaleSeries[]): Row[] {
  return series.flatMap((s) =>
    s.points.map((p, i) => {
      const step = i > 0 ? s.steps[i - 1] : undefined;
      return { cells: [s.op, s.backend, objectsLabel(p.objects), ms(p.p50), ms(p.p99), step ? ratioText(step.p50) : '', step ? ratioText(step.p99) : ''] };
    }),
  );
}

/** RSS per backend and size (the same for every operation of a size, so taken from the first). */
function rssRows(series: ScaleSeries[], sizes: number[]): Row[] {
  const byBackend = new Map<string, ScaleSeries>();
  for (const s of series) if (!byBackend.has(s.backend)) byBackend.set(s.backend, s);
  return [...byBackend.values()].map((s) => {
    const cells = sizes.map((n) => mb(s.points.find((p) => p.objects === n)?.rssMB ?? NaN));
    const growth = s.steps.map((g) => `${ratioText(g.rss)} (${objectsLabel(g.from)}→${objectsLabel(g.to)})`).join(', ');
    const top = s.points.at(-1);
    const perObject = top ? rssBytesPerObject(top) : NaN;
    return { cells: [s.backend, mb(top?.emptyRssMB ?? NaN), ...cells, growth, Number.isFinite(perObject) ? `${Math.round(perObject)} B` : '–'] };
  });
}

const RSS_HEADERS = (sizes: number[]) => ['backend', 'empty store', ...sizes.map(objectsLabel), 'growth', 'added per object (last size)'];
const LATENCY_HEADERS = ['operation', 'backend', 'objects', 'p50 ms', 'p99 ms', 'p50 × prev', 'p99 × prev'];

function sizesOf(series: ScaleSeries[]): number[] {
  return [...new Set(series.flatMap((s) => s.points.map((p) => p.objects)))].sort((a, b) => a - b);
}

/** The markdown section; empty when the run has no scale rows. */
export function renderScaleMarkdown(report: BenchReport): string {
  const series = scaleSeries(report.groups);
  if (series.length === 0) return '';
  const sizes = sizesOf(series);
  const table = (headers: string[], align: string[], rows: Row[]) => [`| ${headers.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.cells.join(' | ')} |`)];
  const sentences = series.map(growthSentence).filter(Boolean).map((s) => `- ${s}`);
  return [
    '## Scale: cost as the store grows',
    '',
    ABOUT,
    '',
    ...(sentences.length ? [...sentences, ''] : []),
    ...table(LATENCY_HEADERS, ['---', '---', '---:', '---:', '---:', '---:', '---:'], latencyRows(series)),
    '',
    '### RSS of the process holding the store (MB)',
    '',
    ...table(RSS_HEADERS(sizes), ['---', '---:', ...sizes.map(() => '---:'), '---', '---:'], rssRows(series, sizes)),
    '',
  ].join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The HTML section; empty when the run has no scale rows. */
export function renderScaleHtml(report: BenchReport): string {
  const series = scaleSeries(report.groups);
  if (series.length === 0) return '';
  const sizes = sizesOf(series);
  const table = (cls: string, headers: string[], rows: Row[]) =>
    `<table class="${cls}"><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
  const sentences = series.map(growthSentence).filter(Boolean).map((s) => `<li>${esc(s)}</li>`);
  return `<h2>Scale: cost as the store grows</h2>
<p>${esc(ABOUT)}</p>
<ul class="scale-growth">${sentences.join('')}</ul>
${table('scale-latency', LATENCY_HEADERS, latencyRows(series))}
<h3>RSS of the process holding the store (MB)</h3>
${table('scale-rss', RSS_HEADERS(sizes), rssRows(series, sizes))}`;
}
