/**
 * The report section of a CPU profile under load (`pnpm bench --profile <recipe>`): the load round it was
 * taken under, then the top functions by self time and by inclusive time. The markdown form is also what the
 * profile command prints.
 */
import type { ProfileFrame, ProfileSection } from './profile-summary.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const msText = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const pctText = (v: number) => v.toFixed(1);
/** Table cells may not hold a bare `|`. */
const cell = (s: string) => s.replace(/\|/g, '\\|');

function headline(p: ProfileSection): string[] {
  const s = p.summary;
  const busyPct = s.durationMs > 0 ? (s.busyMs / s.durationMs) * 100 : 0;
  return [
    `${p.title}. Command: \`${p.command}\` (${p.date}).`,
    `Load during the profile: ${Math.round(p.load.okPerSec).toLocaleString('en-US')} ok req/s with ${p.load.generator} (generator CPU ${Math.round(p.load.generatorCpuPct)} %, server CPU ${Math.round(p.load.serverCpuPct)} %${p.load.errors ? `, ${p.load.errors} failed requests` : ''}); the profiler slows the server, so this rate is not the table's.`,
    `Profile of ${p.scope}: ${s.samples.toLocaleString('en-US')} samples over ${(s.durationMs / 1000).toFixed(1)} s; busy ${msText(s.busyMs)} ms (${busyPct.toFixed(0)} % of the wall time), of which garbage collection ${pctText(s.busyMs ? (s.gcMs / s.busyMs) * 100 : 0)} % and (program) ${pctText(s.busyMs ? (s.programMs / s.busyMs) * 100 : 0)} %. Percentages below are of busy time.`,
  ];
}

function frameRows(frames: ProfileFrame[], by: 'self' | 'total'): string[] {
  return frames.map((f, i) => {
    const [ms, pct] = by === 'self' ? [f.selfMs, f.selfPct] : [f.totalMs, f.totalPct];
    return `| ${i + 1} | ${pctText(pct)} | ${msText(ms)} | \`${cell(f.name)}\` | ${cell(f.location)} |`;
  });
}

/** The section as markdown. */
export function renderProfileMarkdown(p: ProfileSection): string {
  return [
    `### Profile: ${p.recipe}`,
    '',
    ...headline(p).flatMap((l) => [l, '']),
    '**Top self time** (where the CPU went)',
    '',
    '| # | % busy | ms | function | location |',
    '|---:|---:|---:|---|---|',
    ...frameRows(p.summary.topSelf, 'self'),
    '',
    '**Top inclusive time** (the calls that time sits under)',
    '',
    '| # | % busy | ms | function | location |',
    '|---:|---:|---:|---|---|',
    ...frameRows(p.summary.topTotal, 'total'),
    '',
  ].join('\n');
}

function htmlTable(frames: ProfileFrame[], by: 'self' | 'total'): string {
  const rows = frames
    .map((f, i) => {
      const [ms, pct] = by === 'self' ? [f.selfMs, f.selfPct] : [f.totalMs, f.totalPct];
      return `<tr><td>${i + 1}</td><td>${pctText(pct)}</td><td>${msText(ms)}</td><td><code>${esc(f.name)}</code></td><td>${esc(f.location)}</td></tr>`;
    })
    .join('');
  return `<table class="profile"><tr><th>#</th><th>% busy</th><th>ms</th><th>function</th><th>location</th></tr>${rows}</table>`;
}

/** The section as HTML. */
export function renderProfileHtml(p: ProfileSection): string {
  const lines = headline(p).map((l) => `<p>${esc(l).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`);
  return `<section class="profile" id="profile-${esc(p.recipe)}"><h3>Profile: ${esc(p.recipe)}</h3>${lines.join('')}<h4>Top self time</h4>${htmlTable(p.summary.topSelf, 'self')}<h4>Top inclusive time</h4>${htmlTable(p.summary.topTotal, 'total')}</section>`;
}
