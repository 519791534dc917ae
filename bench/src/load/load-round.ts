/**
 * One round of HTTP load and what it takes to trust it. A throughput figure says something about the server
 * only if the load generator had CPU to spare: one whose core is busy more than {@link CLIENT_BOUND_CPU_PCT}
 * of the round was itself the limit, and a row of such rounds is marked client-bound — shown, never judged.
 * A round with failed requests (error statuses, refused or reset connections, timeouts) is marked as such and
 * its rate counts only the successful responses, so errors never pass for speed.
 */

/** The load generators the bench can drive. */
export type LoadGenerator = 'wrk' | 'autocannon';

/** Above this share of one core, the load generator is taken to have been the bottleneck. */
export const CLIENT_BOUND_CPU_PCT = 90;

/** What one round of load measured. Latency in milliseconds. */
export interface LoadRound {
  generator: LoadGenerator;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Successful responses (status < 400) per second: the figure rows report. */
  okPerSec: number;
  /** Completed requests, error statuses included. */
  total: number;
  /** Responses with a status of 400 or more. */
  non2xx: number;
  /** Connect, read and write errors and timeouts. */
  socketErrors: number;
  /** The load generator's CPU over the round, percent of one core (from /proc/<pid>/stat). */
  generatorCpuPct: number;
  /** The server's CPU over the same window, percent of one core. */
  serverCpuPct: number;
}

/** What a row of rounds says about its own trustworthiness (kept in the JSON report with the row). */
export interface LoadFacts {
  generator: LoadGenerator;
  /** Why this generator: e.g. `wrk not installed: autocannon fallback`. */
  note?: string;
  /** Generator CPU, percent of one core: median and busiest round. */
  generatorCpuPct: { median: number; max: number };
  /** Server CPU, percent of one core (median round). */
  serverCpuPct: number;
  /** True when any round's generator core was busier than {@link CLIENT_BOUND_CPU_PCT}. */
  clientBound: boolean;
  /** Failed requests over all rounds. */
  errors: { non2xx: number; socket: number };
}

const median = (values: number[]): number => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
};

/** Whether one round's generator was the bottleneck. An unknown CPU (not Linux) is not taken as bound. */
export function isClientBound(generatorCpuPct: number): boolean {
  return Number.isFinite(generatorCpuPct) && generatorCpuPct > CLIENT_BOUND_CPU_PCT;
}

/** Summarises a row's rounds. A row is client-bound if any round was: its median could be that round. */
export function loadFacts(rounds: LoadRound[], note?: string): LoadFacts {
  const first = rounds[0];
  if (!first) throw new Error('loadFacts needs at least one round');
  const cpu = rounds.map((r) => r.generatorCpuPct);
  const finite = cpu.filter((c) => Number.isFinite(c));
  return {
    generator: first.generator,
    ...(note ? { note } : {}),
    generatorCpuPct: { median: Math.round(median(cpu)), max: Math.round(finite.length ? Math.max(...finite) : NaN) },
    serverCpuPct: Math.round(median(rounds.map((r) => r.serverCpuPct))),
    clientBound: rounds.some((r) => isClientBound(r.generatorCpuPct)),
    errors: { non2xx: rounds.reduce((n, r) => n + r.non2xx, 0), socket: rounds.reduce((n, r) => n + r.socketErrors, 0) },
  };
}

/** Why a row cannot back a verdict, or undefined when it can: `client-bound`, or `errors`. */
export function untrustedReason(load: LoadFacts | undefined): 'client-bound' | 'errors' | undefined {
  if (!load) return undefined;
  if (load.errors.non2xx + load.errors.socket > 0) return 'errors';
  return load.clientBound ? 'client-bound' : undefined;
}
