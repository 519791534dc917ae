/**
 * Client-bound marking: a round whose load generator's core was over 90 % busy makes its row client-bound;
 * such a row — or one with failed requests — is flagged in the markdown, the HTML and the JSON report, and
 * no goal is judged on it ("client-bound, not judged"). Also the choice of generator and its fallback note.
 */
import { describe, expect, it } from 'vitest';
import { evaluateGoals } from '../src/goals.ts';
import { CLIENT_BOUND_CPU_PCT, isClientBound, loadFacts } from '../src/load/load-round.ts';
import type { LoadRound } from '../src/load/load-round.ts';
import { chooseGenerator } from '../src/load/run-load.ts';
import type { Measurement } from '../src/measure.ts';
import { renderHtml } from '../src/report-html.ts';
import { renderMarkdown } from '../src/report-md.ts';
import type { BenchReport, GoalResult } from '../src/report-types.ts';
import { RAW_PUT_TIER } from '../src/scenarios/http-names.ts';

const round = (generatorCpuPct: number, extra: Partial<LoadRound> = {}): LoadRound => ({
  generator: 'wrk',
  latency: { p50: 1, p90: 2, p99: 3, max: 4, mean: 1.2 },
  okPerSec: 1000,
  total: 1000,
  non2xx: 0,
  socketErrors: 0,
  generatorCpuPct,
  serverCpuPct: 99,
  ...extra,
});

function row(scenario: string, tier: string, concurrency: number, opsPerSec: number, rounds?: LoadRound[], note?: string): Measurement {
  return {
    scenario,
    tier,
    concurrency,
    bytesPerOp: 4096,
    latency: { count: 10, p50: 1, p90: 2, p99: 3, max: 4, mean: 1.5 },
    opsPerSec: { median: opsPerSec, min: opsPerSec, max: opsPerSec },
    mbPerSec: { median: 1, min: 1, max: 1 },
    cdf: [[1, 0.5], [4, 1]],
    ...(rounds ? { load: loadFacts(rounds, note) } : {}),
  };
}

function report(measurements: Measurement[]): BenchReport {
  const r: BenchReport = {
    system: { os: 'Linux', cpu: 'cpu', cores: 2, memoryGiB: 24, node: 'v20.0.0', disk: 'ext4', date: '2026-01-01T00:00:00Z' },
    mode: 'smoke',
    command: 'pnpm bench --smoke',
    groups: [{ id: 'http-get', title: 'HTTP GET 4 KiB', baselineTier: 'bare fastify', measurements }],
    goals: [],
    skipped: [],
  };
  r.goals = evaluateGoals(r);
  return r;
}

const goal = (r: BenchReport, text: string): GoalResult => {
  const g = r.goals.find((x) => x.goal.startsWith(text));
  if (!g) throw new Error(`no goal ${text}`);
  return g;
};

const GET_GOAL = 'object server GET 4 KiB presigned, 64 connections, vs bare fastify route';

describe('loadFacts', () => {
  it(`marks a row client-bound when any round's generator was over ${CLIENT_BOUND_CPU_PCT} % of its core`, () => {
    expect(isClientBound(90)).toBe(false);
    expect(isClientBound(90.5)).toBe(true);
    expect(isClientBound(NaN)).toBe(false);
    const facts = loadFacts([round(40), round(95), round(50)]);
    expect(facts.clientBound).toBe(true);
    expect(facts.generatorCpuPct).toEqual({ median: 50, max: 95 });
    expect(loadFacts([round(40), round(89)]).clientBound).toBe(false);
  });

  it('adds up failed requests over the rounds', () => {
    expect(loadFacts([round(10, { non2xx: 3 }), round(10, { socketErrors: 2 })]).errors).toEqual({ non2xx: 3, socket: 2 });
  });
});

describe('goals on HTTP rows', () => {
  it('judges a goal whose rows both stand', () => {
    const r = report([row('http GET 4 KiB', 'object server (file)', 64, 12_000, [round(30)]), row('http GET 4 KiB', 'bare fastify', 64, 48_000, [round(70)])]);
    const g = goal(r, GET_GOAL);
    expect(g.measured).toBeCloseTo(0.25, 9);
    expect(g.met).toBe(false);
    expect(g.notJudged).toBeUndefined();
    expect(renderMarkdown(r)).toMatch(new RegExp(`\\| ${GET_GOAL} \\| ≥ 0.5× \\| 0.25× \\| \\*\\*not met\\*\\* \\|`));
  });

  it('does not judge a goal on a client-bound row, and says so in markdown, HTML and JSON', () => {
    const r = report([row('http GET 4 KiB', 'object server (file)', 64, 30_000, [round(60)]), row('http GET 4 KiB', 'bare fastify', 64, 32_000, [round(99)])]);
    const g = goal(r, GET_GOAL);
    expect(g.measured).toBeCloseTo(0.9375, 9);
    expect(g.met).toBeNull();
    expect(g.notJudged).toBe('client-bound');
    const md = renderMarkdown(r);
    expect(md).toContain(`| ${GET_GOAL} | ≥ 0.5× | 0.94× | **client-bound, not judged** |`);
    const bare = md.split('\n').find((l) => l.startsWith('| bare fastify |')) ?? '';
    expect(bare).toContain('**client-bound (generator > 90 %)**');
    expect(bare).toContain('| wrk | 99 | 99 |');
    expect(md.split('\n').find((l) => l.startsWith('| object server (file) |'))).toContain('| ok |');
    const html = renderHtml(r);
    expect(html).toContain('<tr class="client-bound"><td>bare fastify</td>');
    expect(html).toContain('<td class="untrusted">client-bound, not judged</td>');
    const json = JSON.parse(JSON.stringify(r)) as BenchReport;
    expect(json.groups[0]?.measurements[1]?.load?.clientBound).toBe(true);
    expect(json.goals.find((x) => x.goal === GET_GOAL)?.notJudged).toBe('client-bound');
  });

  it('does not judge a goal on a row with failed requests, and flags the row with them', () => {
    const r = report([
      row('http GET 4 KiB', 'object server (file)', 64, 40_000, [round(30, { non2xx: 120, socketErrors: 3 })]),
      row('http GET 4 KiB', 'bare fastify', 64, 48_000, [round(99)]),
    ]);
    // Errors outrank client-bound: a row with failed requests is wrong whoever was the limit.
    expect(goal(r, GET_GOAL)).toMatchObject({ met: null, notJudged: 'errors' });
    const md = renderMarkdown(r);
    expect(md).toContain('**errors, not judged**');
    expect(md).toContain('**errors: 120 status ≥ 400, 3 socket**');
    expect(renderHtml(r)).toContain('<tr class="errors">');
  });

  it('marks a reported comparison on a client-bound row', () => {
    const r = report([row('http GET 4 KiB', 'object server (file)', 64, 9000, [round(20)]), row('http GET 4 KiB', 's3rver', 64, 1500, [round(95)])]);
    const g = goal(r, 'object server GET 4 KiB vs s3rver');
    expect(g.reportedOnly).toBe(true);
    expect(renderMarkdown(r)).toContain('| object server GET 4 KiB vs s3rver | no target (reported) | 6.00× | **reported (client-bound)** |');
  });

  it('judges the durable PUT goals against the in-process floor at 16 in flight', () => {
    const r = report([
      row('http PUT 4 KiB', 'object server (file)', 64, 900, [round(5)]),
      row('http PUT 4 KiB', 'object server (block)', 64, 1600, [round(5)]),
      row('http PUT 4 KiB', RAW_PUT_TIER, 16, 1000),
    ]);
    expect(goal(r, 'object server (file) durable PUT 4 KiB')).toMatchObject({ measured: 0.9, met: false, target: '≥ 1×' });
    expect(goal(r, 'object server (block) durable PUT 4 KiB')).toMatchObject({ measured: 1.6, met: true, target: '≥ 1.5×' });
  });

  it('leaves goals on in-process rows (no load generator) judged as before', () => {
    const r = report([row('get 4 KiB', 'file adapter', 1, 800), row('get 4 KiB', 'raw node:fs', 1, 1000)]);
    const g = goal(r, 'file adapter 4 KiB get vs raw readFile');
    expect(g.met).toBe(true);
    expect(g).not.toHaveProperty('notJudged');
  });
});

describe('chooseGenerator', () => {
  it('uses wrk when it is installed', () => {
    expect(chooseGenerator({}, true)).toEqual({ generator: 'wrk' });
  });

  it('falls back to autocannon without wrk, and the rows say so', () => {
    const choice = chooseGenerator({}, false);
    expect(choice).toEqual({ generator: 'autocannon', note: 'fallback: wrk not installed' });
    const r = report([row('http GET 4 KiB', 'bare fastify', 64, 30_000, [round(97, { generator: 'autocannon' })], choice.note)]);
    const line = renderMarkdown(r).split('\n').find((l) => l.startsWith('| bare fastify |')) ?? '';
    expect(line).toContain('| autocannon (fallback: wrk not installed) | 97 |');
    expect(line).toContain('**client-bound');
  });

  it('honours BENCH_LOAD_GENERATOR and refuses an unknown one', () => {
    expect(chooseGenerator({ BENCH_LOAD_GENERATOR: 'autocannon' }, true).generator).toBe('autocannon');
    expect(() => chooseGenerator({ BENCH_LOAD_GENERATOR: 'ab' }, true)).toThrow(/wrk or autocannon/);
  });
});
