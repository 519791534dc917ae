/**
 * Chooses the load generator for the HTTP rows and runs rounds with it: wrk when it is installed, else
 * autocannon, with a note that travels with every row so the report says which one ran and why.
 * `BENCH_LOAD_GENERATOR=autocannon` forces the fallback (to compare the two, or where wrk misbehaves).
 */
import type { LoadGenerator, LoadRound } from './load-round.ts';
import { runAutocannon } from './run-autocannon.ts';
import { hasWrk, runWrk } from './run-wrk.ts';

/** The generator a run uses, and the note its rows carry when it is not the preferred one. */
export interface GeneratorChoice {
  generator: LoadGenerator;
  note?: string;
}

/** Picks the generator: wrk, unless it is missing or `BENCH_LOAD_GENERATOR=autocannon` asks otherwise. */
export function chooseGenerator(env: NodeJS.ProcessEnv = process.env, wrkInstalled = hasWrk): GeneratorChoice {
  const asked = env.BENCH_LOAD_GENERATOR?.trim();
  if (asked && asked !== 'wrk' && asked !== 'autocannon') {
    throw new Error(`BENCH_LOAD_GENERATOR must be wrk or autocannon, got ${JSON.stringify(asked)}`);
  }
  if (asked === 'autocannon') return { generator: 'autocannon', note: 'forced by BENCH_LOAD_GENERATOR' };
  if (wrkInstalled) return { generator: 'wrk' };
  return { generator: 'autocannon', note: 'fallback: wrk not installed' };
}

/** One round of HTTP load, whichever generator runs it. */
export interface LoadRoundOptions {
  /** `http://host:port` of the target. */
  origin: string;
  method: 'GET' | 'PUT';
  /** Request targets (path and query) cycled through. */
  paths: string[];
  bodyBytes?: number;
  connections: number;
  seconds: number;
  /** The target process, whose CPU is read over the round. */
  serverPid: number;
  /** Where wrk's Lua script is written, and its file name. */
  scriptDir: string;
  name: string;
}

/** Runs one round with `generator`. */
export function runLoadRound(generator: LoadGenerator, opts: LoadRoundOptions): Promise<LoadRound> {
  if (generator === 'wrk') return runWrk(opts);
  const { scriptDir: _dir, name: _name, ...rest } = opts;
  return runAutocannon(rest);
}
