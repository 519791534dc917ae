/**
 * The growth of a scale curve: for each operation and backend, latency p50/p99 and RSS at each store size, and
 * the ratio between consecutive sizes — the figure that says whether a cost is flat (≈1× per 10× objects),
 * logarithmic (a little over 1×) or linear (≈10×). Computed from the report's scale rows, so the markdown and
 * HTML reports state the same numbers.
 */
import type { Measurement } from '../measure.ts';
import type { ScenarioGroup } from '../report-types.ts';

/** Group ids of the scale scenario start with this, so the report can set them apart. */
export const SCALE_GROUP_PREFIX = 'scale-';

/** One size of one curve. */
export interface ScalePoint {
  objects: number;
  p50: number;
  p99: number;
  rssMB: number;
  /** RSS of the same process with the store open and empty; NaN when not measured. */
  emptyRssMB: number;
}

/** A step from one size to the next; ratios are larger ÷ smaller. */
export interface GrowthStep {
  from: number;
  to: number;
  p50: number;
  p99: number;
  rss: number;
}

/** One operation on one backend, its points ascending by size and the steps between them. */
export interface ScaleSeries {
  /** The operation's scenario name without `scale ` (`GET`, `list first 1000 keys`). */
  op: string;
  backend: string;
  points: ScalePoint[];
  steps: GrowthStep[];
}

/** Whether a group is one of the scale scenario's. */
export const isScaleGroup = (g: ScenarioGroup): boolean => g.id.startsWith(SCALE_GROUP_PREFIX);

/** The ratios between consecutive points (ascending by size). */
export function growthSteps(points: readonly ScalePoint[]): GrowthStep[] {
  const steps: GrowthStep[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as ScalePoint;
    const b = points[i] as ScalePoint;
    steps.push({ from: a.objects, to: b.objects, p50: b.p50 / a.p50, p99: b.p99 / a.p99, rss: b.rssMB / a.rssMB });
  }
  return steps;
}

const pointOf = (m: Measurement): ScalePoint | undefined => {
  const objects = Number(m.extra?.objects);
  if (!(objects > 0)) return undefined;
  return { objects, p50: m.latency.p50, p99: m.latency.p99, rssMB: Number(m.extra?.rssMB), emptyRssMB: Number(m.extra?.emptyRssMB ?? NaN) };
};

/** Every (operation, backend) curve of a report's scale groups, in report order. */
export function scaleSeries(groups: readonly ScenarioGroup[]): ScaleSeries[] {
  const series = new Map<string, ScaleSeries>();
  for (const m of groups.filter(isScaleGroup).flatMap((g) => g.measurements)) {
    const point = pointOf(m);
    if (!point) continue;
    const op = m.scenario.replace(/^scale /, '');
    const backend = String(m.extra?.backend ?? m.tier);
    const id = `${op}\u0000${backend}`;
    const s = series.get(id) ?? { op, backend, points: [], steps: [] };
    s.points.push(point);
    series.set(id, s);
  }
  for (const s of series.values()) {
    s.points.sort((a, b) => a.objects - b.objects);
    s.steps = growthSteps(s.points);
  }
  return [...series.values()];
}

/** What the store adds to its process's RSS per object at `point`, in bytes (NaN without an empty-store figure). */
export function rssBytesPerObject(point: ScalePoint): number {
  return ((point.rssMB - point.emptyRssMB) * 2 ** 20) / point.objects;
}

/** `10^4` for a power of ten, `250,000` otherwise. */
export function objectsLabel(n: number): string {
  const exp = Math.log10(n);
  return Number.isInteger(exp) && n >= 10 ? `10^${exp}` : n.toLocaleString('en-US');
}

/** `1.10×` (two decimals under 10, one above). */
export const ratioText = (r: number): string => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×` : '–');

/** How many times more objects a step holds, as words: `10×`, `2.5×`. */
const factorText = (s: GrowthStep) => {
  const f = s.to / s.from;
  return `${Number.isInteger(f) ? f : f.toFixed(1)}×`;
};

/**
 * The growth in one sentence: `GET p50 grows 1.10× per 10× objects on file adapter (10^4→10^5), 1.30× (10^5→10^6);
 * p99 …`. Empty for a curve of one point.
 */
export function growthSentence(s: ScaleSeries): string {
  if (s.steps.length === 0) return '';
  const steps = (pick: (g: GrowthStep) => number) =>
    s.steps.map((g, i) => `${ratioText(pick(g))}${i === 0 ? ` per ${factorText(g)} objects` : factorText(g) === factorText(s.steps[0] as GrowthStep) ? '' : ` per ${factorText(g)}`} (${objectsLabel(g.from)}→${objectsLabel(g.to)})`).join(', ');
  return `${s.op} p50 grows ${steps((g) => g.p50)} on ${s.backend}; p99 ${steps((g) => g.p99)}`;
}
