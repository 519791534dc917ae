/**
 * CI's one-second smoke of every benchmark scenario, so none can rot, and the HTML report opened in
 * headless Chromium: its charts must be there and drawn. The figures of a smoke run mean nothing; the shape does.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { runBench } from '../src/cli.ts';
import type { BenchReport } from '../src/report-types.ts';

const out = mkdtempSync(join(tmpdir(), 'strata-bench-out-'));
let report: BenchReport;

beforeAll(async () => {
  report = await runBench(['--smoke'], { ...process.env, BENCH_OUT: out });
}, 600_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench --smoke', () => {
  it('runs every scenario and writes the three outputs', () => {
    expect(report.skipped.filter((s) => !s.scenario.includes('external'))).toEqual([]);
    for (const f of ['RESULTS.md', 'results/latest.json', 'results/report.html']) expect(existsSync(join(out, f))).toBe(true);
    const tiers = new Set(report.groups.flatMap((g) => g.measurements.map((m) => m.tier)));
    for (const t of ['raw node:fs', 'memory adapter', 'file adapter', 'block adapter', 's3 adapter → object server (file)', 'page device (image)', 'page device (image, read into a buffer)', 'raw pread', 'raw pread + xxh64 (integrity floor)', 'raw pwrite + xxh64 (integrity floor)', 'bare fastify', 'bare fastify + raw durable put', 's3rver', 'object server (file)', 'raw client-s3', 's3 adapter']) {
      expect(tiers, t).toContain(t);
    }
    for (const m of report.groups.flatMap((g) => g.measurements)) {
      expect(m.opsPerSec.median, `${m.scenario} ${m.tier}`).toBeGreaterThan(0);
      expect(m.extra?.non2xx ?? 0, `${m.scenario} ${m.tier} non-2xx`).toBe(0);
    }
  });

  it('states every goal of the issues in RESULTS.md with a measured value', () => {
    const md = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    expect(report.goals.length).toBeGreaterThanOrEqual(13);
    for (const g of report.goals) {
      expect(md).toContain(g.goal);
      expect(g.measured, g.goal).not.toBeNull();
    }
    expect(md).toMatch(/System: .*Node v20/);
  });

  it.skipIf(skipWithout('chromium'))('opens the HTML report in headless Chromium with its charts drawn', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(pathToFileURL(join(out, 'results', 'report.html')).href);
      const count = (selector: string) => page.locator(selector).count();
      const counts = {
        latency: await count('svg.chart[data-chart="latency"] rect.bar'),
        cdf: await count('svg.chart[data-chart="cdf"] path.cdf-line'),
        throughput: await count('svg.chart[data-chart="throughput"] path.tput-line'),
        goals: await count('table.goals tr'),
      };
      expect(counts.latency).toBeGreaterThan(10);
      expect(counts.cdf).toBeGreaterThan(5);
      expect(counts.throughput).toBeGreaterThan(2);
      expect(counts.goals).toBeGreaterThan(10);
      const shot = await page.screenshot({ fullPage: false });
      expect(shot.length).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
