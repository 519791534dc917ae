/**
 * What the reports (markdown and HTML) say about load: the verdict of a goal, and for each HTTP row the load
 * generator, its CPU and the server's, and whether the row stands — `ok`, `client-bound` (the generator's core
 * was saturated, so the figure is the client's ceiling) or `errors` (failed requests; the rate counts only
 * the successful ones). One wording for both renderers, so the two never disagree.
 */
import { CLIENT_BOUND_CPU_PCT } from './load/load-round.ts';
import type { Measurement } from './measure.ts';
import type { GoalResult, ScenarioGroup } from './report-types.ts';

/** A goal's verdict in words, and its kind for styling. */
export function goalVerdict(g: GoalResult): { text: string; kind: 'met' | 'unmet' | 'na' | 'untrusted' } {
  if (g.measured === null) return { text: 'not measured', kind: 'na' };
  if (g.reportedOnly) return g.notJudged ? { text: `reported (${g.notJudged})`, kind: 'untrusted' } : { text: 'reported', kind: 'na' };
  if (g.notJudged) return { text: `${g.notJudged}, not judged`, kind: 'untrusted' };
  if (g.met === null) return { text: 'not measured', kind: 'na' };
  return g.met ? { text: 'met', kind: 'met' } : { text: 'not met', kind: 'unmet' };
}

/** Whether a group's table needs the load columns. */
export const hasLoadColumns = (group: ScenarioGroup): boolean => group.measurements.some((m) => m.load);

/** The load columns' headers. */
export const LOAD_HEADERS = ['load generator', 'generator CPU %', 'server CPU %', 'row'];

const pct = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '?');

/** Whether a row stands, in words: `ok`, `client-bound`, `errors: …`; empty for an in-process row. */
export function rowStatus(m: Measurement): { text: string; kind: 'ok' | 'client-bound' | 'errors' | 'none' } {
  const load = m.load;
  if (!load) return { text: '', kind: 'none' };
  const { non2xx, socket } = load.errors;
  if (non2xx + socket > 0) return { text: `errors: ${non2xx} status ≥ 400, ${socket} socket`, kind: 'errors' };
  if (load.clientBound) return { text: `client-bound (generator > ${CLIENT_BOUND_CPU_PCT} %)`, kind: 'client-bound' };
  return { text: 'ok', kind: 'ok' };
}

/** The load columns of one row, as plain text (each renderer escapes and styles them). */
export function loadCells(m: Measurement): string[] {
  const load = m.load;
  const processCpu = m.extra?.processCpuPct;
  if (!load) return ['in process', '–', typeof processCpu === 'number' ? pct(processCpu) : '–', rowStatus(m).text];
  const gen = load.generatorCpuPct;
  const genCpu = gen.max !== gen.median ? `${pct(gen.median)} (max ${pct(gen.max)})` : pct(gen.median);
  return [load.note ? `${load.generator} (${load.note})` : load.generator, genCpu, pct(load.serverCpuPct), rowStatus(m).text];
}
