/**
 * The scale curve's arithmetic and its report section, on hand-made rows: the ratio between consecutive sizes,
 * the growth sentence, the RSS table, the curve's sizes from the mode and `--scale-max`, and a list page's
 * random start-after that always leaves a full page.
 */
import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from '../src/args.ts';
import type { Measurement } from '../src/measure.ts';
import { renderHtml } from '../src/report-html.ts';
import { renderMarkdown } from '../src/report-md.ts';
import type { BenchReport } from '../src/report-types.ts';
import { growthSentence, growthSteps, objectsLabel, rssBytesPerObject, scaleSeries } from '../src/scale/growth.ts';
import { PAGE_KEYS, randomStartAfter, scaleKey, scaleSizes, seededRandom } from '../src/scale/scale-plan.ts';

function row(scenario: string, backend: string, objects: number, p50: number, p99: number, rssMB: number, emptyRssMB?: number): Measurement {
  return {
    scenario,
    tier: `${backend} @ ${objectsLabel(objects)}`,
    concurrency: 1,
    bytesPerOp: 0,
    latency: { count: 100, p50, p90: p99, p99, max: p99, mean: p50 },
    opsPerSec: { median: 1000 / p50, min: 1000 / p50, max: 1000 / p50 },
    mbPerSec: { median: 0, min: 0, max: 0 },
    cdf: [],
    extra: { backend, objects, rssMB, ...(emptyRssMB === undefined ? {} : { emptyRssMB }) },
  };
}

const report: BenchReport = {
  system: { os: 'Linux', cpu: 'test', cores: 2, memoryGiB: 1, node: 'v20', disk: 'ext4', date: '2026-01-01' },
  mode: 'quick',
  command: 'pnpm bench --quick --only=scale',
  goals: [],
  skipped: [],
  groups: [
    {
      id: 'scale-get',
      title: 'scale GET',
      // Out of order on purpose: the series sorts by size.
      measurements: [row('scale GET', 'file adapter', 100_000, 0.11, 0.5, 150), row('scale GET', 'file adapter', 10_000, 0.1, 0.4, 120), row('scale GET', 'file adapter', 1_000_000, 0.22, 1.5, 300, 100)],
    },
    { id: 'scale-head', title: 'scale HEAD', measurements: [row('scale HEAD', 'memory adapter', 10_000, 0.002, 0.01, 90), row('scale HEAD', 'memory adapter', 100_000, 0.002, 0.02, 135)] },
    { id: 'storage-get-4-KiB-c1', title: 'get 4 KiB · c1', measurements: [row('get 4 KiB', 'file adapter', 1, 1, 1, 1)] },
  ],
};

describe('scale growth', () => {
  it('computes the ratio between consecutive sizes, per operation and backend, ignoring other groups', () => {
    const series = scaleSeries(report.groups);
    expect(series.map((s) => [s.op, s.backend])).toEqual([
      ['GET', 'file adapter'],
      ['HEAD', 'memory adapter'],
    ]);
    const get = series[0]!;
    expect(get.points.map((p) => p.objects)).toEqual([10_000, 100_000, 1_000_000]);
    expect(get.steps.map((s) => [s.from, s.to])).toEqual([
      [10_000, 100_000],
      [100_000, 1_000_000],
    ]);
    expect(get.steps[0]!.p50).toBeCloseTo(1.1);
    expect(get.steps[1]!.p50).toBeCloseTo(2);
    expect(get.steps[1]!.p99).toBeCloseTo(3);
    expect(get.steps[0]!.rss).toBeCloseTo(1.25);
    expect(growthSteps([{ objects: 10, p50: 1, p99: 1, rssMB: 1, emptyRssMB: NaN }])).toEqual([]);
    // 200 MB more than the empty store, over 10^6 objects.
    expect(rssBytesPerObject(get.points[2]!)).toBeCloseTo((200 * 2 ** 20) / 1e6);
  });

  it('states the growth in a sentence per 10× objects', () => {
    const [get] = scaleSeries(report.groups);
    expect(growthSentence(get!)).toBe('GET p50 grows 1.10× per 10× objects (10^4→10^5), 2.00× (10^5→10^6) on file adapter; p99 1.25× per 10× objects (10^4→10^5), 3.00× (10^5→10^6)');
  });

  it('writes the section into RESULTS.md and the HTML report instead of one table per scale group', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('## Scale: cost as the store grows');
    expect(md).toContain('- GET p50 grows 1.10× per 10× objects (10^4→10^5)');
    expect(md).toContain('| GET | file adapter | 10^5 | 0.110 | 0.500 | 1.10× | 1.25× |');
    expect(md).toContain('| file adapter | 100.0 | 120.0 | 150.0 | 300.0 | 1.25× (10^4→10^5), 2.00× (10^5→10^6) | 210 B |');
    expect(md).toContain('| memory adapter | – | 90.0 | 135.0 | – | 1.50× (10^4→10^5) | – |');
    expect(md).not.toContain('### scale GET');
    expect(md).toContain('### get 4 KiB · c1');
    const html = renderHtml(report);
    expect(html).toContain('<h2>Scale: cost as the store grows</h2>');
    expect(html).toContain('<table class="scale-rss">');
    expect(html).not.toContain('id="scale-get"');
  });

  it('leaves the reports without a scale section when the scenario did not run', () => {
    const without = { ...report, groups: report.groups.filter((g) => !g.id.startsWith('scale-')) };
    expect(renderMarkdown(without)).not.toContain('## Scale');
    expect(renderHtml(without)).not.toContain('Scale: cost');
  });
});

describe('scale sizes and keys', () => {
  it('takes the mode’s sizes, cut (and ended) by --scale-max, or BENCH_SCALE_SIZES', () => {
    expect(scaleSizes('full', undefined, {})).toEqual([10_000, 100_000, 1_000_000]);
    expect(scaleSizes('quick', undefined, {})).toEqual([10_000, 100_000]);
    expect(scaleSizes('smoke', undefined, {})).toEqual([100, 1_000]);
    expect(scaleSizes('full', 100_000, {})).toEqual([10_000, 100_000]);
    expect(scaleSizes('full', 300_000, {})).toEqual([10_000, 100_000, 300_000]);
    expect(scaleSizes('full', undefined, { BENCH_SCALE_SIZES: '1000, 100' })).toEqual([100, 1_000]);
  });

  it('parses --scale-max and refuses a bad one before anything runs', () => {
    expect(parseBenchArgs(['--quick', '--scale-max', '100000'], {}, ['scale']).scaleMax).toBe(100_000);
    expect(parseBenchArgs([], {}, ['scale']).scaleMax).toBeUndefined();
    for (const bad of ['1e9x', '0', '-5', '2.5']) expect(() => parseBenchArgs([`--scale-max=${bad}`], {}, ['scale'])).toThrow(BenchUsageError);
  });

  it('orders keys numerically and leaves a full page after every random start-after', () => {
    const keys = Array.from({ length: 2_500 }, (_, i) => scaleKey(i, 7));
    expect(keys[1234]).toBe('scale/0001/234');
    expect([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(keys);
    const random = seededRandom(7);
    for (let i = 0; i < 1_000; i++) {
      const { index, expected } = randomStartAfter(2_500, random);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(expected).toBe(PAGE_KEYS);
      expect(index + expected).toBeLessThan(2_500);
    }
    expect(randomStartAfter(100, () => 0.5)).toEqual({ index: 50, expected: 49 });
  });
});
