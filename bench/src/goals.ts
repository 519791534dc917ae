/**
 * The ratio goals the issues set, computed from one run's measurements (issues 3, 4, 5, 6). A goal whose
 * scenarios did not run is reported as not measured, never dropped.
 */
import type { Measurement } from './measure.ts';
import type { BenchReport, GoalResult } from './report-types.ts';

type Find = (scenario: string, tier: string, concurrency?: number) => Measurement | undefined;

function ratioGoal(find: Find, issue: number, goal: string, min: number, a: [string, string, number?], b: [string, string, number?]): GoalResult {
  const x = find(...a);
  const y = find(...b);
  const measured = x && y ? x.opsPerSec.median / y.opsPerSec.median : null;
  return { issue, goal, target: `≥ ${min}×`, measured, shown: measured === null ? '–' : `${measured.toFixed(2)}×`, met: measured === null ? null : measured >= min };
}

/** Marks a comparison the issue asks to report without a target. */
function reported(goal: GoalResult): GoalResult {
  return { ...goal, target: 'no target (reported)', met: null, reportedOnly: true };
}

function overheadGoal(find: Find, issue: number, goal: string, maxOverhead: number, ours: [string, string], raw: [string, string]): GoalResult {
  const x = find(...ours);
  const y = find(...raw);
  // Overhead in time per operation: (ours latency / raw latency) - 1, from ops/s medians.
  const measured = x && y ? y.opsPerSec.median / x.opsPerSec.median - 1 : null;
  return {
    issue,
    goal,
    target: `≤ ${(maxOverhead * 100).toFixed(0)} % overhead`,
    measured,
    shown: measured === null ? '–' : `${(measured * 100).toFixed(1)} %`,
    met: measured === null ? null : measured <= maxOverhead,
  };
}

/** Evaluates every goal against the report's measurements. */
export function evaluateGoals(report: Pick<BenchReport, 'groups'>): GoalResult[] {
  const all = report.groups.flatMap((g) => g.measurements);
  // 'sdk get 64 MiB' names the large-object case; a smoke run uses a smaller large object under its own label.
  const large = (scenario: string) => /^sdk (get|put) 64 MiB$/.test(scenario);
  const find: Find = (scenario, tier, concurrency = 1) =>
    all.find(
      (m) =>
        (m.scenario === scenario || (large(scenario) && m.scenario.startsWith(scenario.slice(0, 8)) && m.bytesPerOp >= 2 ** 22)) &&
        m.tier === tier &&
        m.concurrency === concurrency,
    );
  const rss = all.find((m) => m.scenario.startsWith('sdk put large') && m.tier === 'object server (file)');
  const rssMb = rss?.extra?.serverPeakRssMB;
  return [
    ratioGoal(find, 3, 'file adapter 4 KiB get vs raw readFile', 0.75, ['get 4 KiB', 'file adapter'], ['get 4 KiB', 'raw node:fs']),
    ratioGoal(find, 3, 'file adapter durable 4 KiB put vs raw open+write+fsync+rename+dir-fsync', 0.8, ['put 4 KiB', 'file adapter'], ['put 4 KiB', 'raw node:fs']),
    // Like for like: the raw tier preads into one reused buffer, so the goal is checked on the device reading
    // into one too. The device's new-buffer read and the integrity floor (raw I/O plus the xxh64 the device
    // must compute per page) are reported beside it.
    ratioGoal(find, 4, 'page device 4 KiB random read (into a buffer) vs raw pread', 0.8, ['page read 4 KiB random', 'page device (image, read into a buffer)'], ['page read 4 KiB random', 'raw pread']),
    reported(ratioGoal(find, 4, 'page device 4 KiB random read (new buffer per read) vs raw pread', 0.8, ['page read 4 KiB random', 'page device (image, new buffer per read)'], ['page read 4 KiB random', 'raw pread'])),
    reported(ratioGoal(find, 4, 'integrity floor: raw pread + xxh64 of the page vs raw pread', 0.8, ['page read 4 KiB random', 'raw pread + xxh64 (integrity floor)'], ['page read 4 KiB random', 'raw pread'])),
    ratioGoal(find, 4, 'page device 4 KiB random write vs raw pwrite', 0.8, ['page write 4 KiB random', 'page device (image)'], ['page write 4 KiB random', 'raw pwrite']),
    reported(ratioGoal(find, 4, 'integrity floor: raw pwrite + xxh64 of the page vs raw pwrite', 0.8, ['page write 4 KiB random', 'raw pwrite + xxh64 (integrity floor)'], ['page write 4 KiB random', 'raw pwrite'])),
    ratioGoal(find, 4, 'block adapter durable 4 KiB put vs file adapter, concurrency 16 (group commit)', 1, ['put 4 KiB', 'block adapter', 16], ['put 4 KiB', 'file adapter', 16]),
    ratioGoal(find, 5, 'object server GET 4 KiB vs bare fastify route', 0.5, ['http GET 4 KiB', 'object server (file)', 16], ['http GET 4 KiB', 'bare fastify', 16]),
    // The server as shipped has its read cache on; the cache-off ratio shows the cache's share.
    reported(ratioGoal(find, 5, 'object server GET 4 KiB, read cache off, vs bare fastify route', 0.5, ['http GET 4 KiB', 'object server (file, no read cache)', 16], ['http GET 4 KiB', 'bare fastify', 16])),
    ratioGoal(find, 5, 'object server GET 4 KiB vs s3rver', 6, ['http GET 4 KiB', 'object server (file)', 16], ['http GET 4 KiB', 's3rver', 16]),
    // Issue 5 asks for PUT 4 KiB "against the same" without a target; ours fsyncs file and directory before
    // answering, s3rver (and the bare route) do not, so the ratio is reported, not judged.
    reported(ratioGoal(find, 5, 'object server PUT 4 KiB (durable: fsync before the answer) vs s3rver (no fsync)', 1, ['http PUT 4 KiB', 'object server (file)', 16], ['http PUT 4 KiB', 's3rver', 16])),
    reported(ratioGoal(find, 5, 'object server PUT 4 KiB (durable) vs bare fastify route (drains the body)', 1, ['http PUT 4 KiB', 'object server (file)', 16], ['http PUT 4 KiB', 'bare fastify', 16])),
    {
      issue: 5,
      goal: 'object server peak RSS during a large SDK upload',
      target: '< 150 MB',
      measured: typeof rssMb === 'number' ? rssMb : null,
      shown: typeof rssMb === 'number' ? `${rssMb.toFixed(0)} MB (${rss?.scenario})` : '–',
      met: typeof rssMb === 'number' ? rssMb < 150 : null,
    },
    overheadGoal(find, 6, 's3 adapter vs raw client-s3, get 4 KiB', 0.05, ['sdk get 4 KiB', 's3 adapter'], ['sdk get 4 KiB', 'raw client-s3']),
    overheadGoal(find, 6, 's3 adapter vs raw client-s3, put 4 KiB', 0.05, ['sdk put 4 KiB', 's3 adapter'], ['sdk put 4 KiB', 'raw client-s3']),
    overheadGoal(find, 6, 's3 adapter vs raw client-s3, get 64 MiB', 0.05, ['sdk get 64 MiB', 's3 adapter'], ['sdk get 64 MiB', 'raw client-s3']),
    overheadGoal(find, 6, 's3 adapter vs raw client-s3, put 64 MiB', 0.05, ['sdk put 64 MiB', 's3 adapter'], ['sdk put 64 MiB', 'raw client-s3']),
  ];
}
