/**
 * How the console writes sizes, rates, times and durations. Binary units (KiB, MiB) as the server's own
 * limits and the README use them.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1536` → `1.50 KiB`; below 1 KiB in bytes (rates may have a fraction: `52.4 B`). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 1 : 0)} B`;
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${UNITS[unit]}`;
}

/** A rate per second: `formatRate(2048, formatBytes)` → `2.00 KiB/s`. */
export function formatRate(perSecond: number, unit: (n: number) => string = formatNumber): string {
  return `${unit(perSecond)}/s`;
}

/** A count or rate with at most three significant digits: `0.333`, `12.5`, `1,234`. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n === 0) return '0';
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : Math.abs(n) >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Seconds as milliseconds with sensible precision: `0.00042` → `0.42 ms`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  return `${formatNumber(seconds * 1000)} ms`;
}

/** A date as the browser's locale writes it, with seconds. */
export function formatDate(date: Date | undefined): string {
  return date === undefined ? '—' : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A duration in seconds as `3d 4h`, `5h 2m`, `4m 10s` or `12s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}
