/**
 * The flame summary of a `.cpuprofile`: self and inclusive time aggregated by function (recursion counted once),
 * idle left out of the percentages, a time window cutting start-up away — on a hand-made profile and on a
 * real one written by `node --cpu-prof`. Also the profile command's arguments and its report section.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfileArgs, ProfileUsageError } from '../src/profile.ts';
import { CpuProfileError, summarizeCpuProfile } from '../src/profile-summary.ts';
import type { CpuProfile, ProfileSection } from '../src/profile-summary.ts';
import { renderProfileHtml, renderProfileMarkdown } from '../src/report-profile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

/**
 * root ─┬─ (idle)
 *       ├─ handle (app.js:10) ── parse (app.js:20) ── parse (app.js:20)   [recursion]
 *       │                    └── send (app.js:30)
 *       └─ (garbage collector)
 * One sample per millisecond: idle 4, parse (inner) 3, parse (outer) 1, send 2, handle 1, GC 1.
 */
function handMade(): CpuProfile {
  const app = 'file:///srv/app/app.js';
  const nodes = [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 7] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('handle', app, 9), children: [4, 6] },
    { id: 4, callFrame: frame('parse', app, 19), children: [5] },
    { id: 5, callFrame: frame('parse', app, 19) },
    { id: 6, callFrame: frame('send', app, 29) },
    { id: 7, callFrame: frame('(garbage collector)') },
  ];
  const samples = [2, 2, 5, 5, 5, 4, 6, 6, 3, 7, 2, 2];
  return { nodes, startTime: 0, endTime: samples.length * 1000, samples, timeDeltas: samples.map((_, i) => (i === 0 ? 0 : 1000)) };
}

describe('summarizeCpuProfile', () => {
  it('aggregates self time by function and leaves idle out of busy time', () => {
    const s = summarizeCpuProfile(handMade(), { root: '/srv/app' });
    expect(s.durationMs).toBe(12);
    expect(s.samples).toBe(12);
    expect(s.idleMs).toBe(4);
    expect(s.busyMs).toBe(8);
    expect(s.gcMs).toBe(1);
    expect(s.topSelf.map((f) => [f.name, f.location, f.selfMs])).toEqual([
      ['parse', 'app.js:20', 4],
      ['send', 'app.js:30', 2],
      ['handle', 'app.js:10', 1],
      ['(garbage collector)', '', 1],
    ]);
    expect(s.topSelf[0]?.selfPct).toBe(50);
  });

  it('counts a recursive function once per sample in inclusive time', () => {
    const s = summarizeCpuProfile(handMade());
    const total = Object.fromEntries(s.topTotal.map((f) => [f.name, f.totalMs]));
    // handle: its own 1 + parse 4 + send 2; parse: 4, not 3 + 3 + 1.
    expect(total).toEqual({ handle: 7, parse: 4, send: 2 });
    expect(s.topTotal[0]?.totalPct).toBeCloseTo(87.5, 9);
  });

  it('keeps only the samples within a window', () => {
    // Sample i covers [i, i + 1) ms; 5 to 9 ms holds samples 5–8: parse (outer), send, send, handle.
    const s = summarizeCpuProfile(handMade(), { window: { startUs: 5000, endUs: 9000 } });
    expect(s.durationMs).toBe(4);
    expect(s.samples).toBe(4);
    expect(s.idleMs).toBe(0);
    expect(s.topSelf.map((f) => [f.name, f.selfMs])).toEqual([
      ['send', 2],
      ['handle', 1],
      ['parse', 1],
    ]);
    expect(() => summarizeCpuProfile(handMade(), { window: { startUs: 1e9, endUs: 2e9 } })).toThrow(CpuProfileError);
  });

  it('refuses JSON that is not a CPU profile', () => {
    expect(() => summarizeCpuProfile({} as CpuProfile)).toThrow(CpuProfileError);
  });

  it('finds the hot function of a real profile written by node --cpu-prof', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-cpuprof-'));
    try {
      const script = 'function burnHotLoop(n) { let x = 0; for (let i = 0; i < n; i++) x += Math.sqrt(i); return x; } const t = Date.now() + 400; while (Date.now() < t) burnHotLoop(1e5);';
      const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '-e', script], { timeout: 20_000 });
      expect(r.status).toBe(0);
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) as string;
      const s = summarizeCpuProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
      expect(s.topSelf[0]?.name).toBe('burnHotLoop');
      expect(s.busyMs).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the profile command', () => {
  it('reads its arguments', () => {
    expect(parseProfileArgs(['--profile', 'get4k'])).toEqual({ recipe: 'get4k', seconds: 10, keep: false });
    expect(parseProfileArgs(['--profile=put4k-block', '--seconds', '3', '--keep'])).toEqual({ recipe: 'put4k-block', seconds: 3, keep: true });
    expect(parseProfileArgs(['get1m'])).toEqual({ recipe: 'get1m', seconds: 10, keep: false });
  });

  it('refuses an unknown recipe or a bad duration, naming the recipes', () => {
    expect(() => parseProfileArgs(['--profile', 'get9k'])).toThrow(ProfileUsageError);
    expect(() => parseProfileArgs(['--profile'])).toThrow(/recipes: get4k/);
    expect(() => parseProfileArgs(['--profile', 'get4k', '--seconds', '0'])).toThrow(/--seconds/);
    expect(() => parseProfileArgs(['--profile', 'get4k', '--seconds', 'x'])).toThrow(/--seconds/);
  });

  it('renders its report section with both tables', () => {
    const section: ProfileSection = {
      recipe: 'get4k',
      title: 'object server (file), GET 4 KiB, 64 connections, 3 s of load',
      command: 'pnpm bench --profile get4k --seconds 3',
      scope: 'the load round only',
      date: '2026-01-01T00:00:00Z',
      load: { generator: 'wrk', okPerSec: 9876.5, generatorCpuPct: 20, serverCpuPct: 99, errors: 0 },
      summary: summarizeCpuProfile(handMade(), { root: '/srv/app' }),
    };
    const md = renderProfileMarkdown(section);
    expect(md).toContain('### Profile: get4k');
    expect(md).toContain('9,877 ok req/s with wrk');
    expect(md).toContain('| 1 | 50.0 | 4.0 | `parse` | app.js:20 |');
    expect(md).toContain('| 1 | 87.5 | 7.0 | `handle` | app.js:10 |');
    const html = renderProfileHtml(section);
    expect(html).toContain('<section class="profile" id="profile-get4k">');
    expect(html).toContain('<td><code>parse</code></td>');
  });
});
