/**
 * A small SVG line chart drawn by hand: one to three series over time, a y axis from zero to a rounded maximum
 * with three grid lines, gaps where a value is missing (NaN: no request finished in that interval). Colours
 * come from the stylesheet (`.series-0` …), never from inline styles, which the Content-Security-Policy forbids.
 *
 * For screen readers the chart is one image (`role="img"`) whose label states each series' latest and
 * highest value; the legend repeats them as text.
 */
import { useId } from 'preact/hooks';

/** One line. */
export interface ChartSeries {
  name: string;
  /** One value per time; NaN leaves a gap. */
  values: readonly number[];
}

/** Props of {@link LineChart}. */
export interface LineChartProps {
  title: string;
  /** Times of the values, ms since the epoch, ascending. */
  times: readonly number[];
  series: readonly ChartSeries[];
  /** Writes a value with its unit. */
  format: (value: number) => string;
  /** A name for the chart in tests and styles. */
  id: string;
  /** The y axis' top for the highest value. @default {@link niceCeiling} (1, 2 or 5 times a power of ten) */
  ceiling?: (max: number) => number;
}

const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 92, right: 12, top: 12, bottom: 28 };

/** The smallest "round" number (1, 2 or 5 times a power of ten) at or above `n`. */
export function niceCeiling(n: number): number {
  if (!(n > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

/** The smallest power of two at or above `n`: round axis tops for binary units (64 KiB/s, 32 MiB/s). */
export function binaryCeiling(n: number): number {
  return n > 1 ? 2 ** Math.ceil(Math.log2(n)) : 1;
}

/** The SVG path of a series: a move-to after every gap, line-tos otherwise. */
export function linePath(values: readonly number[], x: (i: number) => number, y: (v: number) => number): string {
  let path = '';
  let pen = false;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      pen = false;
      return;
    }
    path += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return path;
}

const finite = (values: readonly number[]) => values.filter(Number.isFinite);
const latestOf = (values: readonly number[]) => finite(values).at(-1);

/** A line chart of `series` over `times`. */
export function LineChart({ title, times, series, format, id, ceiling = niceCeiling }: LineChartProps) {
  const titleId = useId();
  const max = ceiling(Math.max(0, ...series.flatMap((s) => finite(s.values))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (times.length <= 1 ? plotW : (i / (times.length - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const spanSeconds = times.length > 1 ? ((times.at(-1) as number) - (times[0] as number)) / 1000 : 0;
  const summary = series
    .map((s) => {
      const latest = latestOf(s.values);
      const highest = Math.max(...finite(s.values));
      return `${s.name}: ${latest === undefined ? 'no data' : `now ${format(latest)}, highest ${format(highest)}`}`;
    })
    .join('; ');
  return (
    <figure class="chart" data-chart={id}>
      <figcaption id={titleId}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId} aria-describedby={`${titleId}-summary`}>
        {[0, 0.5, 1].map((f) => (
          <g key={f} class="grid">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * f)} y2={y(max * f)} />
            <text x={PAD.left - 6} y={y(max * f) + 4} text-anchor="end">
              {format(max * f)}
            </text>
          </g>
        ))}
        <text class="axis-label" x={PAD.left} y={HEIGHT - 8}>
          {spanSeconds > 0 ? `−${Math.round(spanSeconds)} s` : 'waiting for data'}
        </text>
        <text class="axis-label" x={WIDTH - PAD.right} y={HEIGHT - 8} text-anchor="end">
          now
        </text>
        {series.map((s, i) => (
          <path key={s.name} class={`line series-${i}`} d={linePath(s.values, x, y)} />
        ))}
      </svg>
      <p id={`${titleId}-summary`} class="visually-hidden">
        {summary}
      </p>
      <ul class="legend">
        {series.map((s, i) => {
          const latest = latestOf(s.values);
          return (
            <li key={s.name}>
              <span class={`swatch series-${i}`} aria-hidden="true" />
              {s.name}: <strong>{latest === undefined ? '—' : format(latest)}</strong>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
