/**
 * Parses what `wrk --latency` prints at the end of a run: the latency line (mean, stdev, max), the latency
 * distribution (50/75/90/99 %), the request count and duration, the error lines and Requests/sec.
 *
 * wrk prints its error lines only when they are non-zero:
 * - `Socket errors: connect N, read N, write N, timeout N` — connections refused or reset, and requests that
 *   got no answer within `--timeout`;
 * - `Non-2xx or 3xx responses: N` — despite the wording, wrk counts every response with a status above 399.
 * Its `Requests/sec` counts every completed response, those error statuses included; the bench therefore
 * works from the counts and never reports the errors as throughput.
 *
 * Units are wrk's (src/units.c): times `us`, `ms`, `s`, `m`, `h`; sizes in powers of 1024 with `K`, `M`, `G`,
 * `T`, `P` before the `B`; counts with SI `k`, `M`, `G`.
 */

/** One wrk run, as it reported it. Times in milliseconds. */
export interface WrkSummary {
  latencyMs: { mean: number; stdev: number; max: number; p50: number; p75: number; p90: number; p99: number };
  /** Completed responses (wrk's "N requests in T"), error statuses included. */
  requests: number;
  durationSec: number;
  bytesRead: number;
  /** wrk's own Requests/sec: `requests / durationSec`. */
  requestsPerSec: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Responses with a status of 400 or more. */
  non2xx: number;
}

/** Thrown when wrk's output lacks a line every run prints (wrk failed, or its output format changed). */
export class WrkOutputError extends Error {
  override readonly name = 'WrkOutputError';
}

const TIME_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const BINARY: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

/** `1.52ms` → 1.52, `842.00us` → 0.842, `2.00s` → 2000. */
export function parseWrkTime(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new WrkOutputError(`not a wrk time: ${JSON.stringify(text)}`);
  return Number(m[1]) * (TIME_MS[m[2] as string] as number);
}

/** `414.40MB` → bytes, `123.00B` → 123. */
export function parseWrkBytes(text: string): number {
  const m = /^([\d.]+)([KMGTP]?)B$/.exec(text.trim());
  if (!m) throw new WrkOutputError(`not a wrk size: ${JSON.stringify(text)}`);
  return Number(m[1]) * (BINARY[m[2] as string] as number);
}

function need(text: string, re: RegExp, what: string): RegExpExecArray {
  const m = re.exec(text);
  if (!m) throw new WrkOutputError(`wrk output has no ${what} line:\n${text.slice(-600)}`);
  return m;
}

/** Parses the output of `wrk --latency …`; throws {@link WrkOutputError} when a line every run prints is missing. */
export function parseWrkOutput(text: string): WrkSummary {
  const lat = need(text, /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+%\s*$/m, 'Latency (thread stats)');
  const pct = (p: number) => parseWrkTime(need(text, new RegExp(`^\\s*${p}%\\s+(\\S+)\\s*$`, 'm'), `${p}% (run wrk with --latency)`)[1] as string);
  const done = need(text, /^\s*(\d+) requests in (\S+), (\S+) read\s*$/m, 'requests-in');
  const rps = need(text, /^Requests\/sec:\s+([\d.]+)\s*$/m, 'Requests/sec');
  const sock = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$/m.exec(text);
  const status = /^\s*Non-2xx or 3xx responses: (\d+)\s*$/m.exec(text);
  return {
    latencyMs: {
      mean: parseWrkTime(lat[1] as string),
      stdev: parseWrkTime(lat[2] as string),
      max: parseWrkTime(lat[3] as string),
      p50: pct(50),
      p75: pct(75),
      p90: pct(90),
      p99: pct(99),
    },
    requests: Number(done[1]),
    durationSec: parseWrkTime(done[2] as string) / 1000,
    bytesRead: parseWrkBytes(done[3] as string),
    requestsPerSec: Number(rps[1]),
    socketErrors: {
      connect: Number(sock?.[1] ?? 0),
      read: Number(sock?.[2] ?? 0),
      write: Number(sock?.[3] ?? 0),
      timeout: Number(sock?.[4] ?? 0),
    },
    non2xx: Number(status?.[1] ?? 0),
  };
}
