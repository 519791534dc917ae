/**
 * A flame summary of a V8 CPU profile (the `.cpuprofile` JSON that `node --cpu-prof` writes: a call tree of
 * `nodes`, each with its `callFrame` and `children`, plus `samples` — the node on top of the stack at each
 * tick — and `timeDeltas` in microseconds between ticks; Chrome DevTools Protocol, Profiler.Profile).
 *
 * Two tables come out of it, both aggregated by function (name and source position, so one function reached
 * by many paths counts once):
 * - self time: the time a function was itself on top of the stack — where the CPU went;
 * - inclusive time: the time a function was anywhere on the stack — which calls the time sits under. A
 *   recursive function is counted once per sample, so no frame exceeds 100 %.
 * Percentages are of busy time (everything but `(idle)`): the server's CPU time under load.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a `.cpuprofile` the summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
    hitCount?: number;
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** One function's share of the profile. */
export interface ProfileFrame {
  name: string;
  /** `file:line` (1-based), relative to the repository when inside it; empty for V8's own pseudo-frames. */
  location: string;
  selfMs: number;
  /** Self time, percent of busy time. */
  selfPct: number;
  totalMs: number;
  /** Inclusive time, percent of busy time. */
  totalPct: number;
}

/** What a profile says, in numbers. */
export interface ProfileSummary {
  /** Wall time the profile covers. */
  durationMs: number;
  samples: number;
  /** Time not idle: the process's CPU time as the profiler saw it. */
  busyMs: number;
  idleMs: number;
  /** `(garbage collector)` self time. */
  gcMs: number;
  /** `(program)` self time: V8 and native code outside any JavaScript frame. */
  programMs: number;
  topSelf: ProfileFrame[];
  topTotal: ProfileFrame[];
}

/** A profile run as the report shows it. */
export interface ProfileSection {
  /** The recipe profiled (`get4k`, …). */
  recipe: string;
  /** What was loaded, in words. */
  title: string;
  /** The command that produced it. */
  command: string;
  /** The span the samples were taken from, in words (the load round, or the whole process). */
  scope: string;
  date: string;
  /** The load round during the profile: rates with the profiler on are lower than the tables'. */
  load: { generator: string; okPerSec: number; generatorCpuPct: number; serverCpuPct: number; errors: number };
  summary: ProfileSummary;
}

/** Thrown for JSON that is not a CPU profile. */
export class CpuProfileError extends Error {
  override readonly name = 'CpuProfileError';
}

/** `file:line`, relative to `root` when inside it. */
function location(url: string, lineNumber: number, root: string | undefined): string {
  if (!url) return '';
  let path = url;
  if (url.startsWith('file://')) {
    path = fileURLToPath(url);
    if (root) {
      const rel = relative(root, path);
      if (!rel.startsWith('..')) path = rel;
    }
  }
  return `${path}:${lineNumber + 1}`;
}

/** Samples taken within `window` (all of them without one). */
function countSamples(profile: CpuProfile, window: ProfileWindow | undefined): number {
  if (!profile.samples?.length || !profile.timeDeltas) return profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  if (!window) return profile.samples.length;
  let at = profile.startTime;
  let n = 0;
  for (const d of profile.timeDeltas) {
    at += d;
    if (at >= window.startUs && at < window.endUs) n++;
  }
  return n;
}

/** A span of the profile's clock (microseconds, the clock of `startTime`). */
export interface ProfileWindow {
  startUs: number;
  endUs: number;
}

/** Microseconds each node was on top of the stack, within `window` when one is given. */
function selfTimes(profile: CpuProfile, window: ProfileWindow | undefined): Map<number, number> {
  const self = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples?.length && timeDeltas?.length === samples.length) {
    // timeDeltas[i] is the gap before sample i; the gap after it (until the next tick) is its duration.
    let at = profile.startTime;
    for (let i = 0; i < samples.length; i++) {
      at += timeDeltas[i] as number;
      const next = i + 1 < samples.length ? at + (timeDeltas[i + 1] as number) : profile.endTime;
      const from = window ? Math.max(at, window.startUs) : at;
      const to = window ? Math.min(next, window.endUs) : next;
      if (to <= from) continue;
      const id = samples[i] as number;
      self.set(id, (self.get(id) ?? 0) + (to - from));
    }
    return self;
  }
  // Without samples (an old profile), spread the wall time over the hit counts; a window cannot apply.
  const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const perHit = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0;
  for (const node of profile.nodes) self.set(node.id, (node.hitCount ?? 0) * perHit);
  return self;
}

/**
 * Summarises `profile`, keeping the `top` heaviest functions of each table; `root` shortens file paths, and
 * `window` keeps only the samples taken within it (e.g. the load round, leaving out start-up and shutdown).
 */
export function summarizeCpuProfile(profile: CpuProfile, options: { top?: number; root?: string; window?: ProfileWindow } = {}): ProfileSummary {
  if (!Array.isArray(profile?.nodes) || typeof profile.startTime !== 'number' || typeof profile.endTime !== 'number') {
    throw new CpuProfileError('not a V8 CPU profile (expected nodes, startTime, endTime)');
  }
  const top = options.top ?? 15;
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = new Map<number, string>();
  const frames = new Map<string, { name: string; location: string; self: number; total: number }>();
  for (const n of profile.nodes) {
    const name = n.callFrame.functionName || '(anonymous)';
    const loc = location(n.callFrame.url, n.callFrame.lineNumber, options.root);
    const key = `${name}\u0000${loc}`;
    keyOf.set(n.id, key);
    if (!frames.has(key)) frames.set(key, { name, location: loc, self: 0, total: 0 });
  }
  const window = options.window && options.window.startUs < profile.endTime && options.window.endUs > profile.startTime ? options.window : undefined;
  if (options.window && !window) throw new CpuProfileError('the window lies outside the profile (not the same clock?)');
  const self = selfTimes(profile, window);
  let all = 0;
  for (const [id, us] of self) {
    if (us <= 0) continue;
    all += us;
    const key = keyOf.get(id);
    const frame = key ? frames.get(key) : undefined;
    if (frame) frame.self += us;
    // Inclusive: every distinct function on this node's stack, the node's own included.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined && byId.has(cur); cur = parent.get(cur)) {
      const k = keyOf.get(cur) as string;
      if (seen.has(k)) continue;
      seen.add(k);
      (frames.get(k) as { total: number }).total += us;
    }
  }
  const selfOf = (name: string) => [...frames.values()].filter((f) => f.name === name && f.location === '').reduce((n, f) => n + f.self, 0);
  const idle = selfOf('(idle)');
  const busy = Math.max(0, all - idle);
  const toFrame = (f: { name: string; location: string; self: number; total: number }): ProfileFrame => ({
    name: f.name,
    location: f.location,
    selfMs: f.self / 1000,
    selfPct: busy > 0 ? (f.self / busy) * 100 : 0,
    totalMs: f.total / 1000,
    totalPct: busy > 0 ? (Math.min(f.total, busy) / busy) * 100 : 0,
  });
  // V8's pseudo-frames: (root) holds everything, (idle) is not CPU; (program) and (garbage collector) are.
  const listed = [...frames.values()].filter((f) => !(f.location === '' && (f.name === '(root)' || f.name === '(idle)')));
  return {
    durationMs: (window ? Math.min(window.endUs, profile.endTime) - Math.max(window.startUs, profile.startTime) : profile.endTime - profile.startTime) / 1000,
    samples: countSamples(profile, window),
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    gcMs: selfOf('(garbage collector)') / 1000,
    programMs: selfOf('(program)') / 1000,
    topSelf: listed.filter((f) => f.self > 0).sort((a, b) => b.self - a.self).slice(0, top).map(toFrame),
    topTotal: listed
      .filter((f) => f.total > 0 && f.name !== '(program)' && f.name !== '(garbage collector)')
      .sort((a, b) => b.total - a.total)
      .slice(0, top)
      .map(toFrame),
  };
}
