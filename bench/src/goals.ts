/**
 * The project's performance goals (ratios against a baseline), computed from one run's measurements. A goal whose scenarios did not run is
 * reported as not measured, never dropped. A goal comparing a row that cannot be trusted — measured under a
 * saturated load generator (client-bound) or with failed requests — shows its ratio but is not judged.
 */
import { untrustedReason } from './load/load-round.ts';
import type { Measurement } from './measure.ts';
import type { BenchReport, GoalResult } from './report-types.ts';
import { BARE_DURABLE_TIER, RAW_PUT_TIER } from './scenarios/http-names.ts';
import { isSdkLimitScenario, SDK_LIMIT_TIERS, sdkLimitScenario } from './scenarios/sdk-limit-names.ts';

type Find = (scenario: string, tier: string, concurrency?: number) => Measurement | undefined;

function ratioGoal(find: Find, issue: number, goal: string, min: number, a: [string, string, number?], b: [string, string, number?]): GoalResult {
  const x = find(...a);
  const y = find(...b);
  const measured = x && y ? x.opsPerSec.median / y.opsPerSec.median : null;
  const result: GoalResult = { issue, goal, target: `≥ ${min}×`, measured, shown: measured === null ? '–' : `${measured.toFixed(2)}×`, met: measured === null ? null : measured >= min };
  // Errors first: a row with failed requests is wrong whatever its client did.
  const reasons = [untrustedReason(x?.load), untrustedReason(y?.load)];
  const notJudged = reasons.includes('errors') ? 'errors' : reasons.includes('client-bound') ? 'client-bound' : undefined;
  return measured !== null && notJudged ? { ...result, met: null, notJudged } : result;
}

/** Marks a comparison that is reported without a target. */
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

/**
 * Time per operation of `ours` over that of `limit` (from ops/s medians), at most `max`. Not judged when either
 * row's client was saturated (`clientBound` in its extras, see scenarios/sdk-limits.ts).
 */
function limitGoal(find: Find, issue: number, goal: string, max: number, ours: [string, string], limit: [string, string]): GoalResult {
  const x = find(...ours);
  const y = find(...limit);
  const measured = x && y ? y.opsPerSec.median / x.opsPerSec.median : null;
  const result: GoalResult = { issue, goal, target: `≤ ${max}× the limit's time`, measured, shown: measured === null ? '–' : `${measured.toFixed(2)}×`, met: measured === null ? null : measured <= max };
  const clientBound = x?.extra?.clientBound === 'yes' || y?.extra?.clientBound === 'yes';
  return measured !== null && clientBound ? { ...result, met: null, notJudged: 'client-bound' } : result;
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
  // The SDK limit rows of the run, 64 MiB (a smoke run's smaller object stands in for it, as above).
  const limitScenario = (op: 'put' | 'get') => all.find((m) => isSdkLimitScenario(m.scenario, op))?.scenario ?? sdkLimitScenario(op, 64 * 2 ** 20);
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
    // The floor the device's integrity rule allows (raw I/O plus the page's xxh64): the device should add little more.
    ratioGoal(find, 15, 'page device 4 KiB random read (into a buffer) vs the integrity floor (raw pread + xxh64)', 0.9, ['page read 4 KiB random', 'page device (image, read into a buffer)'], ['page read 4 KiB random', 'raw pread + xxh64 (integrity floor)']),
    ratioGoal(find, 15, 'page device 4 KiB random write vs the integrity floor (raw pwrite + xxh64)', 0.9, ['page write 4 KiB random', 'page device (image)'], ['page write 4 KiB random', 'raw pwrite + xxh64 (integrity floor)']),
    ratioGoal(find, 4, 'block adapter durable 4 KiB put vs file adapter, concurrency 16 (group commit)', 1, ['put 4 KiB', 'block adapter', 16], ['put 4 KiB', 'file adapter', 16]),
    // HTTP rows: wrk (or its fallback) drives each server on its own core; see scenarios/http.ts.
    ratioGoal(find, 5, 'object server GET 4 KiB presigned, 64 connections, vs bare fastify route', 0.5, ['http GET 4 KiB', 'object server (file)', 64], ['http GET 4 KiB', 'bare fastify', 64]),
    // The server as shipped has its read cache on; the cache-off ratio shows the cache's share.
    reported(ratioGoal(find, 5, 'object server GET 4 KiB, read cache off, vs bare fastify route', 0.5, ['http GET 4 KiB', 'object server (file, no read cache)', 64], ['http GET 4 KiB', 'bare fastify', 64])),
    reported(ratioGoal(find, 5, 'object server GET 4 KiB vs s3rver', 6, ['http GET 4 KiB', 'object server (file)', 64], ['http GET 4 KiB', 's3rver', 64])),
    ratioGoal(find, 5, 'object server GET 1 MiB, 10 connections, vs fastify route sending the same buffer', 0.7, ['http GET 1 MiB', 'object server (file)', 10], ['http GET 1 MiB', 'bare fastify', 10]),
    // Durable PUT: the server answers after fsync of file and directory; the floor is that same work done in
    // process (tmp + fsync + rename + directory fsync, 16 in flight), with no HTTP at all.
    ratioGoal(find, 5, 'object server (file) durable PUT 4 KiB, 64 connections, vs in-process tmp+fsync+rename, 16 in flight', 1, ['http PUT 4 KiB', 'object server (file)', 64], ['http PUT 4 KiB', RAW_PUT_TIER, 16]),
    ratioGoal(find, 5, 'object server (block) durable PUT 4 KiB, 64 connections, vs in-process tmp+fsync+rename, 16 in flight', 1.5, ['http PUT 4 KiB', 'object server (block)', 64], ['http PUT 4 KiB', RAW_PUT_TIER, 16]),
    // What HTTP costs on top of the floor's file work: the bare route doing exactly the floor's durable put per
    // request, against the floor, and the object server against that route (same file work, plus everything S3 asks).
    reported(ratioGoal(find, 15, "bare fastify route doing the floor's durable put per request, 64 connections, vs in-process tmp+fsync+rename, 16 in flight", 1, ['http PUT 4 KiB', BARE_DURABLE_TIER, 64], ['http PUT 4 KiB', RAW_PUT_TIER, 16])),
    reported(ratioGoal(find, 15, "object server (file) durable PUT 4 KiB vs bare fastify route doing the floor's durable put per request", 1, ['http PUT 4 KiB', 'object server (file)', 64], ['http PUT 4 KiB', BARE_DURABLE_TIER, 64])),
    // s3rver (and the bare route) do not fsync before answering, so these ratios are reported, not judged.
    reported(ratioGoal(find, 5, 'object server PUT 4 KiB (durable: fsync before the answer) vs s3rver (no fsync)', 1, ['http PUT 4 KiB', 'object server (file)', 64], ['http PUT 4 KiB', 's3rver', 64])),
    reported(ratioGoal(find, 5, 'object server PUT 4 KiB (durable) vs bare fastify route (drains the body)', 1, ['http PUT 4 KiB', 'object server (file)', 64], ['http PUT 4 KiB', 'bare fastify', 64])),
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
    // The same SDK client (default checksums) against the object server and against its limits: for GET a bare
    // route sending the buffer; for PUT the in-process work a durable put cannot avoid (hash, write, fsync).
    limitGoal(find, 15, "SDK PutObject 64 MiB (default checksums): object server vs the operation's limit (the SDK's request work, no network, + in-process hashes, write, fsync)", 1.25, [limitScenario('put'), SDK_LIMIT_TIERS.server], [limitScenario('put'), SDK_LIMIT_TIERS.operationPut]),
    // The server's side of that limit alone: the client's hashing before the first byte is in the timed
    // operation but not in this limit, so no server could reach 1.25× of it (reported, not judged).
    reported(limitGoal(find, 15, 'SDK PutObject 64 MiB (default checksums): object server vs the in-process put alone (same hashes, write, fsync)', 1.25, [limitScenario('put'), SDK_LIMIT_TIERS.server], [limitScenario('put'), SDK_LIMIT_TIERS.inProcessPut])),
    reported(limitGoal(find, 15, 'SDK PutObject 64 MiB (default checksums): object server vs a fastify route draining the body', 1.5, [limitScenario('put'), SDK_LIMIT_TIERS.server], [limitScenario('put'), SDK_LIMIT_TIERS.put])),
    limitGoal(find, 15, 'SDK GetObject 64 MiB (default checksums): object server vs a fastify route sending the buffer', 1.15, [limitScenario('get'), SDK_LIMIT_TIERS.server], [limitScenario('get'), SDK_LIMIT_TIERS.get]),
  ];
}
